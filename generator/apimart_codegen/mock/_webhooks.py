"""Webhook deliveries: when a task ends, POST the bare task object to ``<webhook>/callback``.

A delivery is scheduled when the task is created, due when the task reaches its terminal
state (known from the start, see ``_lifecycle``). Only the receiver's status is read, never
its body, so no receiver can make the mock hold a large answer. An attempt that gets no 2xx
answer (an error status, a refused connection, a timeout) is retried after 10 s, 30 s and
60 s of mock time divided by the speed; after the fourth attempt the delivery is given up.
Receivers may get duplicates and should dedupe by task id, as with the vendor.

Deliveries follow ``netpolicy``: each attempt has an overall deadline of DELIVERY_TIMEOUT
seconds (connect, send, the answer's headers), no redirect is followed, no key is sent.
A callback URL that ``netpolicy.judge_url`` refuses (one that does not parse, holds a
control character or is not http(s); loopback and private hosts are fine for a mock) is
logged as a failed attempt without being tried again, and any one delivery's failure
stays its own: the loop goes on delivering the others.

The server runs :meth:`WebhookOutbox.run` in the background; in-process users call
:meth:`WebhookOutbox.deliver_due` after moving a virtual clock.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import anyio
import httpx

from apimart_codegen.mock._clock import Clock
from apimart_codegen.netpolicy import (
    AsyncDeadlineTransport,
    DeadlineTransport,
    judge_url,
    printable,
)

RETRY_DELAYS: Final = (10.0, 30.0, 60.0)
"""Mock seconds (at speed 1) between a failed attempt and the next one."""
DELIVERY_TIMEOUT: Final = 10.0
"""Real seconds a receiver has to answer one attempt."""
POLL_INTERVAL: Final = 0.05
"""Real seconds between two looks at the outbox in the server's delivery loop."""
USER_AGENT: Final = "apimart-mock"


def callback_url(webhook: str) -> str:
    """``https://example.test/hooks?t=1`` → ``https://example.test/hooks/callback?t=1``.

    ``/callback`` joins the URL's path; its query stays a query (and a fragment, never sent,
    is dropped). A URL the standard library cannot split (``http://[``, a broken IPv6
    host) still gets its ``/callback``: delivering to it fails like any unreachable receiver.
    """
    try:
        parts = urlsplit(webhook)
    except ValueError:
        return webhook.split("#", 1)[0].rstrip("/") + "/callback"
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/callback", fragment=""))


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt to make: the task, where to POST (callback URL), which try, and when."""

    task_id: str
    url: str
    attempt: int
    due_at: float


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """What happened when a delivery was tried: the receiver's status, or the error."""

    task_id: str
    url: str
    attempt: int
    at: float
    status: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookOutbox:
    """The deliveries still to make, and a log of every attempt made."""

    def __init__(
        self,
        *,
        clock: Clock,
        speed: float,
        payload_of: Callable[[str], Mapping[str, object]],
    ) -> None:
        self.clock = clock
        self.speed = speed
        self.payload_of = payload_of
        self._queue: list[tuple[float, int, Delivery]] = []
        self._sequence = 0
        self._in_flight = 0
        self._attempts: list[DeliveryAttempt] = []
        self._lock = threading.Lock()

    # -- bookkeeping ---------------------------------------------------------------------

    def schedule(self, *, task_id: str, webhook: str, due_at: float) -> None:
        """Queue the first attempt of a task's delivery."""
        self._push(Delivery(task_id, callback_url(webhook), 1, due_at))

    def take_due(self) -> list[Delivery]:
        """Remove and return every delivery due now, earliest first."""
        now = self.clock.now()
        due = []
        with self._lock:
            while self._queue and self._queue[0][0] <= now:
                due.append(heapq.heappop(self._queue)[2])
            self._in_flight += len(due)
        return due

    def settle(self, delivery: Delivery, attempt: DeliveryAttempt, *, final: bool = False) -> None:
        """Log an attempt; queue the next one when it failed, tries remain and another try
        could succeed (not ``final``)."""
        retry = not final and not attempt.delivered and delivery.attempt <= len(RETRY_DELAYS)
        with self._lock:
            self._attempts.append(attempt)
            self._in_flight -= 1
        if retry:
            delay = RETRY_DELAYS[delivery.attempt - 1] / self.speed
            self._push(
                Delivery(delivery.task_id, delivery.url, delivery.attempt + 1, attempt.at + delay)
            )

    @property
    def attempts(self) -> tuple[DeliveryAttempt, ...]:
        with self._lock:
            return tuple(self._attempts)

    @property
    def pending(self) -> int:
        """Deliveries queued or being tried."""
        with self._lock:
            return len(self._queue) + self._in_flight

    def next_due(self) -> float | None:
        with self._lock:
            return self._queue[0][0] if self._queue else None

    def _push(self, delivery: Delivery) -> None:
        with self._lock:
            self._sequence += 1
            heapq.heappush(self._queue, (delivery.due_at, self._sequence, delivery))

    # -- delivering ------------------------------------------------------------------------

    def deliver_due(self, client: httpx.Client) -> list[DeliveryAttempt]:
        """Try every due delivery now, one after the other; return what happened."""
        made = []
        for delivery in self.take_due():
            refused = _refused(delivery)
            if refused is not None:
                attempt = self._attempt(delivery, error=refused)
                self.settle(delivery, attempt, final=True)
                made.append(attempt)
                continue
            try:
                with client.stream(
                    "POST",
                    delivery.url,
                    json=self.payload_of(delivery.task_id),
                    headers=_headers(delivery),
                    timeout=DELIVERY_TIMEOUT,
                ) as response:  # the status is the answer: the body is never read
                    attempt = self._attempt(delivery, status=response.status_code)
            except Exception as exc:  # one delivery's failure stays its own
                attempt = self._attempt(delivery, error=_describe(exc))
            self.settle(delivery, attempt)
            made.append(attempt)
        return made

    async def deliver_due_async(self, client: httpx.AsyncClient) -> list[DeliveryAttempt]:
        """Try every due delivery now, concurrently; return what happened."""
        made: list[DeliveryAttempt] = []
        async with anyio.create_task_group() as group:
            for delivery in self.take_due():
                group.start_soon(self._deliver_async, client, delivery, made)
        return made

    async def run(self, client: httpx.AsyncClient) -> None:
        """Deliver whatever falls due, for ever (the server cancels it on shutdown)."""
        async with anyio.create_task_group() as group:
            while True:
                for delivery in self.take_due():
                    group.start_soon(self._deliver_async, client, delivery, None)
                await anyio.sleep(POLL_INTERVAL)

    async def _deliver_async(
        self, client: httpx.AsyncClient, delivery: Delivery, made: list[DeliveryAttempt] | None
    ) -> None:
        refused = _refused(delivery)
        if refused is not None:
            attempt = self._attempt(delivery, error=refused)
            self.settle(delivery, attempt, final=True)
            if made is not None:
                made.append(attempt)
            return
        try:
            async with client.stream(
                "POST",
                delivery.url,
                json=self.payload_of(delivery.task_id),
                headers=_headers(delivery),
                timeout=DELIVERY_TIMEOUT,
            ) as response:  # the status is the answer: the body is never read
                attempt = self._attempt(delivery, status=response.status_code)
        except Exception as exc:  # one delivery's failure stays its own: the loop goes on
            attempt = self._attempt(delivery, error=_describe(exc))
        self.settle(delivery, attempt)
        if made is not None:
            made.append(attempt)

    def _attempt(
        self, delivery: Delivery, *, status: int | None = None, error: str | None = None
    ) -> DeliveryAttempt:
        return DeliveryAttempt(
            delivery.task_id, delivery.url, delivery.attempt, self.clock.now(), status, error
        )


def _headers(delivery: Delivery) -> dict[str, str]:
    return {"user-agent": USER_AGENT, "x-mock-delivery-attempt": str(delivery.attempt)}


def _describe(exc: Exception) -> str:
    return printable(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


def _refused(delivery: Delivery) -> str | None:
    """Why the callback URL cannot be delivered to (no try could succeed), or None."""
    reason = judge_url(delivery.url, allow_private=True)
    return None if reason is None else printable(f"refused: {reason}", keep_newlines=False)


def delivery_client(transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    """The client deliveries go through: ``netpolicy``'s overall deadline per attempt
    (unless a test gives its own transport), no redirects, no proxy from the environment."""
    if transport is None:
        transport = AsyncDeadlineTransport(deadline=DELIVERY_TIMEOUT)
    return httpx.AsyncClient(transport=transport, trust_env=False, follow_redirects=False)


def blocking_delivery_client(transport: httpx.BaseTransport | None) -> httpx.Client:
    """The blocking twin of ``delivery_client``."""
    if transport is None:
        transport = DeadlineTransport(deadline=DELIVERY_TIMEOUT)
    return httpx.Client(transport=transport, trust_env=False, follow_redirects=False)
