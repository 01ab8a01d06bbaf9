"""A small HTTP/1.1 load generator, for machines without wrk.

Keep-alive connections, each sending its next request as soon as the previous answer is
complete (no pipelining), for a fixed time; the result is answers per second. Requests are
raw bytes, built once, and cycled through. Answers are read by their ``Content-Length``
(every server measured here sends one). Only loopback addresses are accepted.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True, slots=True)
class LoadResult:
    """How many answers came back in ``seconds``, and how many were not 2xx."""

    answers: int
    not_ok: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.answers / self.seconds if self.seconds else 0.0


def request_bytes(
    method: str, path: str, *, host: str, headers: Sequence[tuple[str, str]] = (), body: bytes = b""
) -> bytes:
    """One HTTP/1.1 request on a keep-alive connection, ready to write."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Connection(asyncio.Protocol):
    def __init__(self, requests: Sequence[bytes], start: int, deadline: float) -> None:
        self.requests = itertools.cycle(requests)
        for _ in range(start % len(requests)):
            next(self.requests)
        self.deadline = deadline
        self.buffer = bytearray()
        self.answers = 0
        self.not_ok = 0
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(next(self.requests))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            start = head.find(b"content-length:")
            if start < 0:
                self._fail(ConnectionError("an answer without Content-Length"))
                return
            stop = head.find(b"\r\n", start)
            length = int(head[start + 15 : stop if stop >= 0 else len(head)])
            if len(self.buffer) < end + 4 + length:
                return
            status = int(head[9:12])
            del self.buffer[: end + 4 + length]
            self.answers += 1
            self.not_ok += not 200 <= status < 300
            assert self.transport is not None
            if time.monotonic() >= self.deadline:
                self.transport.close()
                return
            self.transport.write(next(self.requests))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)

    def _fail(self, exc: Exception) -> None:
        if not self.done.done():
            self.done.set_exception(exc)
        assert self.transport is not None
        self.transport.close()


async def _run(
    host: str, port: int, requests: Sequence[bytes], connections: int, seconds: float
) -> LoadResult:
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    deadline = started + seconds
    made = [
        await loop.create_connection(lambda n=n: _Connection(requests, n, deadline), host, port)
        for n in range(connections)
    ]
    protocols = [protocol for _, protocol in made]
    await asyncio.gather(*(protocol.done for protocol in protocols))
    elapsed = time.monotonic() - started
    return LoadResult(
        answers=sum(p.answers for p in protocols),
        not_ok=sum(p.not_ok for p in protocols),
        seconds=elapsed,
    )


def run_load(
    host: str,
    port: int,
    requests: Sequence[bytes],
    *,
    connections: int = 8,
    seconds: float = 5.0,
) -> LoadResult:
    """Send ``requests`` (cycled) over ``connections`` keep-alive connections for ``seconds``."""
    if host not in _LOOPBACK:
        raise ValueError(f"the load generator only targets loopback, not {host!r}")
    if not requests:
        raise ValueError("no requests to send")
    return asyncio.run(_run(host, port, requests, connections, seconds))
