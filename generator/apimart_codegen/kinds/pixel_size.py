"""``pixel_size``: a ``WIDTHxHEIGHT`` (or ``WIDTH*HEIGHT``) string has each side in bounds.

Strings in any other form (a tier such as ``2K``, a ratio such as ``16:9``) are not pixel
sizes and pass; the ``format`` rule judges the form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from apimart_codegen.kinds.base import Break, Code, Finding, RuleKind, got, replaced
from apimart_codegen.kinds.schema import anchored, integer_range
from apimart_codegen.spec.model import Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan


def _sides(value: str) -> tuple[int, int] | None:
    for separator in ("x", "*"):
        width, found, height = value.partition(separator)
        if found and width.isascii() and width.isdigit() and height.isascii() and height.isdigit():
            return int(width), int(height)
    return None


class PixelSizeKind(RuleKind):
    name = "pixel_size"
    rule_schema = {"min": {"type": "integer"}, "max": {"type": "integer"}}
    rule_required = ("min", "max")

    def default_message(self, rule: Rule) -> str:
        low, high = rule.params["min"], rule.params["max"]
        return f"{rule.label} width and height must each be between {low} and {high} pixels"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        sides = _sides(value) if isinstance(value, str) else None
        low, high = rule.params["min"], rule.params["max"]
        if sides and not all(low <= side <= high for side in sides):
            yield Finding(at, self.message(rule) + got(value))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        low, high = rule.params["min"], rule.params["max"]
        return [
            "if "
            + code.guarded(
                "isinstance(value, str)",
                f"(sides := {code.fullmatch('([0-9]+)[x*]([0-9]+)', 'value')})",
            )
            + f" and not all({low!r} <= int(side) <= {high!r} for side in sides.groups()):",
            "    "
            + code.fail(code.at, f"{code.message(self.default_message(rule))} + _got(value)"),
        ]

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        side = integer_range(rule.params["min"], rule.params["max"])
        return {
            "if": {"pattern": anchored("[0-9]+[x*][0-9]+")},
            "then": {"pattern": anchored(f"{side}[x*]{side}")},
        }

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        first = plan.pixels is None
        plan.bound("pixels", [(rule.params["min"], rule.params["max"])])
        if first:
            plan.shapers.append(lambda draw, value, _pinned: resize(draw, value, plan))

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break:
        from hypothesis import strategies as st

        low, high = rule.params["min"], rule.params["max"]
        inside = st.integers(low, high)
        outside = st.one_of(
            st.integers(high + 1, high + 1000), st.integers(max(1, low - 500), low - 1)
        )
        sides = st.one_of(
            st.tuples(outside, inside), st.tuples(inside, outside), st.tuples(outside, outside)
        )
        sizes = st.builds(
            lambda wh, sep: f"{wh[0]}{sep}{wh[1]}", sides, st.sampled_from(["x", "*"])
        )
        return Break(replaced(sizes))


def resize(draw: Any, value: Any, plan: Plan) -> Any:
    """A ``WxH`` string redrawn with both sides within the plan's pixel bounds."""
    from hypothesis import strategies as st

    if not isinstance(value, str) or plan.pixels is None:
        return value
    match = re.fullmatch(r"([0-9]+)([x*])([0-9]+)", value)
    if match is None:
        return value
    lo, hi = plan.pixels[0]
    side = st.integers(int(lo or 1), int(hi or 8192))
    return f"{draw(side)}{match.group(2)}{draw(side)}"


KIND = PixelSizeKind()
