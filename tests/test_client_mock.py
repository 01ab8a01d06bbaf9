"""Functional: the generated client against the project's mock server (in process, on a
virtual clock that the client's waits move forward)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import apimart
import httpx
import pytest

from apimart_codegen.mock import IN_PROCESS_URL, MockAPI, VirtualClock

KEY = "sk-mock-functional-secret"


class Hooks:
    """A webhook receiver: records every delivery body, answers 200."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(request.read())
        return httpx.Response(200)


@pytest.fixture
def hooks() -> Hooks:
    return Hooks()


@pytest.fixture
def mock(hooks: Hooks) -> MockAPI:
    return MockAPI(clock=VirtualClock(), seed=5, webhook_transport=httpx.MockTransport(hooks))


@pytest.fixture
def client(mock: MockAPI) -> Iterator[apimart.Client]:
    with apimart.Client(api_key=KEY, base_url=IN_PROCESS_URL, transport=mock.transport()) as c:
        c._sleep = mock.advance
        c._clock = mock.clock.now
        yield c


def test_a_video_task_runs_to_completion_and_downloads(
    client: apimart.Client, tmp_path: Path
) -> None:
    statuses: list[str] = []
    handle = client.wan2_6(prompt="a red kite over a grey sea", duration=10)
    task = handle.wait(poll_interval=5, on_progress=lambda t: statuses.append(t.status))
    assert task.succeeded
    assert statuses[-1] == "completed"
    assert set(statuses[:-1]) <= {"pending", "submitted", "processing"}
    assert task.result is not None and len(task.result.videos) == 1
    (path,) = client.download(task, tmp_path)
    assert path.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_an_image_task_yields_one_file_per_image(client: apimart.Client, tmp_path: Path) -> None:
    task = client.generate_and_wait(
        {"model": "wan2.7-image", "prompt": "a lighthouse at dusk", "n": 3}, poll_interval=2
    )
    assert task.result is not None and len(task.result.images) == 3
    paths = client.download(task, tmp_path)
    assert len({p.name for p in paths}) == 3


def test_the_servers_violations_match_the_local_report(client: apimart.Client) -> None:
    body = {"model": "wan2.7-r2v", "prompt": "x" * 5001, "duration": 99}
    local = apimart.validate(body)
    with pytest.raises(apimart.BadRequestError) as caught:
        client.submit(body, validate=False)
    assert [v.to_dict() for v in caught.value.violations] == [v.to_dict() for v in local.errors]


@pytest.fixture
def faulty(mock: MockAPI) -> Iterator[apimart.Client]:
    """A client whose requests ask the mock for the fault named in its X-Mock-Fault header."""
    http = httpx.Client(transport=mock.transport())
    with apimart.Client(api_key=KEY, base_url=IN_PROCESS_URL, http_client=http) as c:
        c._sleep = mock.advance
        yield c
    http.close()


def test_a_post_dropped_after_creating_a_task_is_resubmitted_with_its_key_safely(
    mock: MockAPI, faulty: apimart.Client
) -> None:
    faulty._http.headers["X-Mock-Fault"] = "drop-after*1"
    with pytest.raises(apimart.APIConnectionError) as caught:
        faulty.wan2_6(prompt="a kite")
    key = caught.value.idempotency_key
    assert key is not None and len(mock.tasks) == 1
    handle = faulty.wan2_6(prompt="a kite", idempotency_key=key)
    assert [task.id for task in mock.tasks] == [handle.id]


@pytest.mark.parametrize(
    ("fault", "retried"), [("429*2", True), ("503*1", True), ("500*1", False), ("drop*1", False)]
)
def test_the_mocks_faults_meet_the_retry_policy(
    mock: MockAPI, faulty: apimart.Client, fault: str, retried: bool
) -> None:
    faulty._http.headers["X-Mock-Fault"] = fault
    if retried:
        faulty.wan2_6(prompt="a kite")
        assert len(mock.tasks) == 1
    else:
        with pytest.raises(apimart.APIMartError) as caught:
            faulty.wan2_6(prompt="a kite")
        assert caught.value.idempotency_key is not None
        assert mock.tasks == ()


def test_upload_then_use_the_url(client: apimart.Client) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
    uploaded = client.upload_image(png, filename="photo.png")
    assert uploaded.url.startswith("http")
    assert uploaded.content_type == "image/png"
    handle = client.wan2_6(prompt="the photo, moving", image_urls=[uploaded.url])
    assert handle.id


def test_a_webhook_delivery_parses_to_the_task_a_poll_returns(
    mock: MockAPI, hooks: Hooks, client: apimart.Client
) -> None:
    handle = client.wan2_6(prompt="a kite", webhook="https://hooks.example.test/in")
    polled = handle.wait(poll_interval=5)
    mock.deliver_webhooks()
    (body,) = hooks.bodies
    delivered = apimart.parse_webhook(body)
    assert (delivered.id, delivered.status, delivered.urls) == (
        polled.id,
        polled.status,
        polled.urls,
    )
    assert "code" not in json.loads(body)


@pytest.mark.anyio
async def test_the_async_client_runs_the_same_lifecycle(mock: MockAPI, tmp_path: Path) -> None:
    async def advance(seconds: float) -> None:
        mock.advance(seconds)

    async with apimart.AsyncClient(
        api_key=KEY, base_url=IN_PROCESS_URL, transport=mock.transport()
    ) as client:
        client._sleep, client._clock = advance, mock.clock.now
        handle = await client.viduq3(prompt="a dancer turns", image_urls=["https://i.test/a.png"])
        task = await handle.wait(poll_interval=5)
        paths = await client.download(task, tmp_path)
    assert task.succeeded and len(paths) == 1
