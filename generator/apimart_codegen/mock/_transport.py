"""The mock in process: an httpx transport for both httpx.Client and httpx.AsyncClient.

Requests never touch a socket: each one goes straight to the same :class:`MockCore` the
ASGI app serves. A dropped connection raises :class:`httpx.RemoteProtocolError`, as httpx
does when a real server closes the connection without answering.
"""

from __future__ import annotations

import time

import anyio
import httpx

from apimart_codegen.mock._core import MockCore
from apimart_codegen.mock._faults import Injection
from apimart_codegen.mock._http import MockRequest, Reply


class InProcessTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Hands httpx requests to a MockCore; ``slow`` sleeps for real only on a SystemClock."""

    def __init__(self, core: MockCore) -> None:
        self.core = core

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        mock_request = _mock_request(request, request.read())
        injection = self.core.admit(mock_request)
        _drop_if(injection.drop_before, request)
        if injection.delay:
            time.sleep(self.core.clock.wait(injection.delay))
        return self._finish(request, mock_request, injection)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        mock_request = _mock_request(request, await request.aread())
        injection = self.core.admit(mock_request)
        _drop_if(injection.drop_before, request)
        if injection.delay:
            await anyio.sleep(self.core.clock.wait(injection.delay))
        return self._finish(request, mock_request, injection)

    def _finish(
        self, request: httpx.Request, mock_request: MockRequest, injection: Injection
    ) -> httpx.Response:
        reply = self.core.respond(mock_request, injection)
        _drop_if(injection.drop_after, request)
        return _response(reply, request)


def _mock_request(request: httpx.Request, body: bytes) -> MockRequest:
    url = request.url
    return MockRequest(
        method=request.method,
        path=url.path,
        base_url=f"{url.scheme}://{url.netloc.decode('ascii')}",
        headers={name.lower(): value for name, value in request.headers.items()},
        query=tuple(url.params.multi_items()),
        body=body,
    )


def _response(reply: Reply, request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        reply.status, headers=list(reply.headers), content=reply.body, request=request
    )


def _drop_if(drop: bool, request: httpx.Request) -> None:
    if drop:
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
