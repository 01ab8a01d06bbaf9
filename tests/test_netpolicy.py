"""The one HTTP policy (apimart_codegen.netpolicy): the key's origin, URLs a server hands
out, what may be printed, the overall deadline and byte caps, against real sockets."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from apimart_codegen import netpolicy
from apimart_codegen.netpolicy import (
    AnswerTooLarge,
    AsyncDeadlineTransport,
    DeadlineExceeded,
    DeadlineTransport,
    OriginBearer,
    judge_url,
    printable,
    read_capped,
    redact,
    shown_url,
)

KEY = "sk-test-0123456789"


def _recording() -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/hop":
            return httpx.Response(302, headers={"Location": "http://cdn.example:9000/file"})
        return httpx.Response(200, text="ok")

    return seen, httpx.MockTransport(answer)


def test_the_key_goes_to_the_base_origin_only() -> None:
    seen, transport = _recording()
    auth = OriginBearer("https://api.example", KEY)
    with httpx.Client(transport=transport, auth=auth) as client:
        client.get("https://api.example/v1/tasks/x")
        client.get("https://api.example:443/v1/tasks/y")  # the default port is the same origin
        client.get("https://api.example:8443/v1/tasks/z")  # another port
        client.get("http://api.example/v1/tasks/z")  # another scheme
        client.get("https://cdn.example/result.mp4")  # another host
        client.get("http://169.254.169.254/latest/meta-data")
    sent = [request.headers.get("authorization") for request in seen]
    assert sent == [f"Bearer {KEY}", f"Bearer {KEY}", None, None, None, None]
    assert KEY not in repr(auth)


def test_a_redirect_to_another_origin_drops_the_key() -> None:
    seen, transport = _recording()
    auth = OriginBearer("https://api.example", KEY)
    with httpx.Client(transport=transport, auth=auth, follow_redirects=True) as client:
        client.get("https://api.example/hop")
    assert [str(r.url) for r in seen] == ["https://api.example/hop", "http://cdn.example:9000/file"]
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert "authorization" not in seen[1].headers


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://cdn.example/a.mp4", None),
        ("http://cdn.example:8080/a.png", None),
        ("file:///etc/passwd", "scheme 'file'"),
        ("ftp://cdn.example/a", "scheme 'ftp'"),
        ("http://169.254.169.254/latest", "private, loopback or link-local"),
        ("http://10.0.0.7/a", "private, loopback or link-local"),
        ("http://127.0.0.1:9/a", "private, loopback or link-local"),
        ("http://[::1]/a", "private, loopback or link-local"),
        ("http://[::ffff:169.254.169.254]/a", "private, loopback or link-local"),
        ("http://localhost/a", "private, loopback or link-local"),
        ("http://[::1/x", "not a valid URL"),
        ("http://cdn.example/a\x00b", "control character"),
        ("http://cdn.example/a b", "control character"),
        ("/relative/path", "scheme"),
        (12, "not a URL"),
    ],
)
def test_urls_a_server_hands_out_are_judged(url: object, refused: str | None) -> None:
    verdict = judge_url(url, base_url="https://api.example")
    if refused is None:
        assert verdict is None
    else:
        assert verdict is not None and refused in verdict, verdict


def test_private_result_urls_pass_when_the_base_url_is_private_or_the_user_opts_in() -> None:
    assert judge_url("http://127.0.0.1:8000/files/a.png", base_url="http://127.0.0.1:8000") is None
    assert judge_url("http://10.1.2.3/a.png", base_url="http://localhost:8000") is None
    assert (
        judge_url("http://10.1.2.3/a.png", base_url="https://api.example", allow_private=True)
        is None
    )
    # never another scheme, whatever the base
    assert judge_url("file:///x", base_url="http://127.0.0.1:8000") is not None


def test_redact_masks_secrets_by_value_and_encoded() -> None:
    text = f'{{"echo": "Bearer {KEY}", "url": "/x?k={KEY.replace("-", "%2D")}"}} sk-test'
    masked = redact(text, [KEY, "ab"])
    assert KEY not in masked
    assert masked.count("***") == 1  # the percent-encoded form is a different text...
    masked = redact(f"k={httpx.URL('/', params={'k': KEY + '/'}).query.decode()}", [KEY + "/"])
    assert KEY not in masked
    assert "sk-test" in redact("sk-test", [KEY])  # a prefix alone is not the secret


def test_printable_escapes_controls_and_keeps_text() -> None:
    assert printable("plain, café, 日本語 ✓") == "plain, café, 日本語 ✓"
    assert printable("a\x00b\x1b[31mc\x7f\u202e\ud800") == "a\\x00b\\x1b[31mc\\x7f\\u202e\\ud800"
    assert printable("line\nnext\ttab") == "line\nnext\ttab"
    assert printable("line\nnext", keep_newlines=False) == "line\\x0anext"


def test_shown_url_hides_the_password() -> None:
    assert shown_url("https://user:hunter2@docs.example/p") == "https://user:***@docs.example/p"
    assert shown_url("https://docs.example/p") == "https://docs.example/p"


# -- real sockets -------------------------------------------------------------------------


@pytest.fixture
def trickle() -> Iterator[Callable[[bytes, float], str]]:
    """A loopback server that sends ``data`` one byte per ``pause`` seconds, then closes."""
    servers: list[socket.socket] = []
    stop = threading.Event()

    def start(data: bytes, pause: float) -> str:
        server = socket.create_server(("127.0.0.1", 0))
        servers.append(server)

        def serve() -> None:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                for byte in data:
                    if stop.wait(pause):
                        return
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:
                        return

        threading.Thread(target=serve, daemon=True).start()
        return f"http://127.0.0.1:{server.getsockname()[1]}/"

    yield start
    stop.set()
    for server in servers:
        server.close()


HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 400\r\n\r\n"


def test_slow_headers_meet_the_overall_deadline(trickle: Callable[[bytes, float], str]) -> None:
    # each byte arrives well within the 5 s read timeout, so only the deadline can stop it
    url = trickle(HEADERS * 50, 0.05)
    transport = DeadlineTransport(deadline=0.5)
    with httpx.Client(transport=transport, timeout=5.0) as client, pytest.raises(DeadlineExceeded):
        client.get(url)


def test_a_slow_body_meets_the_overall_deadline(trickle: Callable[[bytes, float], str]) -> None:
    url = trickle(HEADERS + b"x" * 400, 0.001)  # headers fast, then...
    transport = DeadlineTransport(deadline=0.3)
    started = time.monotonic()
    with httpx.Client(transport=transport, timeout=5.0) as client, pytest.raises(DeadlineExceeded):
        client.get(url)
    assert time.monotonic() - started < 5.0  # not the read timeout: the deadline


def test_a_block_deadline_tightens_the_transports(trickle: Callable[[bytes, float], str]) -> None:
    url = trickle(HEADERS * 50, 0.05)
    client = httpx.Client(transport=DeadlineTransport(deadline=60), timeout=5.0)
    with client, netpolicy.deadline(0.3), pytest.raises(DeadlineExceeded):
        client.get(url)


def test_the_async_transport_has_the_deadline_too(trickle: Callable[[bytes, float], str]) -> None:
    import asyncio

    url = trickle(HEADERS * 50, 0.05)

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=AsyncDeadlineTransport(deadline=0.3)) as client:
            await client.get(url)

    with pytest.raises(DeadlineExceeded):
        asyncio.run(fetch())


def test_a_fast_answer_is_untouched(trickle: Callable[[bytes, float], str]) -> None:
    url = trickle(HEADERS + b"y" * 400, 0.0)
    with httpx.Client(transport=DeadlineTransport(deadline=10)) as client:
        assert client.get(url).text == "y" * 400


def _endless(request: httpx.Request) -> httpx.Response:
    def chunks() -> Iterator[bytes]:
        while True:
            yield b"z" * 65536

    return httpx.Response(200, content=chunks())


def test_read_capped_stops_an_endless_answer() -> None:
    client = httpx.Client(transport=httpx.MockTransport(_endless))
    too_large = pytest.raises(AnswerTooLarge, match="larger than 1000000 bytes")
    with client, client.stream("GET", "http://s.example/") as response, too_large:
        read_capped(response, max_bytes=1_000_000)


def test_read_capped_counts_decoded_bytes_and_declared_length() -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/bomb":
            return httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"})
        return httpx.Response(200, content=b"ok", headers={"Content-Length": "999999999"})

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        with client.stream("GET", "http://s.example/bomb") as response:
            assert len(bomb) < 100_000
            with pytest.raises(AnswerTooLarge):
                read_capped(response, max_bytes=1_000_000)
        with (
            client.stream("GET", "http://s.example/liar") as response,
            pytest.raises(AnswerTooLarge),
        ):
            read_capped(response, max_bytes=1_000_000)
        with client.stream("GET", "http://s.example/bomb") as response:
            assert read_capped(response, max_bytes=6_000_000) == b"\0" * 5_000_000


@pytest.mark.parametrize(
    ("task_id", "path"),
    [
        ("task_01ABC", "/v1/tasks/task_01ABC"),
        ("../../admin/x", "/v1/tasks/..%2F..%2Fadmin%2Fx"),
        ("t?x=1#f", "/v1/tasks/t%3Fx%3D1%23f"),
        ("..", "/v1/tasks/%2E%2E"),
        (".", "/v1/tasks/%2E"),
    ],
)
def test_a_task_id_is_one_path_segment(task_id: str, path: str) -> None:
    assert netpolicy.task_path(task_id) == path
    # and the URL parser that sends it keeps it there (no dot segment resolved away)
    url = httpx.Client(base_url="http://h/api").build_request("GET", path).url
    assert url.raw_path.decode() == "/api" + path


def test_an_empty_task_id_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty string"):
        netpolicy.task_path("")


def test_the_generated_client_quotes_task_ids_the_same_way() -> None:
    from apimart import _client, _netpolicy

    assert _client.task_path is _netpolicy.task_path
    assert _client.task_path("..") == "/v1/tasks/%2E%2E"
