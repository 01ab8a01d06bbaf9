"""AsyncClient against the in-memory API: the same behaviour as Client, as coroutines."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import apimart
import httpx
import pytest
from apimart import Task
from test_client_support import BASE, FILES, KEY, BrokenStream, FakeAPI, result_bytes

pytestmark = pytest.mark.anyio


async def test_a_model_coroutine_submits_and_the_handle_waits_for_the_result() -> None:
    api = FakeAPI(polls_to_finish=2)
    async with api.async_client() as client:
        handle = await client.wan2_7_r2v(
            prompt="image 1 waves", image_with_roles=[{"url": "https://img.test/a.png"}]
        )
        assert isinstance(handle, apimart.AsyncTaskHandle)
        task = await handle.wait(poll_interval=4)
    assert json.loads(api.requests[0].content) == {
        "model": "wan2.7-r2v",
        "prompt": "image 1 waves",
        "image_with_roles": [{"url": "https://img.test/a.png"}],
    }
    assert api.sleeps == [4]
    assert task.succeeded and task.urls == (f"{FILES}/task_000001/out-0.mp4",)


async def test_on_progress_may_be_a_coroutine_function() -> None:
    api = FakeAPI(polls_to_finish=2)
    seen: list[int | None] = []

    async def record(task: Task) -> None:
        seen.append(task.progress)

    async with api.async_client() as client:
        await client.generate_and_wait(
            {"model": "wan2.7-image", "prompt": "a lighthouse"}, on_progress=record
        )
    assert seen == [50, 100]


async def test_async_validation_refuses_locally() -> None:
    api = FakeAPI()
    async with api.async_client() as client:
        with pytest.raises(apimart.ValidationError) as caught:
            await client.wan2_6(prompt="a kite", duration=7)  # type: ignore[arg-type]
    assert [v.path for v in caught.value.report.errors] == ["/duration"]
    assert api.requests == []


async def test_async_failed_task_and_timeout() -> None:
    api = FakeAPI(outcome="failed", polls_to_finish=1)
    async with api.async_client() as client:
        handle = await client.wan2_6(prompt="a kite")
        with pytest.raises(apimart.TaskFailedError) as failed:
            await handle.wait()
        assert failed.value.task.error == apimart.TaskError("content policy violation", None)
    api = FakeAPI(outcome="pending", polls_to_finish=1)
    async with api.async_client() as client:
        handle = await client.wan2_6(prompt="a kite")
        with pytest.raises(apimart.WaitTimeoutError):
            await handle.wait(timeout=0)


async def test_async_download_writes_whole_files_or_none(tmp_path: Path) -> None:
    api = FakeAPI(polls_to_finish=1, images_per_task=2)
    async with api.async_client() as client:
        task = await (await client.wan2_7_image_pro(prompt="a map", n=2)).wait()
        paths = await client.download(task, tmp_path / "ok")
        assert [p.read_bytes() for p in paths] == [
            result_bytes("/task_000001/out-0.png"),
            result_bytes("/task_000001/out-1.png"),
        ]
        api.file_routes["/task_000001/out-1.png"] = httpx.Response(200, stream=BrokenStream())
        with pytest.raises(apimart.APIConnectionError):
            await client.download(task, tmp_path / "broken")
    assert [p.name for p in (tmp_path / "broken").iterdir()] == ["task_000001-0.png"]


async def test_async_upload_and_errors() -> None:
    api = FakeAPI()
    api.fault("GET", "/v1/tasks/x", "402")
    async with api.async_client() as client:
        uploaded = await client.upload_image(b"\xff\xd8\xff\xe0 jpeg")
        assert uploaded.url == f"{FILES}/uploads/photo.png"
        assert b'filename="image.jpg"' in api.requests[0].content
        with pytest.raises(apimart.InsufficientBalanceError) as caught:
            await client.get("x")
    assert caught.value.request_id == "req_0002"


async def test_async_client_owns_only_what_it_created() -> None:
    api = FakeAPI()
    http = httpx.AsyncClient(transport=api.transport())
    async with apimart.AsyncClient(api_key=KEY, base_url=BASE, http_client=http) as client:
        await client.wan2_6(prompt="a kite")
    assert not http.is_closed
    await http.aclose()
    owned = api.async_client()
    async with owned:
        pass
    assert owned._http.is_closed


async def test_async_key_never_in_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    api = FakeAPI(echo_key_in_errors=True)
    api.fault("POST", "/v1/videos/generations", "429", "500")
    with caplog.at_level(logging.DEBUG):
        async with api.async_client() as client:
            with pytest.raises(apimart.InternalServerError) as caught:
                await client.wan2_6(prompt="a kite")
    assert "[redacted]" in str(caught.value)
    for text in (
        str(caught.value),
        repr(caught.value),
        repr(vars(caught.value)),
        caplog.text,
        repr(client),
    ):
        assert KEY not in text
