"""MockAPI: one mock (its tasks, uploads, faults and clock), reachable in process or served."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import httpx

from apimart_codegen.mock._asgi import MockASGIApp
from apimart_codegen.mock._clock import Clock, SystemClock, VirtualClock
from apimart_codegen.mock._core import SLOW_SECONDS, MockCore, MockOptions
from apimart_codegen.mock._faults import Fault, parse_faults
from apimart_codegen.mock._lifecycle import Task
from apimart_codegen.mock._transport import InProcessTransport
from apimart_codegen.mock._webhooks import (
    DeliveryAttempt,
    blocking_delivery_client,
    delivery_client,
)
from apimart_codegen.spec.model import SpecSet

IN_PROCESS_URL: Final = "http://apimart.test"
"""The base URL in-process clients use; nothing resolves it, the transport answers it."""
DEFAULT_API_KEY: Final = "mock-key"


class MockAPI:
    """The mock API's state and behaviour, with ways in for tests and apps.

    - :meth:`transport` / :meth:`client` / :meth:`async_client`: in process, no socket;
    - :attr:`app`: the ASGI application (what :class:`MockServer` and ``apimart mock`` serve).

    All options are keyword-only; ``specs`` defaults to the project's specs directory and
    ``clock`` to the wall clock (pass a :class:`VirtualClock` to move time by hand).
    """

    def __init__(
        self,
        *,
        specs: SpecSet | None = None,
        clock: Clock | None = None,
        seed: int = 0,
        speed: float = 1.0,
        api_keys: Iterable[str] = (),
        faults: Iterable[str | Fault] = (),
        failure_rate: float = 0.0,
        slow_seconds: float = SLOW_SECONDS,
        webhook_transport: httpx.BaseTransport | None = None,
        async_webhook_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if specs is None:
            from apimart_codegen.paths import specs_dir
            from apimart_codegen.spec.loader import load_specs

            specs = load_specs(specs_dir())
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.options = MockOptions(
            seed=seed,
            speed=speed,
            api_keys=frozenset(api_keys),
            faults=tuple(fault for item in faults for fault in _parsed(item)),
            failure_rate=failure_rate,
            slow_seconds=slow_seconds,
        )
        self.core = MockCore(specs, options=self.options, clock=self.clock)
        self.webhook_transport = webhook_transport
        self.app = MockASGIApp(self.core, webhook_transport=async_webhook_transport)

    # -- in process --------------------------------------------------------------------------

    def transport(self) -> InProcessTransport:
        """An httpx transport (sync and async) answering from this mock."""
        return InProcessTransport(self.core)

    def client(self, *, api_key: str | None = DEFAULT_API_KEY, **options: Any) -> httpx.Client:
        """An httpx.Client on this mock, sending ``api_key`` (None: no Authorization header)."""
        return httpx.Client(**_client_options(self.transport(), api_key, options))

    def async_client(
        self, *, api_key: str | None = DEFAULT_API_KEY, **options: Any
    ) -> httpx.AsyncClient:
        """An httpx.AsyncClient on this mock, sending ``api_key``."""
        return httpx.AsyncClient(**_client_options(self.transport(), api_key, options))

    # -- time and webhooks -------------------------------------------------------------------

    def advance(self, seconds: float) -> float:
        """Move the virtual clock forward; return the new time (needs a VirtualClock)."""
        if not isinstance(self.clock, VirtualClock):
            raise TypeError("advance() needs MockAPI(clock=VirtualClock())")
        return self.clock.advance(seconds)

    def deliver_webhooks(self) -> list[DeliveryAttempt]:
        """POST every webhook delivery due now (blocking); return the attempts made."""
        with blocking_delivery_client(self.webhook_transport) as client:
            return self.core.outbox.deliver_due(client)

    async def deliver_webhooks_async(self) -> list[DeliveryAttempt]:
        """Like :meth:`deliver_webhooks`, concurrently, for async code."""
        async with delivery_client(self.app.webhook_transport) as client:
            return await self.core.outbox.deliver_due_async(client)

    @property
    def webhook_attempts(self) -> tuple[DeliveryAttempt, ...]:
        """Every delivery attempt made so far, in the order they ended."""
        return self.core.outbox.attempts

    # -- looking inside ------------------------------------------------------------------------

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Every task created, in creation order."""
        return self.core.tasks

    def task_view(self, task_id: str, *, language: str | None = None) -> dict[str, object] | None:
        """What ``GET /v1/tasks/{task_id}`` would show now (None for an unknown id)."""
        return self.core.view(task_id, language=language)


def _parsed(fault: str | Fault) -> tuple[Fault, ...]:
    return (fault,) if isinstance(fault, Fault) else parse_faults([fault])


def _client_options(
    transport: InProcessTransport, api_key: str | None, options: dict[str, Any]
) -> dict[str, Any]:
    headers = dict(options.pop("headers", None) or {})
    if api_key is not None:
        headers.setdefault("Authorization", f"Bearer {api_key}")
    # trust_env=False: a proxy named in the environment would otherwise be mounted in front
    # of the transport and take the requests meant for the mock.
    return {
        "base_url": IN_PROCESS_URL,
        "transport": transport,
        "headers": headers,
        "trust_env": False,
        **options,
    }
