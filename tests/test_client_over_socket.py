"""Functional: the generated client against the mock server over a real loopback socket.

Every fault the mock can inject meets the client's retry policy, and no retry ever leaves a
second task behind; waits time out; uploads come back byte for byte; webhooks reach a real
receiver; and the API key appears in no log line and no error.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import apimart
import httpx
import pytest

from apimart_codegen.mock import MockAPI, MockServer
from tests.conftest import Receiver
from tests.support import run_cli

KEY = "sk-socket-secret-4f1d2c9e"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(MockAPI(seed=11, speed=400)) as running:
        yield running


def _client(server: MockServer, *, fault: str | None = None) -> apimart.Client:
    headers = {"X-Mock-Fault": fault} if fault else {}
    http = httpx.Client(headers=headers, timeout=10)
    client = apimart.Client(api_key=KEY, base_url=server.base_url, http_client=http)
    client._sleep = lambda seconds: None  # retries do not really wait; delays are recorded below
    return client


def _tasks(server: MockServer) -> set[str]:
    return {task.id for task in server.api.tasks}


def test_a_task_runs_to_completion_and_its_video_downloads(
    server: MockServer, tmp_path: Path
) -> None:
    with _client(server) as client:
        client._sleep = time.sleep
        seen: list[str] = []
        task = client.wan2_7_r2v(
            prompt="a walk", video_urls=["https://cdn.example.com/v.mp4"], duration=10
        ).wait(poll_interval=0.02, timeout=30, on_progress=lambda t: seen.append(str(t.status)))
        (path,) = client.download(task, tmp_path)
    assert task.succeeded and seen[-1] == "completed"
    assert path.read_bytes()[4:8] == b"ftyp"


@pytest.mark.parametrize(
    ("fault", "tasks_created", "error"),
    [
        ("429*2", 1, None),
        ("503*2", 1, None),
        ("slow*1", 1, None),
        ("500*1", 0, apimart.InternalServerError),
        ("502*1", 0, apimart.InternalServerError),
        ("402*1", 0, apimart.InsufficientBalanceError),
        ("drop*1", 0, apimart.APIConnectionError),
        ("drop-after*1", 1, apimart.APIConnectionError),
    ],
)
def test_each_fault_meets_the_retry_policy_and_never_duplicates_a_task(
    server: MockServer, fault: str, tasks_created: int, error: type[Exception] | None
) -> None:
    before = _tasks(server)
    with _client(server, fault=fault) as client:
        if error is None:
            handle = client.wan2_6(prompt="a kite")
            assert _tasks(server) - before == {handle.id}
        else:
            with pytest.raises(error) as caught:
                client.wan2_6(prompt="a kite")
            assert getattr(caught.value, "idempotency_key", None)
            assert len(_tasks(server) - before) == tasks_created
    if fault == "drop-after*1":  # the task exists; resubmitting with the key must find it
        with _client(server) as client:
            again = client.wan2_6(prompt="a kite", idempotency_key=caught.value.idempotency_key)
        assert _tasks(server) - before == {again.id}


def test_a_rate_limited_submission_waits_as_retry_after_says(server: MockServer) -> None:
    delays: list[float] = []
    with _client(server, fault="429*2") as client:
        client._sleep = delays.append
        client.wan2_6(prompt="a kite")
    assert delays == [1.0, 1.0]


def test_polls_are_retried_through_server_errors_and_dropped_connections(
    server: MockServer,
) -> None:
    with _client(server) as client:
        handle = client.wan2_6(prompt="a kite")
    for fault in ("503*2", "drop*1", "500*1"):
        with _client(server, fault=fault) as client:
            assert client.get(handle.id).id == handle.id


def test_a_wait_gives_up_after_its_timeout() -> None:
    with MockServer(MockAPI(seed=3, speed=1)) as slow:  # tasks take tens of seconds here
        client = apimart.Client(api_key=KEY, base_url=slow.base_url)
        with client, pytest.raises(apimart.WaitTimeoutError) as caught:
            client.wan2_6(prompt="a kite").wait(timeout=0.3, poll_interval=0.05)
    assert caught.value.task is not None and not caught.value.task.done
    assert KEY not in str(caught.value)


def test_an_upload_comes_back_byte_for_byte(server: MockServer) -> None:
    with _client(server) as client:
        uploaded = client.upload_image(PNG, filename="pixel.png")
        fetched = httpx.get(uploaded.url, timeout=10)
    assert (uploaded.content_type, uploaded.size) == ("image/png", len(PNG))
    assert fetched.content == PNG


def test_an_oversized_upload_is_refused_with_413(server: MockServer) -> None:
    with _client(server) as client, pytest.raises(apimart.PayloadTooLargeError):
        client.upload_image(PNG + b"\0" * (20 * 1024 * 1024), filename="big.png")


def test_the_webhook_reaches_a_real_receiver(server: MockServer, receiver: Receiver) -> None:
    with _client(server) as client:
        client._sleep = time.sleep
        task = client.wan2_6(prompt="a kite", webhook=receiver.url).wait(
            poll_interval=0.02, timeout=30
        )
    deadline = time.monotonic() + 10
    while not receiver.received and time.monotonic() < deadline:
        time.sleep(0.02)
    ((path, body, _headers),) = receiver.received[:1]
    assert path == "/hooks/callback"
    delivered = apimart.parse_webhook(body)
    assert (delivered.id, delivered.status, delivered.urls) == (task.id, "completed", task.urls)


def test_the_key_appears_in_no_log_line_and_no_error(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    with MockServer(MockAPI(seed=5, speed=400, api_keys=(KEY,))) as guarded:
        with apimart.Client(api_key=KEY, base_url=guarded.base_url) as client:
            task = client.generate_and_wait(
                {"model": "wan2.7-image", "prompt": "a lighthouse", "n": 2}, poll_interval=0.02
            )
            client.download(task, tmp_path)
            for attempt in (
                lambda: client.submit({"model": "wan2.6", "duration": 7}, validate=False),
                lambda: client.get("task_does_not_exist"),
            ):
                with pytest.raises(apimart.APIMartError) as caught:
                    attempt()
                errors.append(caught.value)
        with apimart.Client(api_key=KEY + "-wrong", base_url=guarded.base_url) as stranger:
            with pytest.raises(apimart.AuthenticationError) as caught:
                stranger.get(task.id)
            errors.append(caught.value)
    assert [type(e).__name__ for e in errors] == [
        "BadRequestError",
        "NotFoundError",
        "AuthenticationError",
    ]
    for error in errors:
        assert KEY not in str(error) and KEY not in repr(error)
        assert KEY not in repr(vars(error))
    assert caplog.records, "logging was captured"
    assert KEY not in caplog.text


@pytest.mark.anyio
async def test_the_async_client_over_the_socket(server: MockServer, tmp_path: Path) -> None:
    before = _tasks(server)
    http = httpx.AsyncClient(headers={"X-Mock-Fault": "drop-after*1"}, timeout=10)
    async with apimart.AsyncClient(api_key=KEY, base_url=server.base_url, http_client=http) as c:
        with pytest.raises(apimart.APIConnectionError) as caught:
            await c.wan2_7_image(prompt="a lighthouse", n=2)
        key = caught.value.idempotency_key
    await http.aclose()
    async with apimart.AsyncClient(api_key=KEY, base_url=server.base_url) as client:
        handle = await client.wan2_7_image(prompt="a lighthouse", n=2, idempotency_key=key)
        task = await handle.wait(poll_interval=0.02, timeout=30)
        paths = await client.download(task, tmp_path)
    assert _tasks(server) - before == {handle.id}
    assert len(paths) == 2 and all(p.read_bytes().startswith(b"\x89PNG") for p in paths)


def test_apimart_submit_end_to_end_against_the_server(server: MockServer, tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text('{"model": "wan2.7-image", "prompt": "a lighthouse at dusk", "n": 2}')
    env = {**os.environ, "APIMART_API_KEY": KEY}
    result = run_cli(
        "submit",
        str(body),
        "--base-url",
        server.base_url,
        "--out",
        str(tmp_path / "out"),
        "--poll-interval",
        "0.02",
        "--format",
        "json",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert list(out) == ["task_id", "status", "progress", "results", "files", "error"]
    assert (out["status"], out["progress"], out["error"]) == ("completed", 100, None)
    assert len(out["results"]) == 2 and len(out["files"]) == 2
    assert all(Path(f).read_bytes().startswith(b"\x89PNG") for f in out["files"])
    assert KEY not in result.stdout + result.stderr
    refused = run_cli(
        "submit",
        "-",
        "--base-url",
        server.base_url,
        "--format",
        "json",
        stdin='{"model": "wan2.6", "prompt": "p", "duration": 7}',
        env=env,
    )
    assert refused.returncode == 1
    assert "duration must be one of 5, 10, 15, got 7" in refused.stdout + refused.stderr
