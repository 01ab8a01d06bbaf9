"""Serving a MockAPI over real HTTP with uvicorn: in a background thread, or in the foreground."""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType
from typing import Final

import uvicorn

from apimart_codegen.mock._api import MockAPI
from apimart_codegen.mock._asgi import http_protocol

LOOPBACK: Final = "127.0.0.1"
START_TIMEOUT: Final = 10.0
"""Seconds a background server may take to start listening."""


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free one); raises OSError."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP (not 0): asyncio turns Nagle off only on sockets that say they are TCP,
    # and without that every answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    """``http://host:port`` of a bound socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def build_server(api: MockAPI, *, access_log: bool = False) -> uvicorn.Server:
    """A uvicorn server for ``api.app`` that can drop connections (see ``_asgi``)."""
    config = uvicorn.Config(
        api.app,
        http=http_protocol(),
        interface="asgi3",
        lifespan="on",
        log_config=None,
        log_level=logging.INFO if access_log else logging.WARNING,
        access_log=access_log,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


class MockServer:
    """A MockAPI served by uvicorn on a background thread, as a context manager.

    ``with MockServer(MockAPI(speed=100)) as server: httpx.get(server.base_url + ...)``;
    the default listens on a free port of 127.0.0.1.
    """

    def __init__(self, api: MockAPI | None = None, *, host: str = LOOPBACK, port: int = 0) -> None:
        self.api = api if api is not None else MockAPI()
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` while the server runs."""
        if self._base_url is None:
            raise RuntimeError("the mock server is not running")
        return self._base_url

    def start(self) -> MockServer:
        """Bind, start uvicorn on a daemon thread and wait until it listens; raises OSError."""
        if self._thread is not None:
            raise RuntimeError("the mock server is already running")
        sock = bind(self.host, self.port)
        server = build_server(self.api)
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            name=f"apimart-mock {url_of(sock)}",
            daemon=True,
        )
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise RuntimeError("the mock server did not start")
            time.sleep(0.005)
        self._server, self._thread, self._base_url = server, thread, url_of(sock)
        return self

    def stop(self) -> None:
        """Shut uvicorn down and wait for its thread (idempotent)."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=START_TIMEOUT)
        self._server = self._thread = self._base_url = None

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
