"""The mock APIMart server: the vendor's API as docs/wire-protocol.md describes it, offline.

One implementation (``MockCore``) with two ways in: :class:`MockServer` / ``apimart mock``
serve it over HTTP with uvicorn; :meth:`MockAPI.transport` answers httpx clients in
process. Time comes from a :class:`Clock`; tests pass a :class:`VirtualClock` and move it.

Names load on first use: ``apimart`` imports ``apimart_codegen.mock.cli`` for every command, and
the other commands should not pay for importing uvicorn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apimart_codegen.mock._api import DEFAULT_API_KEY, IN_PROCESS_URL, MockAPI
    from apimart_codegen.mock._clock import Clock, SystemClock, VirtualClock
    from apimart_codegen.mock._faults import FAULT_NAMES, Fault, FaultSpecError
    from apimart_codegen.mock._server import MockServer
    from apimart_codegen.mock._transport import InProcessTransport
    from apimart_codegen.mock._webhooks import DeliveryAttempt

__all__ = [
    "DEFAULT_API_KEY",
    "FAULT_NAMES",
    "IN_PROCESS_URL",
    "Clock",
    "DeliveryAttempt",
    "Fault",
    "FaultSpecError",
    "InProcessTransport",
    "MockAPI",
    "MockServer",
    "SystemClock",
    "VirtualClock",
]

_HOMES = {
    "DEFAULT_API_KEY": "_api",
    "FAULT_NAMES": "_faults",
    "IN_PROCESS_URL": "_api",
    "Clock": "_clock",
    "DeliveryAttempt": "_webhooks",
    "Fault": "_faults",
    "FaultSpecError": "_faults",
    "InProcessTransport": "_transport",
    "MockAPI": "_api",
    "MockServer": "_server",
    "SystemClock": "_clock",
    "VirtualClock": "_clock",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
