"""``box``: a ``[x1, y1, x2, y2]`` box of integers has its corners in order (x1 < x2, y1 < y2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from apimart_codegen.jsonvalue import is_int
from apimart_codegen.kinds.base import Break, Code, Finding, RuleKind, got
from apimart_codegen.spec.model import Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan


class BoxKind(RuleKind):
    name = "box"

    def default_message(self, rule: Rule) -> str:
        return f"{rule.label} must be [x1, y1, x2, y2] with x1 < x2 and y1 < y2"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        if not isinstance(value, list) or len(value) != 4 or not all(map(is_int, value)):
            return
        x1, y1, x2, y2 = value
        if not (x1 < x2 and y1 < y2):
            yield Finding(at, self.message(rule) + got(value))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        return [
            "if _is_int_list(value) and len(value) == 4 and not (",
            "    value[0] < value[2] and value[1] < value[3]",
            "):",
            "    "
            + code.fail(code.at, f"{code.message(self.default_message(rule))} + _got(value)"),
        ]

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        plan.shapers.append(order_corners)

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break:
        from hypothesis import strategies as st

        def apply(draw: Any, drawn: Any) -> list[int]:
            start = draw(st.integers(1, 4000))
            lower = draw(st.integers(0, start))  # equal corners are an empty box: also broken
            other = sorted(draw(st.lists(st.integers(0, 4000), min_size=2, max_size=2)))
            if other[0] == other[1]:
                other[1] += 1
            broken, fine = [start, lower], other  # second corner not right of the first
            if draw(st.booleans()):
                return [broken[0], fine[0], broken[1], fine[1]]
            return [fine[0], broken[0], fine[1], broken[1]]

        return Break(apply)


def order_corners(draw: Any, value: Any, pinned: frozenset[int]) -> Any:
    """Put a drawn box's corners in order: x1 < x2 and y1 < y2 (pinned coordinates stay)."""
    from apimart_codegen.plans import Unsatisfiable

    if not isinstance(value, list) or len(value) != 4 or not all(map(is_int, value)):
        return value
    for first, second in ((0, 2), (1, 3)):
        a, b = value[first], value[second]
        if a < b:
            continue
        if first in pinned and second in pinned:
            raise Unsatisfiable("both corners of a box are pinned out of order")
        if second in pinned:
            if b - 1 < 0:
                raise Unsatisfiable("no coordinate lies left of a pinned corner at 0")
            value[first] = b - 1 if first not in pinned else a
        elif first in pinned:
            value[second] = a + 1
        else:
            value[first], value[second] = min(a, b), max(a, b) + (1 if a == b else 0)
    return value


KIND = BoxKind()
