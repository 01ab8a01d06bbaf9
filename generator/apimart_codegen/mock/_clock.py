"""Mock time: the wall clock, or a virtual clock that tests move by hand.

Task states, webhook due times and the ``slow`` fault all read one clock, so a test that
advances a :class:`VirtualClock` sees a task finish without waiting for it.
"""

from __future__ import annotations

import threading
import time
from typing import Final, Protocol

VIRTUAL_EPOCH: Final = 1_767_225_600.0
"""2026-01-01T00:00:00Z: where a VirtualClock starts unless told otherwise."""


class Clock(Protocol):
    """Unix time as the mock sees it."""

    def now(self) -> float:
        """Seconds since the Unix epoch."""
        ...

    def wait(self, seconds: float) -> float:
        """Let ``seconds`` of mock time pass; return how many real seconds the caller must sleep."""
        ...


class SystemClock:
    """The real wall clock: mock time is real time."""

    def now(self) -> float:
        return time.time()

    def wait(self, seconds: float) -> float:
        return max(0.0, seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


class VirtualClock:
    """A clock that stands still until :meth:`advance` moves it; safe to share between threads."""

    def __init__(self, *, start: float = VIRTUAL_EPOCH) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (never backwards); return the new time."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back; got {seconds} seconds")
        with self._lock:
            self._now += seconds
            return self._now

    def wait(self, seconds: float) -> float:
        self.advance(max(0.0, seconds))
        return 0.0

    def sleep(self, seconds: float) -> None:
        """A drop-in for ``time.sleep`` in code under test: advances the clock, returns at once."""
        self.advance(max(0.0, seconds))

    def __repr__(self) -> str:
        return f"VirtualClock(now={self.now()!r})"
