"""The synchronous Client against the in-memory API: configuration, submissions, tasks,
downloads, uploads and errors."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import stat
from pathlib import Path
from typing import Any

import apimart
import httpx
import pytest
from test_client_support import (
    BASE,
    FILES,
    KEY,
    MP4_HEAD,
    BrokenStream,
    FakeAPI,
    result_bytes,
)

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


# -- configuration ---------------------------------------------------------------------------


def test_key_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APIMART_API_KEY", KEY)
    monkeypatch.setenv("APIMART_BASE_URL", BASE + "/")
    api = FakeAPI()
    with apimart.Client(transport=api.transport()) as client:
        assert client.base_url == BASE
        client.wan2_6(prompt="a kite")
    assert api.requests[0].url == BASE + "/v1/videos/generations"
    assert api.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_the_default_base_url_is_the_vendors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APIMART_BASE_URL", raising=False)
    with apimart.Client(api_key=KEY, transport=FakeAPI().transport()) as client:
        assert client.base_url == "https://api.apimart.ai"


def test_a_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APIMART_API_KEY", raising=False)
    with pytest.raises(apimart.APIMartError, match="APIMART_API_KEY"):
        apimart.Client()


@pytest.mark.parametrize("url", ["ftp://x.test", "api.apimart.ai", "https://"])
def test_a_base_url_must_be_http(url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        apimart.Client(api_key=KEY, base_url=url)


def test_http_client_and_transport_are_exclusive() -> None:
    with pytest.raises(ValueError, match="not both"):
        apimart.Client(api_key=KEY, http_client=httpx.Client(), transport=FakeAPI().transport())


def test_an_injected_http_client_is_used_and_left_open() -> None:
    api = FakeAPI()
    http = httpx.Client(transport=api.transport())
    with apimart.Client(api_key=KEY, base_url=BASE, http_client=http) as client:
        client.wan2_6(prompt="a kite")
    assert not http.is_closed
    assert len(api.requests) == 1
    http.close()


def test_a_client_closes_the_http_client_it_created() -> None:
    client = FakeAPI().client()
    with client:
        pass
    assert client._http.is_closed


def test_the_timeout_is_sent_with_every_request() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json={"code": 200, "data": {"id": "t", "status": "pending"}})

    client = apimart.Client(
        api_key=KEY, base_url=BASE, timeout=7.5, transport=httpx.MockTransport(handler)
    )
    client.get("t")
    assert seen == [{"connect": 7.5, "read": 7.5, "write": 7.5, "pool": 7.5}]


# -- submitting ------------------------------------------------------------------------------


def test_a_model_method_sends_only_the_given_fields_with_an_idempotency_key() -> None:
    api = FakeAPI()
    with api.client() as client:
        handle = client.wan2_6(prompt="a kite", resolution="1080p", duration=10)
    (request,) = api.requests
    assert request.method == "POST"
    assert request.url.path == "/v1/videos/generations"
    assert json.loads(request.content) == {
        "model": "wan2.6",
        "prompt": "a kite",
        "resolution": "1080p",
        "duration": 10,
    }
    assert UUID4.match(request.headers["idempotency-key"])
    assert handle.idempotency_key == request.headers["idempotency-key"]
    assert (handle.id, handle.model, handle.status) == ("task_000001", "wan2.6", "submitted")
    assert handle.request_id == "req_0001"
    assert handle.report is not None and handle.report.valid


def test_an_image_model_goes_to_the_image_endpoint_and_reads_its_envelope() -> None:
    api = FakeAPI()
    with api.client() as client:
        handle = client.wan2_7_image(prompt="a lighthouse", n=2, watermark=True)
    assert api.requests[0].url.path == "/v1/images/generations"
    assert handle.status == apimart.TaskStatus.PROCESSING


def test_the_legacy_envelope_with_one_object_and_id_is_read() -> None:
    api = FakeAPI(envelope="legacy")
    with api.client() as client:
        handle = client.viduq3(prompt="a dancer", image_urls=["https://img.test/a.png"])
    assert handle.id == "task_000001"


def test_extra_body_and_a_callers_idempotency_key_are_sent() -> None:
    api = FakeAPI()
    with api.client() as client:
        client.wan2_6(prompt="a kite", extra_body={"audio": True}, idempotency_key="my-key-1")
    assert json.loads(api.requests[0].content)["audio"] is True
    assert api.requests[0].headers["idempotency-key"] == "my-key-1"


def test_an_invalid_body_raises_validation_error_and_sends_nothing() -> None:
    api = FakeAPI()
    with api.client() as client, pytest.raises(apimart.ValidationError) as caught:
        client.wan2_7_r2v(prompt="x" * 5001, duration=99)
    report = caught.value.report
    assert report.model == "wan2.7-r2v"
    assert {v.path for v in report.errors} >= {"/prompt", "/duration"}
    assert api.requests == []


def test_validate_false_sends_the_body_and_the_server_answers_with_violations() -> None:
    api = FakeAPI()
    with api.client() as client, pytest.raises(apimart.BadRequestError) as caught:
        client.wan2_7_r2v(prompt="x" * 5001, validate=False)
    assert len(api.requests) == 1
    assert caught.value.status == 400
    assert any(v.path == "/prompt" for v in caught.value.violations)
    assert caught.value.request_id == "req_0001"


def test_submit_takes_a_ready_body_and_picks_the_endpoint_from_the_model() -> None:
    api = FakeAPI()
    body = {"model": "wan2.7-image-pro", "prompt": "a map", "resolution": "4K"}
    with api.client() as client:
        handle = client.submit(body)
    assert api.requests[0].url.path == "/v1/images/generations"
    assert json.loads(api.requests[0].content) == body
    assert handle.model == "wan2.7-image-pro"


@pytest.mark.parametrize("validate", [True, False])
def test_submit_of_an_unknown_model_is_refused_locally(validate: bool) -> None:
    api = FakeAPI()
    with api.client() as client, pytest.raises(apimart.ValidationError, match="unknown model"):
        client.submit({"model": "sora-9", "prompt": "x"}, validate=validate)
    assert api.requests == []


def test_validation_warnings_are_logged_and_kept_on_the_handle(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = FakeAPI()
    with caplog.at_level(logging.WARNING, logger="apimart"), api.client() as client:
        handle = client.submit({"model": "wan2.6", "prompt": "a kite", "colour": "red"})
    assert handle.report is not None
    assert [w.path for w in handle.report.warnings] == ["/colour"]
    assert "/colour" in caplog.text


# -- following tasks -------------------------------------------------------------------------


def test_wait_polls_until_completed_and_reports_progress_changes() -> None:
    api = FakeAPI(polls_to_finish=3)
    seen: list[tuple[str, int | None]] = []
    with api.client() as client:
        handle = client.wan2_6(prompt="a kite")
        task = handle.wait(
            poll_interval=2.5, on_progress=lambda t: seen.append((t.status, t.progress))
        )
    assert seen == [("processing", 33), ("processing", 66), ("completed", 100)]
    assert api.sleeps == [2.5, 2.5]
    assert task.succeeded
    assert task.urls == (f"{FILES}/task_000001/out-0.mp4",)
    assert task.result is not None and task.result.videos[0].expires_at == 1763174708
    assert task.result.extra == {"credits_cost": 12}


def test_url_given_as_a_plain_string_is_read_as_one_url() -> None:
    api = FakeAPI(url_shape="string", polls_to_finish=1)
    with api.client() as client:
        task = client.wan2_7_image(prompt="a lighthouse").wait()
    assert task.urls == (f"{FILES}/task_000001/out-0.png",)
    assert task.result is not None and len(task.result.images) == 1


def test_a_failed_task_raises_task_failed_error_carrying_the_task() -> None:
    api = FakeAPI(outcome="failed", polls_to_finish=1)
    with api.client() as client, pytest.raises(apimart.TaskFailedError) as caught:
        client.wan2_6(prompt="a kite").wait()
    assert caught.value.task.status == apimart.TaskStatus.FAILED
    assert caught.value.task.error is not None
    assert caught.value.message == "task task_000001 ended failed: content policy violation"


def test_raise_on_failure_false_returns_the_failed_or_cancelled_task() -> None:
    api = FakeAPI(outcome="cancelled", polls_to_finish=1)
    with api.client() as client:
        task = client.wan2_6(prompt="a kite").wait(raise_on_failure=False)
    assert task.status == apimart.TaskStatus.CANCELLED and task.done and not task.succeeded


def test_an_unknown_status_is_not_finished_and_wait_times_out() -> None:
    api = FakeAPI(outcome="in_queue", polls_to_finish=1)
    clock = FakeClock()
    with api.client() as client:
        client._sleep, client._clock = clock.sleep, clock.monotonic
        handle = client.wan2_6(prompt="a kite")
        with pytest.raises(apimart.WaitTimeoutError) as caught:
            handle.wait(timeout=10, poll_interval=3)
    assert clock.sleeps == [3, 3, 3, 1]
    assert caught.value.task is not None and caught.value.task.status == "in_queue"
    assert caught.value.timeout == 10
    assert len(api.sent("GET", "/v1/tasks/task_000001")) == 5


def test_get_sends_the_language_and_quotes_the_task_id() -> None:
    api = FakeAPI()
    with api.client() as client, pytest.raises(apimart.NotFoundError) as caught:
        client.get("../v1/uploads images", language="zh")
    assert api.requests[0].url.raw_path == b"/v1/tasks/..%2Fv1%2Fuploads%20images?language=zh"
    assert caught.value.message == "task not found"


def test_generate_and_wait_returns_the_completed_task() -> None:
    api = FakeAPI(polls_to_finish=2)
    with api.client() as client:
        task = client.generate_and_wait({"model": "wan2.6", "prompt": "a kite"}, poll_interval=1)
    assert task.succeeded and task.id == "task_000001"


# -- downloads -------------------------------------------------------------------------------


def test_download_streams_each_result_to_a_file_named_after_its_task(tmp_path: Path) -> None:
    api = FakeAPI(images_per_task=2, polls_to_finish=1)
    with api.client() as client:
        task = client.wan2_7_image(prompt="a lighthouse", n=2).wait()
        paths = client.download(task, tmp_path / "out")
    assert [p.name for p in paths] == ["task_000001-0.png", "task_000001-1.png"]
    assert paths[0].read_bytes() == result_bytes("/task_000001/out-0.png")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [p.name for p in paths]
    file_requests = [r for r in api.requests if r.url.host == httpx.URL(FILES).host]
    assert len(file_requests) == 2
    assert all("authorization" not in r.headers for r in file_requests)


def test_download_names_files_by_task_and_index_whatever_the_urls(tmp_path: Path) -> None:
    urls = [
        "https://files.apimart-cdn.test/",
        "https://files.apimart-cdn.test/a/x.mp4",
        "https://files.apimart-cdn.test/b/x.mp4",
    ]
    task = apimart.Task.from_dict(
        {"id": "task_7", "status": "completed", "result": {"videos": [{"url": urls}]}}
    )
    api = FakeAPI()
    api.file_routes["/"] = httpx.Response(
        200, content=MP4_HEAD + b"v", headers={"Content-Type": "video/mp4"}
    )
    with api.client() as client:
        paths = client.download(task, tmp_path)
    assert [p.name for p in paths] == ["task_7-0.mp4", "task_7-1.mp4", "task_7-2.mp4"]


def test_two_tasks_downloaded_into_one_folder_never_collide(tmp_path: Path) -> None:
    api = FakeAPI(polls_to_finish=1)
    api.file_routes["/same/0.mp4"] = httpx.Response(200, content=MP4_HEAD + b"first")
    urls = {"videos": [{"url": ["https://files.apimart-cdn.test/same/0.mp4"]}]}
    one = apimart.Task.from_dict({"id": "task_a", "status": "completed", "result": urls})
    two = apimart.Task.from_dict({"id": "task_b", "status": "completed", "result": urls})
    with api.client() as client:
        (a,) = client.download(one, tmp_path)
        (b,) = client.download(two, tmp_path)
    assert (a.name, b.name) == ("task_a-0.mp4", "task_b-0.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["task_a-0.mp4", "task_b-0.mp4"]


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    api = FakeAPI(polls_to_finish=1)
    (tmp_path / "task_000001-0.mp4").write_bytes(b"mine")
    (tmp_path / "task_000001-0-1.mp4").write_bytes(b"mine too")
    with api.client() as client:
        task = client.wan2_6(prompt="a kite").wait()
        (first,) = client.download(task, tmp_path)
        (again,) = client.download(task, tmp_path)
    assert (first.name, again.name) == ("task_000001-0-2.mp4", "task_000001-0-3.mp4")
    assert (tmp_path / "task_000001-0.mp4").read_bytes() == b"mine"
    assert (tmp_path / "task_000001-0-1.mp4").read_bytes() == b"mine too"
    assert first.read_bytes() == again.read_bytes() == result_bytes("/task_000001/out-0.mp4")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_downloaded_files_honour_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    api = FakeAPI(polls_to_finish=1)
    with api.client() as client:
        task = client.wan2_6(prompt="a kite").wait()
        previous = os.umask(umask)
        try:
            (path,) = client.download(task, tmp_path)
        finally:
            os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_download_that_breaks_mid_body_leaves_no_file(tmp_path: Path) -> None:
    api = FakeAPI(polls_to_finish=1)
    api.file_routes["/task_000001/out-0.mp4"] = httpx.Response(200, stream=BrokenStream())
    with api.client() as client:
        task = client.wan2_6(prompt="a kite").wait()
        with pytest.raises(apimart.APIConnectionError, match="ReadError"):
            client.download(task, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_expired_result_url_raises_the_status_error_and_writes_nothing(tmp_path: Path) -> None:
    api = FakeAPI(polls_to_finish=1)
    api.file_routes["/task_000001/out-0.mp4"] = httpx.Response(403, text="expired")
    with api.client(max_retries=0) as client:
        task = client.wan2_6(prompt="a kite").wait()
        with pytest.raises(apimart.PermissionDeniedError, match="expired"):
            client.download(task, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_download_of_a_task_without_results_is_a_value_error(tmp_path: Path) -> None:
    task = apimart.Task.from_dict({"id": "t", "status": "processing"})
    with FakeAPI().client() as client, pytest.raises(ValueError, match="no result files"):
        client.download(task, tmp_path)


# -- uploads ---------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def test_upload_image_from_a_path_sends_one_multipart_file_field(tmp_path: Path) -> None:
    path = tmp_path / "photo"
    path.write_bytes(PNG)
    api = FakeAPI()
    with api.client() as client:
        uploaded = client.upload_image(path)
    (request,) = api.requests
    assert request.url.path == "/v1/uploads/images"
    assert b'name="file"; filename="photo.png"' in request.content
    assert b"Content-Type: image/png" in request.content
    assert UUID4.match(request.headers["idempotency-key"])
    assert uploaded == apimart.UploadedImage(
        url=f"{FILES}/uploads/photo.png",
        filename="photo.png",
        content_type="image/png",
        size=uploaded.size,
        created_at=1743436800,
        raw=uploaded.raw,
    )
    assert uploaded.size is not None and uploaded.size > len(PNG)


def test_upload_image_from_bytes_sniffs_the_type() -> None:
    api = FakeAPI()
    with api.client() as client:
        client.upload_image(b"RIFF\0\0\0\0WEBPVP8 ", filename="shot")
    assert b'filename="shot.webp"' in api.requests[0].content
    assert b"Content-Type: image/webp" in api.requests[0].content


def test_an_upload_over_the_limit_raises_payload_too_large() -> None:
    with FakeAPI().client() as client, pytest.raises(apimart.PayloadTooLargeError) as caught:
        client.upload_image(PNG * 100)
    assert caught.value.status == 413


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("402", apimart.InsufficientBalanceError),
        ("429", apimart.RateLimitError),
        ("500", apimart.InternalServerError),
        ("502", apimart.InternalServerError),
        ("503", apimart.InternalServerError),
    ],
)
def test_error_statuses_map_to_one_class_each(fault: str, error: type[Exception]) -> None:
    api = FakeAPI()
    api.fault("POST", "/v1/videos/generations", fault)
    with api.client(max_retries=0) as client, pytest.raises(error) as caught:
        client.wan2_6(prompt="a kite")
    assert isinstance(caught.value, apimart.APIStatusError)
    assert caught.value.status == int(fault)
    assert caught.value.message == f"injected {fault}"
    assert caught.value.request_id == "req_0001"
    assert str(caught.value) == f"injected {fault} (HTTP {fault}, request id req_0001)"


def test_a_rate_limit_error_carries_retry_after() -> None:
    api = FakeAPI()
    api.fault("GET", "/v1/tasks/t", "429")
    with api.client(max_retries=0) as client, pytest.raises(apimart.RateLimitError) as caught:
        client.get("t")
    assert caught.value.retry_after == 1.0


def test_a_wrong_key_is_an_authentication_error() -> None:
    client = FakeAPI().client(api_key="sk-wrong")
    with client, pytest.raises(apimart.AuthenticationError) as caught:
        client.get("t")
    assert caught.value.status == 401
    assert caught.value.type == "authentication_error"


def test_a_gateway_error_with_a_string_code_is_classified_by_status() -> None:
    body = {
        "error": {
            "code": "get_channel_failed",
            "message": "no available channel for model x",
            "type": "apimart_error",
        }
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(400, json=body))
    client = apimart.Client(api_key=KEY, base_url=BASE, transport=transport)
    with pytest.raises(apimart.BadRequestError) as caught:
        client.submit({"model": "wan2.6", "prompt": "x"})
    assert (caught.value.code, caught.value.type) == ("get_channel_failed", "apimart_error")
    assert caught.value.violations == ()
    assert caught.value.message == "no available channel for model x"


def test_the_key_never_appears_in_errors_reprs_or_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = FakeAPI(echo_key_in_errors=True)
    api.fault("POST", "/v1/videos/generations", "503", "503", "500")
    api.fault("GET", "/v1/tasks/t", "drop", "drop", "drop")
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        client = api.client()
        texts += [repr(client), repr(client._config), str(vars(client))]
        for call in (lambda: client.wan2_6(prompt="a kite"), lambda: client.get("t")):
            with pytest.raises(apimart.APIMartError) as caught:
                call()
            texts += [str(caught.value), repr(caught.value), repr(vars(caught.value))]
        wrong = api.client(api_key=KEY + "-wrong")
        with pytest.raises(apimart.AuthenticationError) as caught:
            wrong.get("t")
        texts += [str(caught.value), repr(caught.value), repr(vars(caught.value))]
        handle = api.client().wan2_6(prompt="a kite")
        texts.append(repr(handle))
    assert "[redacted]" in texts[3]
    assert caplog.records, "retries should have been logged"
    texts.append(caplog.text)
    for text in texts:
        assert KEY not in text
    assert "sk-test" not in texts[-1]


def test_every_call_takes_its_own_timeout_and_extra_headers(tmp_path: Path) -> None:
    api = FakeAPI(polls_to_finish=1)
    extra = {"X-Trace": "t-1", "Authorization": "Bearer stolen"}
    with api.client(timeout=60) as client:
        handle = client.wan2_6(prompt="a kite", timeout=5, extra_headers=extra)
        task = client.get(handle.id, timeout=httpx.Timeout(7, connect=2), extra_headers=extra)
        client.download(task, tmp_path, timeout=None, extra_headers={"X-Trace": "t-2"})
        client.get(handle.id)
    post, get, download, plain = api.requests
    assert post.extensions["timeout"] == {"connect": 5, "read": 5, "write": 5, "pool": 5}
    assert get.extensions["timeout"] == {"connect": 2, "read": 7, "write": 7, "pool": 7}
    assert download.extensions["timeout"] == {
        "connect": None,
        "read": None,
        "write": None,
        "pool": None,
    }
    assert plain.extensions["timeout"]["read"] == 60
    assert [r.headers.get("x-trace") for r in api.requests] == ["t-1", "t-1", "t-2", None]
    assert post.headers["authorization"] == f"Bearer {KEY}"  # the client's own headers win
    assert "idempotency-key" in post.headers


def test_the_async_client_takes_per_call_options_too() -> None:
    api = FakeAPI(polls_to_finish=1)

    async def scenario() -> None:
        async with api.async_client() as client:
            await client.wan2_6(prompt="a kite", timeout=3, extra_headers={"X-Trace": "a"})

    asyncio.run(scenario())
    (post,) = api.requests
    assert post.extensions["timeout"]["read"] == 3 and post.headers["x-trace"] == "a"
