"""Intervals shared by the kinds that bound a number: range, length and item_count.

An interval is ``[low, high]`` with ``None`` for an open end; a value passes when it lies
in any of the rule's intervals.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from apimart_codegen.jsonvalue import EACH
from apimart_codegen.kinds.base import Break, Code, Draft, Finding, RuleKind, got, literal
from apimart_codegen.spec.model import Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan

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
    return any((lo is None or number >= lo) and (hi is None or number <= hi) for lo, hi in spans)


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
                f"{expr} == {literal(lo)}"
                if lo == hi
                else f"{literal(lo)} <= {expr} <= {literal(hi)}"
            )
        elif lo is not None:
            tests.append(f"{expr} >= {literal(lo)}")
        elif hi is not None:
            tests.append(f"{expr} <= {literal(hi)}")
    return " or ".join(tests) or "True"


def _num(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def json_schema(spans: Sequence[Interval], low: str, high: str) -> dict[str, Any]:
    """``{"minimum": 2, "maximum": 10}``, or an ``anyOf`` of such for several intervals."""
    parts = [
        {key: edge for key, edge in ((low, lo), (high, hi)) if edge is not None} for lo, hi in spans
    ]
    return parts[0] if len(parts) == 1 else {"anyOf": parts}


class BoundsKind(RuleKind):
    """A kind that bounds one measured quantity of a value: a number, a length, a count.

    Subclasses say which parameter keywords they own, how a value is measured (in the
    interpreter: ``measure``; in generated code: ``guard`` and ``measured``), and how the
    bound and the measured value read in a message.
    """

    rule_schema = INTERVALS_SCHEMA
    low_keyword: ClassVar[str]
    high_keyword: ClassVar[str]
    schema_keywords: ClassVar[tuple[str, str]]
    suffix: ClassVar[str]
    verb: ClassVar[str] = "be"
    unit: ClassVar[str] = ""
    guard: ClassVar[str]
    """A Python expression over ``value``: true for the values this kind judges."""
    measured: ClassVar[str] = "len(value)"
    shows_value: ClassVar[bool] = False
    """Whether a message shows the value itself (numbers) or only its measure (lengths)."""
    facet: ClassVar[str]
    """The plan facet this kind bounds (apimart_codegen.plans.Plan): numbers, length or count."""
    least: ClassVar[float | None] = 0
    """The smallest measure a given value can have (a length is never negative)."""

    @property
    def keywords(self) -> Mapping[str, Any]:  # type: ignore[override]
        return {self.low_keyword: NUMBER, self.high_keyword: NUMBER}

    def measure(self, value: object) -> float | None:
        raise NotImplementedError

    def from_parameter(self, param: Mapping[str, Any], type_name: str) -> Iterator[Draft]:
        found = from_keywords(param, self.low_keyword, self.high_keyword)
        if found:
            yield Draft(self.suffix, found[0], found[1])

    def default_message(self, rule: Rule) -> str:
        return f"{rule.label} must {self.verb} {phrase(intervals(rule.params), self.unit)}"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        size = self.measure(value)
        if size is not None and not contains(intervals(rule.params), size):
            shown = got(value) if self.shows_value else f", got {_num(size)}"
            yield Finding(at, self.message(rule) + shown)

    def emit(self, rule: Rule, code: Code) -> list[str]:
        test = outside(intervals(rule.params), self.measured)
        shown = "_got(value)" if self.shows_value else f"', got ' + str({self.measured})"
        return [
            f"if {code.guarded(self.guard, test)}:",
            "    " + code.fail(code.at, f"{code.message(self.default_message(rule))} + {shown}"),
        ]

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        return json_schema(intervals(rule.params), *self.schema_keywords)

    def lint(self, rule: Rule) -> Iterator[str]:
        for lo, hi in intervals(rule.params):
            if lo is not None and hi is not None and lo > hi:
                yield f"the lower bound {_num(lo)} is greater than the upper bound {_num(hi)}"

    # -- strategies ----------------------------------------------------------------------

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        plan.bound(self.facet, [tuple(span) for span in intervals(rule.params)])  # type: ignore[misc]

    def keep_at(self, rule: Rule, plan: Plan, ctx: Context, measure: Any) -> None:
        plan.require()
        plan.bound(self.facet, [(measure, measure)])

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break | None:
        from apimart_codegen.plans import complement

        if measure is not None:
            spans = [(measure, measure)]
        else:
            spans = complement([tuple(s) for s in intervals(rule.params)])  # type: ignore[misc]
        # a given value has a positive length or item count: an empty one would be "absent"
        floor = 1 if self.least is not None else None
        target = plan
        if EACH in rule.path[1:]:
            from apimart_codegen.plans import fork

            target = fork(plan)
        target.require()
        target.bound(self.facet, spans)
        if floor is not None:
            target.bound(self.facet, [(floor, None)])
        if target is plan:
            return None  # narrowed in place: later rules on this field see the bound
        return Break(lambda draw, _drawn: target.draw_given(draw))

    def among(self, rule: Rule, twins: list[Rule]) -> Rule:
        """A neighbour's ends that lie outside this rule's bounds: values to refuse."""
        from dataclasses import replace

        spans = intervals(rule.params)
        found: list[Any] = []
        for twin in twins:
            for span in intervals(twin.params):
                for end in span:
                    if end is not None and not contains(spans, end) and end not in found:
                        found.append(end)
        return replace(rule, params={**rule.params, "neighbours": found}) if found else rule

    def edges(self, rule: Rule) -> list[tuple[str, Any, bool]]:
        spans = intervals(rule.params)
        found = self._ends(spans)
        measures = {measure for _, measure, _ in found}
        unit = self.unit or "value"
        for end in rule.params.get("neighbours", []):
            if end not in measures and (self.least is None or end >= max(self.least, 1)):
                found.append((f"a neighbour's {unit} {_num(end)}", end, False))
        return found

    def _ends(self, spans: list[Interval]) -> list[tuple[str, Any, bool]]:
        found: list[tuple[str, Any, bool]] = []
        for lo, hi in spans:
            for edge, step in ((lo, -1), (hi, 1)):
                if edge is None:
                    continue
                for measure in (edge, edge + step):
                    if self.least is not None and measure < max(self.least, 1):
                        continue
                    keeps = contains(spans, measure)
                    label = f"{self.unit or 'value'} {_num(measure)}".strip()
                    if (label, measure, keeps) not in found:
                        found.append((label, measure, keeps))
        return found
