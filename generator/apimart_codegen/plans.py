"""Plans: what the value at one path may be so that every active rule there holds.

A plan starts as the parameter's declaration (its JSON type, its items and properties);
each active rule's kind narrows it (``RuleKind.keep``): an enum, number intervals, bounds on
a length or an item count, patterns, excluded values, bounds on pixel sides, and *shapers*
that turn a drawn value into one that keeps a rule which no facet can say (corners in order,
ratios that sum to a total). Values are then drawn from the plan constructively: intervals
are chosen before numbers, list lengths before items, partitions rather than filters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from hypothesis import strategies as st

from apimart_codegen.jsonvalue import EACH
from apimart_codegen.spec.model import Parameter, Rule

Interval = tuple[float | None, float | None]
Need = Literal["free", "present", "absent"]
Draw = Callable[[st.SearchStrategy[Any]], Any]
Shaper = Callable[[Draw, Any, frozenset[int]], Any]
"""(draw, value, pinned item indices) → a value that keeps one rule; pinned items stay."""
Pin = Callable[[Draw, Any], Any]
"""(draw, the value drawn as usual or MISSING) → the value a case puts there (or OMIT)."""


class _Omit:
    __slots__ = ()

    def __repr__(self) -> str:
        return "OMIT"


OMIT = _Omit()
"""What a pin returns to leave a key out of its object."""

INT_LOW, INT_HIGH = -(2**31), 2**31 - 1
"""Where an integer with no stated bound is mostly drawn from; past them, WIDE_INTEGERS."""
WIDE_INTEGERS = (2**31, -(2**31) - 1, 2**53 + 1, -(2**53) - 1, 2**63, -(2**63) - 1, 2**64, 10**30)
"""Integers a server that stores 32 or 64 bits, or a double, gets wrong: JSON admits them all."""
WIDE_NUMBERS = (-0.0, 1e300, -1e300, 5e-324, 2.0**64, 0.1)
"""Numbers a server that parses numbers narrowly gets wrong: JSON admits them all."""
LIST_SPAN = 4
"""How many items past its minimum an array with a large or no maximum is drawn with."""
TEXT_SPAN = 40
LONG_TEXT = 64
TEXT = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))


class Unsatisfiable(Exception):
    """The rules active here cannot all hold together with what the case pins."""


def intersect(left: Sequence[Interval] | None, right: Sequence[Interval]) -> list[Interval]:
    """The intervals both unions share (``None`` on the left means "anything")."""
    if left is None:
        return list(right)
    out: list[Interval] = []
    for lo1, hi1 in left:
        for lo2, hi2 in right:
            lows = [x for x in (lo1, lo2) if x is not None]
            highs = [x for x in (hi1, hi2) if x is not None]
            lo = max(lows) if lows else None
            hi = min(highs) if highs else None
            if lo is None or hi is None or lo <= hi:
                out.append((lo, hi))
    return out


def complement(spans: Sequence[Interval], *, step: float = 1) -> list[Interval]:
    """The numbers outside every interval, as intervals (``step`` apart from their edges)."""
    out: list[Interval] = []
    cursor: float | None = None
    started = False
    for lo, hi in sorted(spans, key=lambda s: -math.inf if s[0] is None else s[0]):
        if lo is not None and (not started or (cursor is not None and lo - step >= cursor)):
            out.append((cursor, lo - step))
        started = True
        if hi is None:
            return out
        cursor = hi + step if cursor is None else max(cursor, hi + step)
    out.append((cursor, None))
    return out


@dataclass(eq=False)
class Plan:
    """The facets of one value; ``None`` facets put no bound on it."""

    param: Parameter
    need: Need = "free"
    enum: list[Any] | None = None
    numbers: list[Interval] | None = None
    length: list[Interval] | None = None
    count: list[Interval] | None = None
    patterns: list[str] = field(default_factory=list)
    not_patterns: list[str] = field(default_factory=list)
    excluded: list[Any] = field(default_factory=list)
    pixels: list[Interval] | None = None
    samples: st.SearchStrategy[Any] | None = None
    shapers: list[Shaper] = field(default_factory=list)
    items: Plan | None = None
    properties: dict[str, Plan] = field(default_factory=dict)
    pins: dict[int | str, Pin] = field(default_factory=dict)
    """Item indices (arrays) or keys (objects) whose drawn value a case replaces."""

    @classmethod
    def of(cls, param: Parameter) -> Plan:
        return cls(
            param=param,
            items=cls.of(param.items) if param.items is not None else None,
            properties={child.name: cls.of(child) for child in param.properties},
        )

    @property
    def type(self) -> str:
        return self.param.type

    def at(self, path: Sequence[str]) -> Plan:
        """The plan of the value ``path`` reaches from here (``*`` steps into items)."""
        node = self
        for segment in path:
            child = node.items if segment == EACH else node.properties.get(segment)
            if child is None:
                raise KeyError(f"no parameter at {'/'.join(path)} under {node.param.name}")
            node = child
        return node

    def walk(self) -> Iterator[Plan]:
        yield self
        if self.items is not None:
            yield from self.items.walk()
        for child in self.properties.values():
            yield from child.walk()

    # -- narrowing (what kinds call from keep) -------------------------------------------

    def require(self) -> None:
        if self.need == "absent":
            raise Unsatisfiable(f"{self.param.name} must be both given and absent")
        self.need = "present"

    def forbid(self) -> None:
        if self.need == "present":
            raise Unsatisfiable(f"{self.param.name} must be both given and absent")
        self.need = "absent"

    def only(self, values: Sequence[Any]) -> None:
        from apimart_codegen.jsonvalue import json_equal

        if self.enum is None:
            self.enum = list(values)
        else:
            self.enum = [v for v in self.enum if any(json_equal(v, w) for w in values)]
        if not self.enum:
            raise Unsatisfiable(f"no value of {self.param.name} is allowed")

    def bound(self, facet: str, spans: Sequence[Interval]) -> None:
        narrowed = intersect(getattr(self, facet), spans)
        if not narrowed:
            raise Unsatisfiable(f"the bounds on {self.param.name} exclude each other")
        setattr(self, facet, narrowed)

    def tolerates(self, value: Any) -> bool:
        """Whether a value a break puts here leaves the other rules alone: not excluded, and
        not of a form steered away from (patterns it must match are the broken rule's own)."""
        from apimart_codegen.jsonvalue import json_equal

        if any(json_equal(value, bad) for bad in self.excluded):
            return False
        return not (
            isinstance(value, str)
            and any(re.fullmatch(p, value) is not None for p in self.not_patterns)
        )

    # -- drawing ---------------------------------------------------------------------------

    def draw_given(self, draw: Draw) -> Any:
        """A value for a field that is given: not null, not empty."""
        need, self.need = self.need, "present"
        try:
            return self.draw(draw)
        finally:
            self.need = need

    def draw(self, draw: Draw) -> Any:
        """A value that keeps every facet (the caller decides whether the field is given)."""
        value = _DRAWERS[self.type](self, draw)
        pinned = frozenset(k for k in self.pins if isinstance(k, int))
        for shaper in self.shapers:
            value = shaper(draw, value, pinned)
        return value


def _allowed(plan: Plan, value: Any) -> bool:
    from apimart_codegen.jsonvalue import json_equal

    if any(json_equal(value, bad) for bad in plan.excluded):
        return False
    if isinstance(value, str):
        if any(re.fullmatch(p, value) is None for p in plan.patterns):
            return False
        if any(re.fullmatch(p, value) is not None for p in plan.not_patterns):
            return False
    return True


def _choose(plan: Plan, draw: Draw) -> Any:
    assert plan.enum is not None
    choices = [v for v in plan.enum if _allowed(plan, v)]
    if not choices:
        raise Unsatisfiable(f"every listed value of {plan.param.name} is excluded here")
    return draw(st.sampled_from(choices))


def _span(spans: Sequence[Interval] | None, low: float, high: float) -> tuple[float, float]:
    """One interval of ``spans`` (drawn by the caller) with open ends closed near the other."""
    lo, hi = spans[0] if spans else (None, None)
    if lo is None and hi is None:
        return low, high
    if lo is None:
        assert hi is not None
        return min(low, hi - (high - low)), hi
    if hi is None:
        return lo, max(high, lo + (high - low))
    return lo, hi


def _pick_span(draw: Draw, spans: Sequence[Interval] | None) -> list[Interval] | None:
    if not spans:
        return None
    return [draw(st.sampled_from(list(spans)))]


def _draw_string(plan: Plan, draw: Draw) -> str:
    if plan.enum is not None:
        return str(_choose(plan, draw))
    if plan.samples is not None:
        strategy = plan.samples
    elif plan.patterns:
        # Each pattern proposes; the filter below keeps what all of them accept.
        strategy = st.one_of([st.from_regex(p, fullmatch=True) for p in plan.patterns])
    else:
        lo, hi = _span(_pick_span(draw, plan.length), 0, math.inf)
        lo = max(lo, 1) if plan.need == "present" else lo
        high = int(min(hi, lo + TEXT_SPAN))
        if lo > LONG_TEXT:
            # A long text is a short one repeated: Hypothesis draws a few characters, not 5000.
            size: int = draw(st.integers(int(lo), high))
            unit: str = draw(st.text(TEXT, min_size=1, max_size=8))
            return (unit * (size // len(unit) + 1))[:size]
        strategy = st.text(TEXT, min_size=int(lo), max_size=high)
    if plan.excluded or plan.not_patterns or len(plan.patterns) > 1 or plan.need == "present":
        # Exclusions are a few values or one pattern out of many forms: rarely drawn.
        strategy = strategy.filter(lambda v: _allowed(plan, v) and (v or plan.need != "present"))
    return str(draw(strategy))


def _wide(picked: list[Interval] | None, values: Sequence[float]) -> list[Any]:
    """The wide values an interval with an open end admits (none for a closed interval)."""
    lo, hi = picked[0] if picked else (None, None)
    if lo is not None and hi is not None:
        return []
    return [v for v in values if (lo is None or v >= lo) and (hi is None or v <= hi)]


def _draw_integer(plan: Plan, draw: Draw) -> int:
    if plan.enum is not None:
        return int(_choose(plan, draw))
    picked = _pick_span(draw, plan.numbers)
    lo, hi = _span(picked, INT_LOW, INT_HIGH)
    strategy = st.integers(math.ceil(lo), math.floor(hi))
    wide = _wide(picked, WIDE_INTEGERS)
    if wide:  # no stated bound on a side: the whole range JSON admits, its edges first
        strategy = st.one_of(strategy, st.sampled_from(wide))
    if plan.excluded:
        strategy = strategy.filter(lambda v: _allowed(plan, v))
    return int(draw(strategy))


def _draw_number(plan: Plan, draw: Draw) -> float:
    if plan.enum is not None:
        return float(_choose(plan, draw))
    picked = _pick_span(draw, plan.numbers)
    lo, hi = _span(picked, -1e9, 1e9)
    strategy = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    wide = _wide(picked, WIDE_NUMBERS)
    if wide:  # no stated bound on a side: any finite number JSON admits, its edges first
        low, high = picked[0] if picked else (None, None)
        whole = st.floats(low, high, allow_nan=False, allow_infinity=False)
        strategy = st.one_of(strategy, st.sampled_from(wide), whole)
    return float(draw(strategy))


def _draw_boolean(plan: Plan, draw: Draw) -> bool:
    if plan.enum is not None:
        return bool(_choose(plan, draw))
    return bool(draw(st.sampled_from([v for v in (False, True) if _allowed(plan, v)])))


def _draw_array(plan: Plan, draw: Draw) -> list[Any]:
    lo, hi = _span(_pick_span(draw, plan.count), 0, math.inf)
    if plan.need == "present":
        lo = max(lo, 1)
    pinned = [k for k in plan.pins if isinstance(k, int)]
    lo = max(lo, max(pinned, default=-1) + 1)
    if lo > hi:
        raise Unsatisfiable(f"{plan.param.name} cannot have the items this case needs")
    size = draw(st.integers(int(lo), int(min(hi, lo + LIST_SPAN))))
    assert plan.items is not None
    items = plan.items
    values = [items.draw(draw) for _ in range(size)]
    for index in pinned:
        values[index] = plan.pins[index](draw, values[index])
    return values


def _draw_object(plan: Plan, draw: Draw) -> dict[str, Any]:
    from apimart_codegen.jsonvalue import MISSING

    out: dict[str, Any] = {}
    for name, child in plan.properties.items():
        if child.need == "present" or (child.need == "free" and draw(st.booleans())):
            out[name] = child.draw_given(draw)
    for key, pin in plan.pins.items():
        if isinstance(key, str):
            value = pin(draw, out.get(key, MISSING))
            if value is OMIT:
                out.pop(key, None)
            else:
                out[key] = value
    return out


_DRAWERS: dict[str, Callable[[Plan, Draw], Any]] = {
    "string": _draw_string,
    "integer": _draw_integer,
    "number": _draw_number,
    "boolean": _draw_boolean,
    "array": _draw_array,
    "object": _draw_object,
}


def fork(plan: Plan) -> Plan:
    """A copy of ``plan`` whose own facets, pins and shapers can change without touching it."""
    from dataclasses import replace

    return replace(
        plan,
        enum=None if plan.enum is None else list(plan.enum),
        patterns=list(plan.patterns),
        not_patterns=list(plan.not_patterns),
        excluded=list(plan.excluded),
        pins=dict(plan.pins),
        shapers=list(plan.shapers),
        properties=dict(plan.properties),
    )


class Context(Protocol):
    """What a rule kind sees while a case is built: the fields drawn so far and its own role.

    The contract harness's case builder implements it; it is declared here, below both the
    kinds and the harness, so that a kind needs nothing from ``apimart_codegen.contract``.
    """

    field: str
    plan: Plan | None

    def value(self, path: Sequence[str]) -> object:
        """The value at a wildcard-free path of the payload so far (MISSING if not there)."""
        ...

    def is_drawn(self, path: Sequence[str]) -> bool:
        """Whether the field at the head of ``path`` has been drawn already."""
        ...

    def breaks_too(self, rule: Rule, at: str) -> None:
        """Record that what this case pins necessarily breaks ``rule`` as well."""
        ...
