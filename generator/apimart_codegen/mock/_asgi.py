"""The mock as an ASGI application, and the uvicorn protocols that let it drop connections.

ASGI has no way for an application to close a connection without answering: an app that
raises or returns early gets a 500 from the server. :func:`http_protocol` gives uvicorn's
HTTP/1.1 protocol (its httptools one, or its h11 one when httptools cannot be imported)
that puts the connection's ``abort`` into each request's scope under
``extensions["apimart.abort"]``; the app calls it for the ``drop`` faults and waits for the
server to see the connection gone, so no answer at all is sent.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final, cast
from urllib.parse import parse_qsl

import anyio
import anyio.to_thread
import httpx
from uvicorn.protocols.http.h11_impl import H11Protocol

from apimart_codegen.mock._core import BODY_LIMIT, MockCore
from apimart_codegen.mock._http import MockRequest, Reply
from apimart_codegen.mock._webhooks import delivery_client

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ABORT_EXTENSION: Final = "apimart.abort"
INLINE_BODY_LIMIT: Final = 64 * 1024
"""Requests with larger bodies are answered in a worker thread, so the event loop (and every
other connection) never waits for one body to be parsed and judged."""
DRAIN_LIMIT: Final = 16 * BODY_LIMIT
"""Past this many bytes the app stops reading an oversized body and answers 413 at once."""


class ConnectionDropped(Exception):
    """Raised to drop a connection under a server without the abort extension (it answers 500)."""


class MockASGIApp:
    """Serves a MockCore over ASGI; its lifespan runs the webhook delivery loop."""

    def __init__(
        self, core: MockCore, *, webhook_transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.core = core
        self.webhook_transport = webhook_transport

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = await _read_request(scope, receive)
        if request is None:  # the client went away before sending its body
            return
        injection = self.core.admit(request)
        if injection.drop_before:
            await _drop(scope, receive)
            return
        if injection.delay:
            await anyio.sleep(self.core.clock.wait(injection.delay))
        if len(request.body) > INLINE_BODY_LIMIT:  # judging it may take a while: not here
            reply = await anyio.to_thread.run_sync(self.core.respond, request, injection)
        else:
            reply = self.core.respond(request, injection)
        if injection.drop_after:
            await _drop(scope, receive)
            return
        await _send_reply(send, reply)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        client = delivery_client(self.webhook_transport)
        async with client, anyio.create_task_group() as group:
            await receive()  # lifespan.startup
            group.start_soon(self.core.outbox.run, client)
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
            group.cancel_scope.cancel()
        await send({"type": "lifespan.shutdown.complete"})


async def _read_request(scope: Scope, receive: Receive) -> MockRequest | None:
    message = await receive()
    if message["type"] == "http.disconnect":
        return None
    body = message.get("body", b"")
    if message.get("more_body", False):  # a body in several pieces: gather them
        body = await _rest_of_body(bytearray(body), receive)
        if body is None:
            return None
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    host = headers.get("host") or _host_of(scope.get("server"))
    query_string = scope.get("query_string", b"")
    return MockRequest(
        method=scope["method"],
        path=scope["path"],
        base_url=f"{scope.get('scheme', 'http')}://{host}",
        headers=headers,
        query=tuple(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
        if query_string
        else (),
        body=body if len(body) <= BODY_LIMIT else bytes(body[: BODY_LIMIT + 1]),
        truncated=len(body) > BODY_LIMIT,
    )


async def _rest_of_body(body: bytearray, receive: Receive) -> bytearray | None:
    """The whole body, of which ``body`` came first; past BODY_LIMIT bytes only counted."""
    seen = len(body)
    while seen <= DRAIN_LIMIT:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        seen += len(chunk)
        if len(body) <= BODY_LIMIT:
            body += chunk
        if not message.get("more_body", False):
            break
    return body


def _host_of(server: tuple[str, int | None] | None) -> str:
    if server is None:
        return "localhost"
    host, port = server
    host = f"[{host}]" if ":" in host else host
    return host if port is None else f"{host}:{port}"


async def _send_reply(send: Send, reply: Reply) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in reply.headers]
    headers.append((b"content-length", b"%d" % len(reply.body)))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body, "more_body": False})


async def _drop(scope: Scope, receive: Receive) -> None:
    """Close the connection without an answer, then wait until the server has seen it go."""
    abort = scope.get("extensions", {}).get(ABORT_EXTENSION, {}).get("abort")
    if abort is None:
        raise ConnectionDropped("this server cannot drop a connection; it answers instead")
    abort()
    with anyio.move_on_after(5):
        while (await receive())["type"] != "http.disconnect":
            pass


def _with_abort(app: ASGIApp, transport: asyncio.Transport) -> ASGIApp:
    """``app``, seeing the connection's abort in each scope (uvicorn makes a scope per request)."""
    abort = {ABORT_EXTENSION: {"abort": transport.abort}}

    async def app_with_abort(scope: Scope, receive: Receive, send: Send) -> None:
        extensions = scope.get("extensions")
        scope["extensions"] = abort if not extensions else {**extensions, **abort}
        await app(scope, receive, send)

    return app_with_abort


class AbortableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, giving apps the connection's abort (see module docstring)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.app = cast(Any, _with_abort(cast(ASGIApp, self.app), transport))


@functools.cache
def http_protocol() -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol (C parser) made abortable, or the h11 one without httptools."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is a dependency, but a bare install may lack its wheel
        return AbortableH11Protocol

    class AbortableHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, giving apps the connection's abort."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.app = cast(Any, _with_abort(cast(ASGIApp, self.app), transport))

    return AbortableHttpToolsProtocol
