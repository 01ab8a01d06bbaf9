"""Webhook deliveries to a real receiver on 127.0.0.1, in process and from the server."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from apimart_codegen.mock import MockAPI, MockServer, VirtualClock
from apimart_codegen.mock._webhooks import RETRY_DELAYS
from tests.conftest import Receiver
from tests.support import specs


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def submit(mock: MockAPI, webhook: str, **headers: str) -> str:
    with mock.client() as client:
        response = client.post(
            "/v1/videos/generations",
            headers=headers,
            json={"model": "wan2.6", "prompt": "p", "webhook": webhook},
        )
    assert response.status_code == 200, response.text
    task_id: str = response.json()["data"][0]["task_id"]
    return task_id


def test_the_bare_task_object_is_posted_to_callback_when_the_task_ends(
    receiver: Receiver,
) -> None:
    mock = MockAPI(specs=specs(), clock=VirtualClock())
    task_id = submit(mock, receiver.url)
    assert mock.deliver_webhooks() == []
    mock.advance(mock.tasks[0].ends_after / 2)
    assert mock.deliver_webhooks() == []
    mock.advance(mock.tasks[0].ends_after)
    [attempt] = mock.deliver_webhooks()
    assert (attempt.task_id, attempt.attempt, attempt.status, attempt.delivered) == (
        task_id,
        1,
        200,
        True,
    )
    [(path, body, headers)] = receiver.received
    assert path == "/hooks/callback"
    assert body == mock.task_view(task_id)
    assert body["status"] == "completed" and "code" not in body and "data" not in body
    assert headers["content-type"] == "application/json"
    assert mock.deliver_webhooks() == []


def test_a_failed_task_is_delivered_too(receiver: Receiver) -> None:
    mock = MockAPI(specs=specs(), clock=VirtualClock())
    submit(mock, receiver.url + "/", **{"X-Mock-Fault": "fail"})
    mock.advance(10_000)
    mock.deliver_webhooks()
    [(path, body, _)] = receiver.received
    assert path == "/hooks/callback"
    assert body["status"] == "failed" and body["error"]["message"]


def test_a_non_2xx_answer_is_retried_after_10_seconds(receiver: Receiver) -> None:
    receiver.statuses = [500]
    mock = MockAPI(specs=specs(), clock=VirtualClock())
    task_id = submit(mock, receiver.url)
    mock.advance(10_000)
    [first] = mock.deliver_webhooks()
    assert (first.status, first.delivered) == (500, False)
    mock.advance(RETRY_DELAYS[0] - 1)
    assert mock.deliver_webhooks() == []
    mock.advance(1)
    [second] = mock.deliver_webhooks()
    assert (second.attempt, second.status, second.delivered) == (2, 200, True)
    assert [body for _, body, _ in receiver.received] == [mock.task_view(task_id)] * 2
    assert [h["x-mock-delivery-attempt"] for _, _, h in receiver.received] == ["1", "2"]


def test_an_unreachable_receiver_is_tried_four_times_then_given_up() -> None:
    mock = MockAPI(specs=specs(), clock=VirtualClock(), speed=10)
    submit(mock, closed_port_url())
    mock.advance(10_000)
    attempts = mock.deliver_webhooks()
    for delay in RETRY_DELAYS:
        mock.advance(delay / 10 - 0.01)
        assert mock.deliver_webhooks() == []
        mock.advance(0.01)
        attempts += mock.deliver_webhooks()
    mock.advance(10_000)
    assert mock.deliver_webhooks() == []
    assert [a.attempt for a in attempts] == [1, 2, 3, 4]
    assert all(a.status is None and a.error for a in attempts)
    assert mock.core.outbox.pending == 0
    assert mock.webhook_attempts == tuple(attempts)


@pytest.mark.anyio
async def test_async_delivery_reaches_the_receiver(receiver: Receiver) -> None:
    mock = MockAPI(specs=specs(), clock=VirtualClock())
    ids = {submit(mock, receiver.url) for _ in range(3)}
    mock.advance(10_000)
    attempts = await mock.deliver_webhooks_async()
    assert {a.task_id for a in attempts} == ids
    assert {body["id"] for _, body, _ in receiver.received} == ids


def test_the_server_delivers_in_the_background_and_retries(receiver: Receiver) -> None:
    receiver.statuses = [503]
    mock = MockAPI(specs=specs(), speed=2000)
    with MockServer(mock) as server:
        with httpx.Client(
            base_url=server.base_url, headers={"Authorization": "Bearer k"}, trust_env=False
        ) as c:
            response = c.post(
                "/v1/videos/generations",
                json={"model": "wan2.6", "prompt": "p", "webhook": receiver.url},
            )
        task_id = response.json()["data"][0]["task_id"]
        deadline = time.monotonic() + 20
        while len(receiver.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert [body["id"] for _, body, _ in receiver.received] == [task_id, task_id]
    assert receiver.received[1][1]["status"] == "completed"
    assert receiver.received[1][1]["result"]["videos"][0]["url"][0].startswith(server_url(response))
    assert [a.status for a in mock.webhook_attempts] == [503, 200]


def server_url(response: httpx.Response) -> str:
    return f"{response.url.scheme}://{response.url.netloc.decode()}"


@pytest.mark.parametrize(
    ("webhook", "url"),
    [
        ("https://h.test/hooks", "https://h.test/hooks/callback"),
        ("https://h.test/hooks/", "https://h.test/hooks/callback"),
        ("https://h.test", "https://h.test/callback"),
        ("https://h.test/hooks?token=a/b&x=1", "https://h.test/hooks/callback?token=a/b&x=1"),
        ("https://h.test/hooks#frag", "https://h.test/hooks/callback"),
        ("https://h.test/h?t=1#f", "https://h.test/h/callback?t=1"),
    ],
)
def test_callback_joins_the_path_and_keeps_the_query(webhook: str, url: str) -> None:
    posted: list[str] = []

    def receive(request: httpx.Request) -> httpx.Response:
        posted.append(str(request.url))
        return httpx.Response(200)

    mock = MockAPI(
        specs=specs(), clock=VirtualClock(), webhook_transport=httpx.MockTransport(receive)
    )
    submit(mock, webhook)
    mock.advance(mock.tasks[0].ends_after)
    [attempt] = mock.deliver_webhooks()
    assert attempt.url == url and posted == [url]


def test_a_receivers_answer_body_is_never_read() -> None:
    pulled: list[int] = []

    def endless() -> Iterator[bytes]:
        while True:  # a 500 MB answer, or a never-ending one
            pulled.append(1)
            yield b"x" * 65536

    mock = MockAPI(
        specs=specs(),
        clock=VirtualClock(),
        webhook_transport=httpx.MockTransport(
            lambda request: httpx.Response(500, content=endless())
        ),
    )
    submit(mock, "https://h.test/hooks")
    mock.advance(mock.tasks[0].ends_after)
    [attempt] = mock.deliver_webhooks()
    assert (attempt.status, attempt.delivered) == (500, False)
    assert pulled == []


@pytest.mark.parametrize("webhook", ["http://[", "http://[::1/x", "http://h.test/a\x1bb"])
def test_a_webhook_the_url_parser_refuses_is_refused_with_the_rule(webhook: str) -> None:
    """``http://[`` passed the URL format once, so the mock had to take the task (found by
    Schemathesis) and then could not deliver it; now the format, the schema and the mock
    all judge with the pattern httpx agrees with (tests/test_url_format.py)."""
    mock = MockAPI(specs=specs(), clock=VirtualClock())
    with mock.client() as client:
        response = client.post(
            "/v1/videos/generations", json={"model": "wan2.6", "prompt": "p", "webhook": webhook}
        )
    assert response.status_code == 400
    [violation] = response.json()["error"]["violations"]
    assert (violation["path"], violation["rule"]) == ("/webhook", "wan2.6/webhook-format")
    assert mock.tasks == ()


BAD_CALLBACKS = ["http://[::1/x", "http://h.test/a\x00b", "ftp://h.test/x", "http://[zz]/"]


def test_one_bad_delivery_fails_alone_in_process(receiver: Receiver) -> None:
    mock = MockAPI(specs=specs(), clock=VirtualClock())
    for number, url in enumerate(BAD_CALLBACKS):  # as if one had got past the rules
        mock.core.outbox.schedule(task_id=f"task_bad{number}", webhook=url, due_at=0.0)
    task_id = submit(mock, receiver.url)
    mock.advance(mock.tasks[0].ends_after)
    attempts = mock.deliver_webhooks()
    assert [a.task_id for a in attempts if a.delivered] == [task_id]
    refused = [a for a in attempts if not a.delivered]
    assert len(refused) == len(BAD_CALLBACKS)
    assert all(a.error is not None and a.error.startswith("refused: ") for a in refused)
    assert "\x00" not in "".join(a.error or "" for a in refused)
    mock.advance(1000)
    assert mock.deliver_webhooks() == []  # never tried again: no try could succeed
    assert [body["id"] for _, body, _ in receiver.received] == [task_id]


def test_one_bad_delivery_does_not_stop_the_servers_loop(receiver: Receiver) -> None:
    mock = MockAPI(specs=specs(), speed=2000)
    with MockServer(mock) as server:
        for number, url in enumerate(BAD_CALLBACKS):
            mock.core.outbox.schedule(task_id=f"task_bad{number}", webhook=url, due_at=0.0)
        time.sleep(0.2)  # the loop meets the bad deliveries first
        with httpx.Client(
            base_url=server.base_url, headers={"Authorization": "Bearer k"}, trust_env=False
        ) as c:
            ids = [
                c.post(
                    "/v1/videos/generations",
                    json={"model": "wan2.6", "prompt": "p", "webhook": receiver.url},
                ).json()["data"][0]["task_id"]
                for _ in range(3)
            ]
        deadline = time.monotonic() + 20
        while len(receiver.received) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert sorted(body["id"] for _, body, _ in receiver.received) == sorted(ids)
    refused = [a for a in mock.webhook_attempts if a.task_id.startswith("task_bad")]
    assert len(refused) == len(BAD_CALLBACKS) and not any(a.delivered for a in refused)
