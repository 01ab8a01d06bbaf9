# Copied verbatim from generator/apimart_codegen/netpolicy.py by apimart generate. Do not edit.
"""How the project speaks HTTP to someone else: one place, shared by every caller.

The generated client (a verbatim copy, ``apimart/_netpolicy.py``), the contract harness,
``docs pull`` and the mock's webhooks all decide here:

* which origin gets the key: ``OriginBearer`` sends ``Authorization`` only to the base
  URL's own origin (scheme, host, port); httpx itself drops it on a cross-origin redirect;
* how a task id a server chose is put in a path: ``task_path`` (one quoted segment);
* which URLs a server may send us to: ``judge_url`` refuses other schemes, unparseable
  URLs and private, loopback or link-local addresses, unless the base URL is one itself;
* how long a request may take in all: ``DeadlineTransport`` gives every request an overall
  deadline (connect, headers and body together), not only a timeout per read, so a server
  that sends one byte a second is cut off; ``deadline()`` tightens it for a block;
* how much is read: ``read_capped`` stops at a byte cap (after decompression);
* what may be printed: ``redact`` masks secrets by value, ``printable`` escapes control
  characters, ``shown_url`` hides a URL's password.

It depends on httpx (and its httpcore) and the standard library alone.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import time
import unicodedata
from collections.abc import AsyncIterator, Generator, Iterable, Iterator
from typing import Any, Final
from urllib.parse import quote

import httpcore
import httpx

DEFAULT_DEADLINE: Final = 300.0
"""Seconds one request may take in all, unless the caller says otherwise."""
MAX_ANSWER_BYTES: Final = 16 * 1024 * 1024
"""The most bytes read of one API answer (JSON bodies are a few KB)."""

_END: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "apimart_deadline", default=None
)


class DeadlineExceeded(httpx.TimeoutException):
    """A request ran past its overall deadline (an httpx timeout, so callers' handling holds)."""


class AnswerTooLarge(httpx.HTTPError):
    """A server sent more than the caller's byte cap."""

    def __init__(self, url: str, limit: int) -> None:
        super().__init__(f"{shown_url(url)}: the answer is larger than {limit} bytes")
        self.limit = limit


# -- origins and the key ----------------------------------------------------------------


def origin(url: str | httpx.URL) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in."""
    parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    port = parsed.port or {"http": 80, "https": 443}.get(parsed.scheme)
    return (parsed.scheme, parsed.host.lower(), port)


def same_origin(a: str | httpx.URL, b: str | httpx.URL) -> bool:
    try:
        return origin(a) == origin(b)
    except (httpx.InvalidURL, ValueError, TypeError):
        return False


class OriginBearer(httpx.Auth):
    """``Authorization: Bearer <key>`` on requests to the base URL's origin, and no other."""

    def __init__(self, base_url: str | httpx.URL, api_key: str) -> None:
        self._origin = origin(base_url)
        self._value = f"Bearer {api_key}"

    def __repr__(self) -> str:
        return f"OriginBearer({self._origin!r}, key hidden)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if origin(request.url) == self._origin:
            request.headers["Authorization"] = self._value
        else:
            request.headers.pop("Authorization", None)
        yield request


# -- URLs a server hands out ------------------------------------------------------------


def task_path(task_id: str) -> str:
    """``/v1/tasks/{task_id}`` with the id (which a server chose) as one path segment: a
    ``/``, ``?`` or ``#`` in it is quoted, and ``.``/``..`` (which a URL parser would resolve
    away) are spelled ``%2E``, so ``../../admin`` stays a task id and never becomes a path."""
    if not isinstance(task_id, str) or not task_id:
        raise ValueError(f"a task id must be a non-empty string, got {task_id!r}")
    segment = quote(task_id, safe="")
    if segment in (".", ".."):
        segment = segment.replace(".", "%2E")
    return "/v1/tasks/" + segment


def private_host(host: str) -> bool:
    """True for localhost and IP literals that are not public (loopback, private,
    link-local such as 169.254.169.254, multicast, reserved, unspecified)."""
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def judge_url(
    url: object, *, base_url: str | None = None, allow_private: bool = False
) -> str | None:
    """Why ``url`` (from a server or a page) must not be fetched, or None when it may be.

    Only absolute http(s) URLs with a host, parsed by httpx (the parser that would fetch
    them). A private or link-local host is refused unless ``allow_private`` or the base URL
    is itself on such a host (the mock on loopback hands out loopback URLs).
    """
    if not isinstance(url, str) or not url:
        return "not a URL"
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        return "the URL holds a space or a control character"
    try:
        parsed = httpx.URL(url)
        host = parsed.host  # decodes an IDNA host: a malformed one raises here
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        return f"not a valid URL ({exc})"
    if parsed.scheme not in ("http", "https"):
        return f"the scheme {parsed.scheme or '(none)'!r} is not http or https"
    if not host:
        return "the URL has no host"
    if private_host(host) and not allow_private:
        base_private = False
        if base_url is not None:
            with contextlib.suppress(httpx.InvalidURL, ValueError, TypeError):
                base_private = private_host(httpx.URL(base_url).host)
        if not base_private:
            return f"the host {host} is a private, loopback or link-local address"
    return None


# -- what may be printed ----------------------------------------------------------------


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (and its percent-encoded form) replaced by ``***``."""
    for secret in secrets:
        if len(secret) < 4:  # too short to mask without masking ordinary text
            continue
        for form in {secret, quote(secret, safe="")}:
            text = text.replace(form, "***")
    return text


_HIDDEN: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Unicode categories escaped by ``printable``: controls, format characters (bidi
overrides), surrogates, private use, unassigned, line and paragraph separators."""


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with control characters (NUL, ESC, DEL, C1, bidi overrides, lone
    surrogates...) escaped as ``\\xNN`` / ``\\uNNNN``, so that neither a terminal nor an
    XML file sees them raw; newlines and tabs stay unless ``keep_newlines`` is false."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if (ch in "\n\t" and keep_newlines) or unicodedata.category(ch) not in _HIDDEN:
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


def shown_url(url: str | httpx.URL) -> str:
    """A URL as it may be printed: a password in it is replaced by ``***``."""
    text = str(url)
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, ValueError, TypeError):
        return text
    if parsed.password:
        return str(parsed.copy_with(username=parsed.username, password="***"))
    return text


# -- the overall deadline ---------------------------------------------------------------


def _remaining(timeout: float | None) -> float | None:
    """The timeout for one network operation: the caller's, shortened to the deadline."""
    end = _END.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the request's overall deadline passed")
    return left if timeout is None else min(timeout, left)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every request made in this block (this thread or task) ends within ``seconds``."""
    end = time.monotonic() + seconds
    outer = _END.get()
    token = _END.set(end if outer is None else min(end, outer))
    try:
        yield
    finally:
        _END.reset(token)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _remaining(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _Stream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _remaining(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> _Stream:
        stream = self._inner.connect_tcp(
            host, port, _remaining(timeout), local_address, socket_options
        )
        return _Stream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> _Stream:
        return _Stream(self._inner.connect_unix_socket(path, _remaining(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _remaining(timeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _remaining(timeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _AsyncStream:
        inner = await self._inner.start_tls(ssl_context, server_hostname, _remaining(timeout))
        return _AsyncStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> _AsyncStream:
        stream = await self._inner.connect_tcp(
            host, port, _remaining(timeout), local_address, socket_options
        )
        return _AsyncStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> _AsyncStream:
        return _AsyncStream(
            await self._inner.connect_unix_socket(path, _remaining(timeout), socket_options)
        )

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _BoundedBody(httpx.SyncByteStream):
    """A response body whose every read runs under the request's deadline."""

    def __init__(self, inner: httpx.SyncByteStream, end: float, request: httpx.Request) -> None:
        self._inner = inner
        self._end = end
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._inner)
        while True:
            token = _END.set(self._end)
            try:
                chunk = next(chunks, None)
            except httpx.TimeoutException as exc:
                raise _timed_out(exc, self._end, self._request) from None
            finally:
                _END.reset(token)
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        self._inner.close()


class _AsyncBoundedBody(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, end: float, request: httpx.Request) -> None:
        self._inner = inner
        self._end = end
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._inner.__aiter__()
        while True:
            token = _END.set(self._end)
            try:
                chunk = await anext(chunks, None)
            except httpx.TimeoutException as exc:
                raise _timed_out(exc, self._end, self._request) from None
            finally:
                _END.reset(token)
            if chunk is None:
                return
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


def _request_end(seconds: float) -> float:
    end = time.monotonic() + seconds
    outer = _END.get()
    return end if outer is None else min(end, outer)


def _timed_out(
    exc: httpx.TimeoutException, end: float, request: httpx.Request
) -> httpx.TimeoutException:
    if time.monotonic() >= end:
        return DeadlineExceeded("the request's overall deadline passed", request=request)
    return exc


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport, with an overall deadline on every request (``deadline`` s by
    default, shorter inside ``with deadline(...)``): connect, send, headers and body."""

    def __init__(self, *, deadline: float = DEFAULT_DEADLINE, **options: Any) -> None:
        super().__init__(**options)
        self._pool._network_backend = _Backend(self._pool._network_backend)
        self.deadline = deadline

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        end = _request_end(self.deadline)
        token = _END.set(end)
        try:
            response = super().handle_request(request)
        except httpx.TimeoutException as exc:
            raise _timed_out(exc, end, request) from None
        finally:
            _END.reset(token)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _BoundedBody(response.stream, end, request)
        return response


class AsyncDeadlineTransport(httpx.AsyncHTTPTransport):
    """The async twin of ``DeadlineTransport``."""

    def __init__(self, *, deadline: float = DEFAULT_DEADLINE, **options: Any) -> None:
        super().__init__(**options)
        self._pool._network_backend = _AsyncBackend(self._pool._network_backend)
        self.deadline = deadline

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        end = _request_end(self.deadline)
        token = _END.set(end)
        try:
            response = await super().handle_async_request(request)
        except httpx.TimeoutException as exc:
            raise _timed_out(exc, end, request) from None
        finally:
            _END.reset(token)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _AsyncBoundedBody(response.stream, end, request)
        return response


# -- bounded reads ----------------------------------------------------------------------


def read_capped(response: httpx.Response, *, max_bytes: int = MAX_ANSWER_BYTES) -> bytes:
    """The body of a streamed response, refused past ``max_bytes`` (counted decoded, so a
    gzip bomb stops at the cap too). The response is closed either way."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise AnswerTooLarge(str(response.request.url), max_bytes)
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise AnswerTooLarge(str(response.request.url), max_bytes)
            chunks.append(chunk)
    finally:
        response.close()
    return b"".join(chunks)


async def aread_capped(response: httpx.Response, *, max_bytes: int = MAX_ANSWER_BYTES) -> bytes:
    """The async twin of ``read_capped``."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        await response.aclose()
        raise AnswerTooLarge(str(response.request.url), max_bytes)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise AnswerTooLarge(str(response.request.url), max_bytes)
            chunks.append(chunk)
    finally:
        await response.aclose()
    return b"".join(chunks)
