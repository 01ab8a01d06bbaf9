"""Intervals shared by the kinds that bound a number: range, length and item_count.

An interval is ``[low, high]`` with ``None`` for an open end; a value passes when it lies
in any of the rule's intervals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from generator.kinds.base import literal

Interval = Sequence[float | int | None]

NUMBER = {"type": "number"}
INTERVALS_SCHEMA: Mapping[str, Any] = {
    "min": NUMBER,
    "max": NUMBER,
    "intervals": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "array",
            "minItems": 2,
            "maxItems": 2,
            "items": {"type": ["number", "null"]},
        },
    },
}


def intervals(params: Mapping[str, Any]) -> list[Interval]:
    if "intervals" in params:
        return [list(pair) for pair in params["intervals"]]
    return [[params.get("min"), params.get("max")]]


def from_keywords(
    param: Mapping[str, Any], low: str, high: str
) -> tuple[str, dict[str, Any]] | None:
    """(keyword the rule cites, params) for a parameter's low/high keywords, if any."""
    if low not in param and high not in param:
        return None
    params = {key: param[word] for key, word in (("min", low), ("max", high)) if word in param}
    return (low if low in param else high), params


def contains(spans: Sequence[Interval], number: float) -> bool:
    return any(
        (lo is None or number >= lo) and (hi is None or number <= hi) for lo, hi in spans
    )


def phrase(spans: Sequence[Interval], unit: str = "") -> str:
    """``between 2 and 10``, ``0 or between 2 and 10``, ``at most 5000 characters``."""
    parts = []
    for lo, hi in spans:
        if lo is not None and hi is not None:
            parts.append(f"{_num(lo)}" if lo == hi else f"between {_num(lo)} and {_num(hi)}")
        elif lo is not None:
            parts.append(f"at least {_num(lo)}")
        elif hi is not None:
            parts.append(f"at most {_num(hi)}")
    text = " or ".join(parts) or "any size"
    return f"{text} {unit}".rstrip()


def outside(spans: Sequence[Interval], expr: str) -> str:
    """A Python expression true when ``expr`` lies in none of the intervals."""
    if len(spans) == 1:
        lo, hi = spans[0]
        if lo is not None and lo == hi:
            return f"{expr} != {literal(lo)}"
        if lo is None and hi is not None:
            return f"{expr} > {literal(hi)}"
        if hi is None and lo is not None:
            return f"{expr} < {literal(lo)}"
    return f"not ({condition(spans, expr)})"


def condition(spans: Sequence[Interval], expr: str) -> str:
    """A Python expression true when ``expr`` lies in one of the intervals."""
    tests = []
    for lo, hi in spans:
        if lo is not None and hi is not None:
            tests.append(
                f"{expr} == {literal(lo)}" if lo == hi else f"{literal(lo)} <= {expr} <= {literal(hi)}"
            )
        elif lo is not None:
            tests.append(f"{expr} >= {literal(lo)}")
        elif hi is not None:
            tests.append(f"{expr} <= {literal(hi)}")
    return " or ".join(tests) or "True"


def _num(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
