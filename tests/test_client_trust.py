"""The generated client against hostile servers: where the key goes, which redirects and
result URLs it follows, how long and how much it reads, what it saves, what it prints.

Client logic alone runs on httpx.MockTransport; deadlines run against real loopback
sockets (the ``trickle`` server of tests/test_netpolicy.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import apimart
import httpx
import pytest
from apimart._netpolicy import DeadlineTransport
from test_client_support import BASE, FILES, KEY, MP4_HEAD, FakeAPI
from test_netpolicy import trickle  # noqa: F401  (the fixture)

METADATA = "http://169.254.169.254/latest/meta-data/iam"


def video_task(*urls: str, task_id: str = "task_1") -> apimart.Task:
    return apimart.Task.from_dict(
        {"id": task_id, "status": "completed", "result": {"videos": [{"url": list(urls)}]}}
    )


def api_with(route: Callable[[httpx.Request], httpx.Response | None]) -> FakeAPI:
    """A FakeAPI whose answers ``route`` may replace (None: the FakeAPI answers)."""
    api = FakeAPI(polls_to_finish=1)
    original = api.handle

    def handle(request: httpx.Request) -> httpx.Response:
        answer = route(request)
        if answer is None:
            return original(request)
        api.requests.append(request)
        return answer

    api.handle = handle  # type: ignore[method-assign]
    return api


# -- the key and redirects --------------------------------------------------------------


def test_a_redirect_of_a_poll_to_another_origin_is_followed_without_the_key() -> None:
    def route(request: httpx.Request) -> httpx.Response | None:
        if request.url.host == "mirror.example":
            return httpx.Response(200, json={"code": 200, "data": {"id": "t1", "status": "x"}})
        if request.url.path == "/v1/tasks/t1":
            return httpx.Response(302, headers={"Location": "https://mirror.example/v1/tasks/t1"})
        return None

    api = api_with(route)
    with api.client() as client:
        assert client.get("t1").id == "t1"
    first, second = api.requests
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert "authorization" not in second.headers


@pytest.mark.parametrize("status", [307, 308])
def test_a_post_is_never_sent_on_to_another_origin(status: int) -> None:
    def route(request: httpx.Request) -> httpx.Response | None:
        if request.url.host == "api.apimart.test" and request.method == "POST":
            return httpx.Response(status, headers={"Location": "https://evil.example/steal"})
        if request.url.host == "evil.example":
            return httpx.Response(200, json={"code": 200, "data": [{"task_id": "foreign"}]})
        return None

    api = api_with(route)
    with api.client() as client, pytest.raises(apimart.UnsafeURLError) as caught:
        client.wan2_6(prompt="a kite")
    assert "never sent on to another origin" in str(caught.value)
    assert "evil.example" in str(caught.value)
    assert [r.url.host for r in api.requests] == ["api.apimart.test"]  # nothing went there


def test_a_post_redirected_within_its_origin_is_followed_with_its_body() -> None:
    def route(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/videos/generations":
            return httpx.Response(307, headers={"Location": "/v2/videos/generations"})
        if request.url.path == "/v2/videos/generations":
            body = json.loads(request.content)
            return httpx.Response(200, json={"code": 200, "data": [{"task_id": body["prompt"]}]})
        return None

    api = api_with(route)
    with api.client() as client:
        assert client.wan2_6(prompt="kite-7").id == "kite-7"
    assert api.requests[-1].headers["authorization"] == f"Bearer {KEY}"


def test_a_redirect_loop_is_the_clients_error(tmp_path: Path) -> None:
    def route(request: httpx.Request) -> httpx.Response | None:
        if request.url.host == "files.apimart-cdn.test":
            return httpx.Response(302, headers={"Location": "/loop"})
        return None

    api = api_with(route)
    with api.client(max_retries=0) as client, pytest.raises(apimart.APIConnectionError) as caught:
        client.download(video_task(FILES + "/a.mp4"), tmp_path)
    assert "more than 10 redirects" in str(caught.value)
    assert len(api.requests) == 11
    assert list(tmp_path.iterdir()) == []


# -- result URLs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme 'file'"),
        (METADATA, "169.254.169.254 is a private, loopback or link-local address"),
        ("http://10.0.0.8/x.mp4", "private"),
        ("http://[::1/x.mp4", "not a valid URL"),
        ("http://xn--/x.mp4", "not a valid URL"),  # a malformed IDNA host
        ("https://cdn.example/a\x1b[2Jb.mp4", "control character"),
    ],
)
def test_unsafe_result_urls_are_refused_before_anything_is_sent(
    tmp_path: Path, url: str, reason: str
) -> None:
    api = FakeAPI()
    with api.client() as client, pytest.raises(apimart.UnsafeURLError) as caught:
        client.download(video_task(url), tmp_path / "out")
    assert reason in str(caught.value)
    assert "\x1b" not in str(caught.value)
    assert api.requests == []
    assert not (tmp_path / "out").exists()


def test_a_redirect_of_a_result_to_a_metadata_address_is_refused(tmp_path: Path) -> None:
    def route(request: httpx.Request) -> httpx.Response | None:
        if request.url.host == "files.apimart-cdn.test":
            return httpx.Response(302, headers={"Location": METADATA})
        if request.url.host == "169.254.169.254":
            return httpx.Response(200, content=MP4_HEAD + b"secret")
        return None

    api = api_with(route)
    with api.client() as client, pytest.raises(apimart.UnsafeURLError, match="redirect"):
        client.download(video_task(FILES + "/a.mp4"), tmp_path)
    assert [r.url.host for r in api.requests] == ["files.apimart-cdn.test"]


def test_private_results_pass_on_a_private_base_or_when_the_user_opts_in(tmp_path: Path) -> None:
    def route(request: httpx.Request) -> httpx.Response | None:
        return httpx.Response(200, content=MP4_HEAD + b"local")

    task = video_task("http://10.0.0.8/x.mp4")
    with api_with(route).client(base_url="http://127.0.0.1:8000") as client:
        (path,) = client.download(task, tmp_path / "a")
    assert path.read_bytes() == MP4_HEAD + b"local"
    with api_with(route).client(allow_private_results=True) as client:
        (path,) = client.download(task, tmp_path / "b")
    assert path.read_bytes() == MP4_HEAD + b"local"
    with api_with(route).client() as client, pytest.raises(apimart.UnsafeURLError) as caught:
        client.download(task, tmp_path / "c")
    assert "allow_private_results=True" in str(caught.value)


# -- what arrives -----------------------------------------------------------------------


def test_an_html_page_served_for_a_video_is_refused_and_nothing_is_saved(tmp_path: Path) -> None:
    api = FakeAPI(polls_to_finish=1)
    page = b"<!doctype html><html><body>Sign in</body></html>"
    api.file_routes["/task_000001/out-0.mp4"] = httpx.Response(
        200, content=page, headers={"Content-Type": "text/html"}
    )
    with api.client() as client:
        task = client.wan2_6(prompt="a kite").wait()
        with pytest.raises(apimart.UnexpectedResponseError) as caught:
            client.download(task, tmp_path)
    assert "not a video file (Content-Type text/html" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_an_image_where_a_video_was_made_is_refused(tmp_path: Path) -> None:
    api = FakeAPI(polls_to_finish=1)
    api.file_routes["/task_000001/out-0.mp4"] = httpx.Response(200, content=b"\x89PNG\r\n\x1a\n")
    with api.client() as client:
        task = client.wan2_6(prompt="a kite").wait()
        with pytest.raises(apimart.UnexpectedResponseError, match="not a video"):
            client.download(task, tmp_path)
    assert list(tmp_path.iterdir()) == []


def _endless_video() -> httpx.Response:
    def chunks() -> Iterator[bytes]:
        yield MP4_HEAD
        while True:
            yield b"\0" * 65536

    return httpx.Response(200, content=chunks())


def test_a_download_stops_at_max_bytes_and_leaves_nothing(tmp_path: Path) -> None:
    api = FakeAPI(polls_to_finish=1)
    api.file_routes["/task_000001/out-0.mp4"] = _endless_video()
    with api.client() as client:
        task = client.wan2_6(prompt="a kite").wait()
        with pytest.raises(apimart.ResponseTooLargeError, match="max_bytes=1000000"):
            client.download(task, tmp_path, max_bytes=1_000_000)
    assert list(tmp_path.iterdir()) == []


def test_a_declared_length_over_max_bytes_is_refused_before_reading(tmp_path: Path) -> None:
    api = FakeAPI(polls_to_finish=1)
    api.file_routes["/task_000001/out-0.mp4"] = httpx.Response(
        200, content=MP4_HEAD, headers={"Content-Length": "99999999999"}
    )
    with api.client() as client:
        task = client.wan2_6(prompt="a kite").wait()
        with pytest.raises(apimart.ResponseTooLargeError):
            client.download(task, tmp_path, max_bytes=1000)
    assert list(tmp_path.iterdir()) == []


def test_an_endless_api_answer_is_cut_at_the_cap() -> None:
    def route(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.startswith("/v1/tasks/"):
            return _endless_video()
        return None

    with api_with(route).client() as client, pytest.raises(apimart.ResponseTooLargeError) as caught:
        client.get("t1")
    assert "larger than 16777216 bytes" in str(caught.value)


def test_async_downloads_are_checked_the_same_way(tmp_path: Path) -> None:
    api = FakeAPI(polls_to_finish=1)
    api.file_routes["/task_000001/out-0.mp4"] = httpx.Response(200, text="<html>")

    async def run() -> None:
        async with api.async_client() as client:
            handle = await client.wan2_6(prompt="a kite")
            task = await handle.wait()
            with pytest.raises(apimart.UnexpectedResponseError, match="not a video"):
                await client.download(task, tmp_path)
            with pytest.raises(apimart.UnsafeURLError):
                await client.download(video_task("file:///etc/passwd"), tmp_path)

    asyncio.run(run())
    assert list(tmp_path.iterdir()) == []


# -- deadlines over real sockets --------------------------------------------------------


def test_the_default_transport_has_the_overall_deadline() -> None:
    client = apimart.Client(api_key=KEY, base_url=BASE, deadline=42)
    with client:
        transport = client._http._transport
        assert isinstance(transport, DeadlineTransport)
        assert transport.deadline == 42
    with pytest.raises(ValueError, match="deadline"):
        apimart.Client(api_key=KEY, base_url=BASE, deadline=float("nan"))


HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 4000\r\n\r\n"


def test_a_trickling_download_meets_the_deadline(
    tmp_path: Path,
    trickle: Callable[[bytes, float], str],  # noqa: F811
) -> None:
    url = trickle(HEADERS + MP4_HEAD + b"\0" * 3984, 0.01)  # each byte well within the timeout
    with (
        apimart.Client(api_key=KEY, base_url=url, deadline=0.5, max_retries=0) as client,
        pytest.raises(apimart.APITimeoutError),
    ):
        client.download(video_task(url + "video.mp4"), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_slow_headers_of_a_poll_meet_the_deadline(
    trickle: Callable[[bytes, float], str],  # noqa: F811
) -> None:
    url = trickle(HEADERS * 40, 0.01)
    with (
        apimart.Client(api_key=KEY, base_url=url, deadline=0.5, max_retries=0) as client,
        pytest.raises(apimart.APITimeoutError),
    ):
        client.get("t1")


# -- what is printed --------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 400, 500])
def test_a_server_echoing_the_key_and_escapes_gets_neither_printed(status: int) -> None:
    echoed = f"token {KEY} / {KEY}%0A Bearer{KEY}\x1b[2J\x00"

    def route(request: httpx.Request) -> httpx.Response | None:
        body: dict[str, Any] = {"code": 500, "message": echoed, "error": {"message": echoed}}
        return httpx.Response(status, json=body)

    with api_with(route).client(max_retries=0) as client, pytest.raises(apimart.APIMartError) as e:
        client.get("t1")
    text = str(e.value) + repr(e.value)
    assert KEY not in text
    assert "\x1b" not in text and "\x00" not in text
    assert "\\x1b[2J" in text


def test_a_failed_tasks_message_is_shown_without_the_key_or_escapes() -> None:
    said = f"quota for {KEY} exceeded\x1b]0;pwned\x07"

    def route(request: httpx.Request) -> httpx.Response | None:
        task = {"id": "t1", "status": "failed", "error": {"message": said}}
        return httpx.Response(200, json={"code": 200, "data": task})

    with api_with(route).client() as client, pytest.raises(apimart.TaskFailedError) as caught:
        client.wait("t1", poll_interval=1)
    assert KEY not in str(caught.value) and "\x1b" not in str(caught.value)
    assert str(caught.value).startswith("task t1 ended failed: quota for ")


def test_the_async_client_has_the_deadline_transport_too() -> None:
    from apimart._netpolicy import AsyncDeadlineTransport

    async def run() -> None:
        async with apimart.AsyncClient(api_key=KEY, base_url=BASE, deadline=7) as client:
            transport = client._http._transport
            assert isinstance(transport, AsyncDeadlineTransport)
            assert transport.deadline == 7

    asyncio.run(run())
