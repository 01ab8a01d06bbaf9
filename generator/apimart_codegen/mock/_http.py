"""Transport-independent requests and replies, and the API's error bodies.

The ASGI app and the in-process httpx transport both turn what they receive into a
:class:`MockRequest` and send back a :class:`Reply`; nothing in between knows which one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, NamedTuple

ERROR_TYPES: Final[Mapping[int, str]] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "payment_required",
    403: "permission_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    422: "idempotency_error",
    429: "rate_limit_error",
    500: "server_error",
    502: "bad_gateway",
    503: "service_unavailable",
}
"""The documented ``error.type`` of each HTTP status the mock answers with."""


class MockRequest(NamedTuple):
    """One HTTP request as the mock core sees it.

    ``headers`` has lower-case names; ``base_url`` is ``scheme://host[:port]`` as the client
    addressed the mock, so the URLs the mock hands out point back at it. ``truncated`` says
    the transport stopped reading a body that was over the size limit. (A NamedTuple rather
    than a frozen dataclass: one is made per request, and it is made several times faster.)
    """

    method: str
    path: str
    base_url: str
    headers: Mapping[str, str] = MappingProxyType({})
    query: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    truncated: bool = False

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def query_value(self, name: str) -> str | None:
        return next((value for key, value in self.query if key == name), None)

    def query_values(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer: status, headers (in order) and the body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def with_header(self, name: str, value: str) -> Reply:
        return Reply(self.status, (*self.headers, (name, value)), self.body)

    def json(self) -> object:
        """The decoded body (for tests and logs)."""
        return json.loads(self.body)


_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_JSON_TYPE: Final = ("content-type", "application/json")


def json_reply(status: int, payload: object, *, headers: Sequence[tuple[str, str]] = ()) -> Reply:
    body = _ENCODER.encode(payload).encode()
    return Reply(status, (_JSON_TYPE, *headers), body)


def error_reply(
    status: int,
    message: str,
    *,
    code: int | str | None = None,
    type_: str | None = None,
    param: str | None = None,
    extra: Mapping[str, object] | None = None,
    headers: Sequence[tuple[str, str]] = (),
) -> Reply:
    """``{"error": {"code", "message", "type"[, "param"]...}}`` with the documented defaults."""
    error: dict[str, object] = {
        "code": status if code is None else code,
        "message": message,
        "type": type_ or ERROR_TYPES.get(status, "apimart_error"),
    }
    if param is not None:
        error["param"] = param
    if extra:
        error.update(extra)
    return json_reply(status, {"error": error}, headers=headers)
