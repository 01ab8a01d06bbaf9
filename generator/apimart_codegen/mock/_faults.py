"""Fault injection: what a fault spec means and which attempts of a request it hits.

A spec is ``<name>[*<times>]``. It comes with a request (header ``X-Mock-Fault`` or query
``mock_fault``, several separated by commas) or with the mock (``--fault``, applied to every
request). It hits the first ``times`` attempts of "the same request" (every attempt when no
count is given): requests are the same when they carry the same ``Idempotency-Key`` from
the same key holder, or else the same method and path.

When several faults apply, each is checked in order (the request's own first) and each
counts the attempt: ``slow`` adds its delay and ``fail`` marks the task, and the first
other fault that hits decides how the request ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from apimart_codegen.mock._http import MockRequest

STATUS_FAULTS: Final[Mapping[str, int]] = {
    "429": 429,
    "500": 500,
    "502": 502,
    "503": 503,
    "402": 402,
}
"""Faults that answer with an error status instead of doing the work."""

FAULT_NAMES: Final = ("429", "500", "502", "503", "402", "slow", "drop", "drop-after", "fail")

FAULT_HEADER: Final = "x-mock-fault"
FAULT_QUERY: Final = "mock_fault"


class FaultSpecError(ValueError):
    """A fault spec that does not parse; the message says what is accepted."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault: its ``name`` and how many attempts it hits (``None``: every attempt)."""

    name: str
    times: int | None = None

    @classmethod
    def parse(cls, text: str) -> Fault:
        """``"429*2"`` → ``Fault("429", 2)``; raises FaultSpecError on anything else."""
        name, star, count = text.strip().partition("*")
        if name not in FAULT_NAMES:
            known = ", ".join(FAULT_NAMES)
            raise FaultSpecError(f"unknown fault {text.strip()!r}; known faults: {known}")
        if not star:
            return cls(name)
        if not count.isdigit() or int(count) < 1:
            raise FaultSpecError(
                f"bad fault {text.strip()!r}: the count after '*' must be a whole number >= 1"
            )
        return cls(name, int(count))

    def __str__(self) -> str:
        return self.name if self.times is None else f"{self.name}*{self.times}"


def parse_faults(texts: Iterable[str]) -> tuple[Fault, ...]:
    """Every spec of a list of comma-separated spec lists; empty items are skipped."""
    return tuple(Fault.parse(item) for text in texts for item in text.split(",") if item.strip())


def request_faults(request: MockRequest) -> tuple[Fault, ...]:
    """The faults a request asks for itself (header, then query); raises FaultSpecError."""
    header = request.headers.get(FAULT_HEADER)
    if not header and not request.query:
        return ()
    return parse_faults(([header] if header else []) + request.query_values(FAULT_QUERY))


@dataclass(frozen=True, slots=True)
class Injection:
    """What the faults decided for one attempt.

    ``delay`` is mock seconds to wait before answering; ``status`` an error status to answer
    with instead of doing the work; ``drop_before``/``drop_after`` close the connection
    without an answer before or after doing the work; ``fail_task`` makes a created task fail;
    ``refusal`` says why the request's own fault spec was refused (answered with a 400).
    """

    delay: float = 0.0
    status: int | None = None
    drop_before: bool = False
    drop_after: bool = False
    fail_task: bool = False
    refusal: str | None = None


NO_FAULT: Final = Injection()


class FaultBook:
    """Counts attempts per (fault, request identity) and decides each attempt's Injection."""

    def __init__(self, *, standing: Sequence[Fault] = (), slow_seconds: float) -> None:
        self.standing = tuple(standing)
        self.slow_seconds = slow_seconds
        self._attempts: dict[tuple[str, int, str, str], int] = {}
        self._lock = threading.Lock()

    def decide(self, identity: str, own: Sequence[Fault]) -> Injection:
        """Count this attempt against every applicable fault and combine those that hit."""
        applicable = [("request", index, fault) for index, fault in enumerate(own)]
        applicable += [("mock", index, fault) for index, fault in enumerate(self.standing)]
        if not applicable:
            return NO_FAULT
        delay, status, drop_before, drop_after, fail_task = 0.0, None, False, False, False
        decided = False
        for origin, index, fault in applicable:
            if not self._hits((origin, index, str(fault), identity), fault.times):
                continue
            if fault.name == "slow":
                delay += self.slow_seconds
            elif fault.name == "fail":
                fail_task = True
            elif not decided:
                decided = True
                drop_before = fault.name == "drop"
                drop_after = fault.name == "drop-after"
                status = STATUS_FAULTS.get(fault.name)
        return Injection(delay, status, drop_before, drop_after, fail_task)

    def _hits(self, key: tuple[str, int, str, str], times: int | None) -> bool:
        with self._lock:
            attempt = self._attempts.get(key, 0) + 1
            self._attempts[key] = attempt
        return times is None or attempt <= times


def identity(request: MockRequest, *, key_holder: str) -> str:
    """What makes two attempts "the same request" for fault counting."""
    idempotency_key = request.header("idempotency-key")
    if idempotency_key:
        return f"key {key_holder} {idempotency_key}"
    return f"{request.method} {request.path}"
