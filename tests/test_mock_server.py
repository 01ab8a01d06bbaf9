"""The mock over a real loopback socket (uvicorn): same answers, real drops, and load."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import Any

import anyio
import httpx
import pytest

from apimart_codegen.interpreter import Interpreter
from apimart_codegen.mock import MockAPI, MockServer, VirtualClock
from apimart_codegen.mock._asgi import INLINE_BODY_LIMIT, AbortableH11Protocol, http_protocol
from apimart_codegen.mock._uploads import UPLOAD_LIMIT
from tests.support import specs

AUTH = {"Authorization": "Bearer load-test"}
BODY = {"model": "wan2.6", "prompt": "p"}


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer(MockAPI(specs=specs(), clock=VirtualClock(), seed=3)) as server:
        yield server


@pytest.fixture
def client(server: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers=AUTH, trust_env=False) as client:
        yield client


def test_it_listens_on_a_free_loopback_port(server: MockServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert int(server.base_url.rsplit(":", 1)[1]) > 0


def test_socket_and_in_process_answers_are_the_same(client: httpx.Client) -> None:
    in_process = MockAPI(specs=specs(), clock=VirtualClock(), seed=3)
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/v1/videos/generations", {"json": BODY}),
        ("POST", "/v1/images/generations", {"json": {"model": "wan2.7-image", "prompt": "p"}}),
        ("POST", "/v1/videos/generations", {"json": {"model": "wan2.6", "duration": 7}}),
        ("POST", "/v1/videos/generations", {"json": {"model": "nope"}}),
        ("GET", "/v1/tasks/task_0000000001000000000000000X", {}),
        ("GET", "/v1/tasks/task_x", {"headers": {"X-Mock-Fault": "429"}}),
    ]
    with in_process.client(api_key="load-test") as local:
        for method, path, options in requests:
            over_socket = client.request(method, path, **options)
            direct = local.request(method, path, **options)
            assert over_socket.status_code == direct.status_code
            assert _without_task_ids(over_socket.json()) == _without_task_ids(direct.json())
            assert over_socket.headers["x-request-id"] == direct.headers["x-request-id"]


def _without_task_ids(body: Any) -> Any:
    """The body with task ids blanked: they are unique per mock, never reproduced."""
    text = json.dumps(body)
    return json.loads(re.sub(r"task_[0-9A-Z]{26}", "task_", text))


def test_results_download_from_the_servers_own_url(
    server: MockServer, client: httpx.Client
) -> None:
    body = {"model": "wan2.7-image", "prompt": "p", "n": 2}
    task_id = client.post("/v1/images/generations", json=body).json()["data"][0]["task_id"]
    server.api.advance(10_000)
    data = client.get(f"/v1/tasks/{task_id}").json()["data"]
    urls = [image["url"][0] for image in data["result"]["images"]]
    assert all(url.startswith(server.base_url + "/results/") for url in urls)
    assert [httpx.get(url, trust_env=False).content[:8] for url in urls] == [
        b"\x89PNG\r\n\x1a\n"
    ] * 2


def test_uploads_work_over_the_socket_including_413(client: httpx.Client) -> None:
    gif = b"GIF89a" + bytes(10)
    ok = client.post("/v1/uploads/images", files={"file": ("a.gif", gif)})
    assert ok.status_code == 200
    assert client.get(ok.json()["url"]).content == gif
    too_big = client.post(
        "/v1/uploads/images", files={"file": ("a.gif", gif + bytes(UPLOAD_LIMIT + 2 * 2**20))}
    )
    assert too_big.status_code == 413


@pytest.mark.parametrize("spec", ["drop", "drop-after"])
def test_drop_really_closes_the_connection(
    server: MockServer, client: httpx.Client, spec: str
) -> None:
    headers = {"X-Mock-Fault": spec, "Idempotency-Key": spec}
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/v1/videos/generations", json=BODY, headers=headers)
    assert len(server.api.tasks) == (1 if spec == "drop-after" else 0)
    retry = client.post("/v1/videos/generations", json=BODY, headers={"Idempotency-Key": spec})
    assert retry.status_code == 200
    assert len(server.api.tasks) == 1


def test_slow_still_answers(server: MockServer, client: httpx.Client) -> None:
    before = server.api.clock.now()
    response = client.get("/v1/tasks/task_x", headers={"X-Mock-Fault": "slow"})
    assert response.status_code == 404
    assert server.api.clock.now() > before  # the virtual clock took the delay


def test_a_taken_port_is_an_os_error(server: MockServer) -> None:
    port = int(server.base_url.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        MockServer(MockAPI(specs=specs()), port=port).start()


def test_a_stopped_server_has_no_url() -> None:
    server = MockServer(MockAPI(specs=specs()))
    with server:
        url = server.base_url
    with pytest.raises(RuntimeError):
        _ = server.base_url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/v1/tasks/task_x", trust_env=False)


# -- load ------------------------------------------------------------------------------------

TASKS = 1000
CLIENTS = 8
IN_FLIGHT_EACH = 8
"""64 requests in flight: 8 clients of 8 connections, half for submissions and half for polls
(so early tasks are polled while later ones are still queued for submission). One client of
64 would measure httpcore's pool bookkeeping, which grows with the requests in flight per
client, more than the mock."""
SPEED = 50.0
POLL_EVERY = 0.25


@pytest.mark.anyio
async def test_a_thousand_concurrent_tasks_over_loopback_lose_nothing(
    record_property: Any,
) -> None:
    """Each task is submitted, then polled every POLL_EVERY seconds until it ends."""
    bodies = [dict(model.examples[0].body) for model in specs().models]
    mock = MockAPI(specs=specs(), speed=SPEED, seed=99)
    limits = httpx.Limits(max_connections=IN_FLIGHT_EACH, max_keepalive_connections=IN_FLIGHT_EACH)
    submit_gates = [anyio.Semaphore(IN_FLIGHT_EACH // 2) for _ in range(CLIENTS)]
    poll_gates = [anyio.Semaphore(IN_FLIGHT_EACH // 2) for _ in range(CLIENTS)]
    submitted: list[str] = []
    finished: dict[str, dict[str, Any]] = {}
    seen_running = 0
    polls = 0

    with MockServer(mock) as server:
        base_url = server.base_url
        async with AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(
                    httpx.AsyncClient(
                        base_url=base_url, headers=AUTH, limits=limits, timeout=60, trust_env=False
                    )
                )
                for _ in range(CLIENTS)
            ]

            async def run_task(index: int) -> None:
                nonlocal polls, seen_running
                client = clients[index % CLIENTS]
                body = bodies[index % len(bodies)]
                model = specs().model(body["model"])
                assert model is not None
                async with submit_gates[index % CLIENTS]:
                    response = await client.post(model.endpoint, json=body)
                assert response.status_code == 200, response.text
                task_id = response.json()["data"][0]["task_id"]
                submitted.append(task_id)
                if len(submitted) == TASKS:
                    timings["submitted"] = time.perf_counter()
                while True:
                    async with poll_gates[index % CLIENTS]:
                        response = await client.get(f"/v1/tasks/{task_id}")
                    polls += 1
                    assert response.status_code == 200, response.text
                    data = response.json()["data"]
                    if data["status"] in ("completed", "failed"):
                        finished[task_id] = data
                        return
                    seen_running += 1
                    await anyio.sleep(POLL_EVERY)

            timings = {"started": time.perf_counter()}
            async with anyio.create_task_group() as group:
                for index in range(TASKS):
                    group.start_soon(run_task, index)
            timings["done"] = time.perf_counter()

    assert len(submitted) == TASKS
    assert len(set(submitted)) == TASKS
    assert {task.id for task in mock.tasks} == set(submitted)
    assert set(finished) == set(submitted)
    assert {data["status"] for data in finished.values()} == {"completed"}
    for task_id, data in finished.items():
        task = mock.core.task(task_id)
        assert task is not None
        results = data["result"].get("images") or data["result"]["videos"]
        assert len(results) == task.results
        assert all(entry["url"][0].startswith(base_url) for entry in results)
    assert seen_running > 0  # tasks were caught pending or processing, not only finished
    submit_rate = TASKS / (timings["submitted"] - timings["started"])
    total = timings["done"] - timings["started"]
    record_property("submits_per_second", round(submit_rate))
    record_property("polls_per_second", round(polls / total))
    print(
        f"\nload: {TASKS} tasks, {CLIENTS * IN_FLIGHT_EACH} in flight, speed {SPEED:g}: "
        f"all submitted in {timings['submitted'] - timings['started']:.1f} s "
        f"({submit_rate:.0f} submits/s); {polls} polls ({seen_running} not finished yet), "
        f"{(TASKS + polls) / total:.0f} requests/s over {total:.1f} s"
    )


def test_a_large_body_is_judged_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """While one large body is being judged (held here until released), others are answered."""
    api = MockAPI(specs=specs(), clock=VirtualClock(), seed=3)
    judging, release = threading.Event(), threading.Event()
    judge = api.core.interpreter.judge

    def held_judge(payload: object) -> Any:
        if isinstance(payload, dict) and "padding" in payload:
            judging.set()
            release.wait(30)
        return judge(payload)

    monkeypatch.setattr(api.core.interpreter, "judge", held_judge)
    big = {**BODY, "padding": "x" * 100_000}
    answers: list[int] = []
    with MockServer(api) as server:

        def send_big() -> None:
            with httpx.Client(base_url=server.base_url, headers=AUTH, trust_env=False) as c:
                answers.append(c.post("/v1/videos/generations", json=big).status_code)

        sender = threading.Thread(target=send_big)
        sender.start()
        try:
            assert judging.wait(30)
            with httpx.Client(
                base_url=server.base_url, headers=AUTH, trust_env=False, timeout=20
            ) as other:
                assert other.get("/v1/tasks/task_x").status_code == 404
                assert other.post("/v1/videos/generations", json=BODY).status_code == 200
            assert answers == []  # the large one is still being judged
        finally:
            release.set()
            sender.join(30)
    assert answers == [200]


def test_a_large_body_judged_in_a_worker_thread_gets_the_same_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over 64 KiB the socket path judges in a worker thread; in process it judges inline."""
    api = MockAPI(specs=specs(), clock=VirtualClock(), seed=3)
    judged_in: list[str] = []
    judge = api.core.interpreter.judge

    def watched_judge(payload: object) -> Any:
        judged_in.append(threading.current_thread().name)
        return judge(payload)

    monkeypatch.setattr(api.core.interpreter, "judge", watched_judge)
    big = {
        "model": "wan2.7-image",
        "prompt": "a kite " * 12_000,
        "image_urls": ["not a url"] * 12,
        "n": 99,
    }
    assert len(json.dumps(big)) > INLINE_BODY_LIMIT
    with MockServer(api) as server:
        with httpx.Client(base_url=server.base_url, headers=AUTH, trust_env=False) as client:
            over_socket = client.post("/v1/images/generations", json=big)
        server_thread = f"apimart-mock {server.base_url}"
    with api.client(api_key="load-test") as client:
        in_process = client.post("/v1/images/generations", json=big)

    assert over_socket.status_code == in_process.status_code == 400
    assert over_socket.json()["error"] == in_process.json()["error"]
    expected = Interpreter(specs()).judge(big)
    assert len(expected.errors) >= 3
    violations = over_socket.json()["error"]["violations"]
    assert violations == [violation.to_dict() for violation in expected.errors]
    assert len(judged_in) == 2
    assert judged_in[0] not in (server_thread, "MainThread")  # a worker thread
    assert judged_in[1] == "MainThread"  # in process: no thread hop


def test_the_server_parses_http_with_httptools() -> None:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    assert issubclass(http_protocol(), HttpToolsProtocol)


@pytest.mark.parametrize("spec", ["drop", "drop-after"])
def test_without_httptools_h11_serves_the_mock_and_drops_connections(
    monkeypatch: pytest.MonkeyPatch, spec: str
) -> None:
    http_protocol.cache_clear()
    # None in sys.modules makes the import fail, as on an install without httptools.
    monkeypatch.setitem(sys.modules, "uvicorn.protocols.http.httptools_impl", None)
    try:
        assert http_protocol() is AbortableH11Protocol
        api = MockAPI(specs=specs(), clock=VirtualClock())
        with (
            MockServer(api) as server,
            httpx.Client(base_url=server.base_url, headers=AUTH, trust_env=False) as client,
        ):
            assert client.post("/v1/videos/generations", json=BODY).status_code == 200
            with pytest.raises(httpx.RemoteProtocolError):
                client.post("/v1/videos/generations", json=BODY, headers={"X-Mock-Fault": spec})
        assert len(api.tasks) == (2 if spec == "drop-after" else 1)
    finally:
        http_protocol.cache_clear()
