"""Fixtures shared across test modules."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import settings

# CI runs every property test on a fixed sequence of examples: a red CI is then a real
# regression, replayable as is. Locally each run draws new examples, to find new bugs.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (AsyncClient waits with asyncio.sleep)."""
    return "asyncio"


@dataclass
class Receiver:
    """A tiny HTTP server that records every POST and answers from a script of statuses."""

    url: str
    statuses: list[int] = field(default_factory=list)
    received: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)

    def next_status(self) -> int:
        return self.statuses.pop(0) if self.statuses else 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            hook = state["receiver"]
            headers = {name.lower(): value for name, value in self.headers.items()}
            hook.received.append((self.path, json.loads(body), headers))
            self.send_response(hook.next_status())
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    server.shutdown()
    server.server_close()
