"""``percent_sum``: the percentage strings under ``key`` in an array's objects sum to a total.

Checked in exact decimal arithmetic: "33.33%" three times is 99.99%, not 100%. The sum is
judged only when every entry holds a well-formed percentage (the ``format`` rule reports the
others).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from apimart_codegen.kinds.base import Break, Code, Finding, RuleKind
from apimart_codegen.spec.model import Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan

WHOLE = 10000
"""100.00% in hundredths: no single percentage is larger."""

_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]{1,2})?)%")


def _percent(value: object) -> Decimal | None:
    if isinstance(value, str) and (match := _PERCENT.fullmatch(value)):
        return Decimal(match.group(1))
    return None


class PercentSumKind(RuleKind):
    name = "percent_sum"
    rule_schema = {
        "key": {"type": "string"},
        "total": {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$"},
    }
    rule_required = ("key", "total")

    def default_message(self, rule: Rule) -> str:
        key, total = rule.params["key"], rule.params["total"]
        return f"the {key} values of {rule.label} must sum to exactly {total}%"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        if not isinstance(value, list) or not value:
            return
        parts = [
            _percent(item.get(rule.params["key"])) if isinstance(item, dict) else None
            for item in value
        ]
        if any(part is None for part in parts):
            return
        total = sum(part for part in parts if part is not None)
        if total != Decimal(rule.params["total"]):
            yield Finding(at, f"{self.message(rule)}, got {total:.2f}%")

    def emit(self, rule: Rule, code: Code) -> list[str]:
        key = code.lit(rule.params["key"])
        hundredths = round(Decimal(rule.params["total"]) * 100)
        message = code.message(self.default_message(rule))
        return [
            f"if {code.guarded('isinstance(value, list)', 'value')}:",
            f"    total = _hundredths_total(value, {key})",
            f"    if total is not None and total != {hundredths}:",
            "        "
            + code.fail(code.at, f"{message} + f', got {{total // 100}}.{{total % 100:02d}}%'"),
        ]

    def _hundredths(self, rule: Rule) -> int:
        return round(Decimal(rule.params["total"]) * 100)

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        key, total = rule.params["key"], self._hundredths(rule)
        plan.shapers.append(lambda draw, items, pinned: share(draw, items, pinned, key, total))

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break:
        from hypothesis import strategies as st

        key, total = rule.params["key"], self._hundredths(rule)
        items_plan = plan.items
        assert items_plan is not None

        def apply(draw: Any, drawn: Any) -> list[Any]:
            items = list(drawn) if isinstance(drawn, list) and drawn else []
            if not items:
                items = [items_plan.draw_given(draw)]
            capacity = WHOLE * sum(isinstance(item, dict) for item in items)
            wrong = draw(
                st.one_of(
                    st.integers(max(0, total - 300), total - 1),
                    st.integers(total + 1, min(capacity, total + 300)),
                )
                if capacity > total
                else st.integers(max(0, total - 300), total - 1)
            )
            shared: list[Any] = share(draw, items, frozenset(), key, wrong)
            return shared

        return Break(apply, path=())


def share(draw: Any, items: Any, pinned: frozenset[int], key: str, total: int) -> Any:
    """Give the free items' ``key`` percentages that make the items' sum exactly ``total``.

    A partition of the hundredths left after the pinned items' own percentages: cut points
    drawn in order, never a filter. A pinned item that is not a well-formed percentage
    already stops the sum from being judged, and then any shares do.
    """

    from apimart_codegen.plans import Unsatisfiable

    if not isinstance(items, list):
        return items
    free = [i for i, item in enumerate(items) if isinstance(item, dict) and i not in pinned]
    fixed = 0
    for index, item in enumerate(items):
        if index in pinned and isinstance(item, dict):
            part = _percent(item.get(key))
            fixed += round(part * 100) if part is not None else 0
    left = total - fixed
    if not free:
        if left != 0:
            raise Unsatisfiable("no free item can make the percentages add up")
        return items
    if left < 0 or left > WHOLE * len(free):
        raise Unsatisfiable("the pinned percentages leave nothing to share")
    parts = _partition(draw, left, len(free))
    for index, share_ in zip(free, parts, strict=True):
        items[index][key] = f"{share_ // 100}.{share_ % 100:02d}%"
    return items


def _partition(draw: Any, total: int, count: int) -> list[int]:
    """``count`` parts of at most 100.00% each that add up to ``total`` hundredths."""
    from hypothesis import strategies as st

    parts: list[int] = []
    left = total
    for remaining in range(count, 0, -1):
        if remaining == 1:
            parts.append(left)
            break
        low = max(0, left - WHOLE * (remaining - 1))
        high = min(WHOLE, left)
        part = draw(st.integers(low, high))
        parts.append(part)
        left -= part
    return parts


KIND = PercentSumKind()
