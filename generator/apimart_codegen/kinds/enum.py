"""``enum``: a field takes one of the listed values (compared as JSON, case-sensitive)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from apimart_codegen.jsonvalue import is_int, json_equal, json_type, suggest
from apimart_codegen.kinds.base import Break, Code, Draft, Finding, RuleKind, got, options
from apimart_codegen.spec.model import Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan


def member_test(code: Code, values: Sequence[Any], *, negate: bool = False) -> tuple[str, str]:
    """(guard, membership) Python expressions over ``value`` for a list of JSON values.

    The guard limits the test to values of the options' own JSON types; other types are
    the ``type`` rule's business.
    """
    listed = code.lit(list(values))
    operator = "not in" if negate else "in"
    if all(isinstance(v, str) for v in values):
        return "isinstance(value, str)", f"value {operator} {listed}"
    if all(is_int(v) for v in values):
        return "_is_int(value)", f"value {operator} {listed}"
    types = code.lit(sorted({json_type(v) for v in values}))
    test = "all(not _json_equal" if negate else "any(_json_equal"
    return f"_json_type(value) in {types}", f"{test}(value, option) for option in {listed})"


def is_member(value: object, values: Sequence[Any]) -> bool | None:
    """True/False, or None when ``value`` is of a JSON type none of the options has."""
    if isinstance(value, str):  # the common case: a string equals only an equal string
        if value in values:
            return True
        return False if any(isinstance(option, str) for option in values) else None
    if json_type(value) not in {json_type(v) for v in values}:
        return None
    return any(json_equal(value, option) for option in values)


class EnumKind(RuleKind):
    name = "enum"
    rule_schema = {"values": {"type": "array", "minItems": 1}}
    rule_required = ("values",)
    keywords = {"enum": {"type": "array", "minItems": 1}}

    def from_parameter(self, param: Mapping[str, Any], type_name: str) -> Iterator[Draft]:
        if "enum" in param:
            yield Draft("enum", "enum", {"values": list(param["enum"])})

    def default_message(self, rule: Rule) -> str:
        return f"{rule.label} must be one of {options(rule.params['values'])}"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        values = rule.params["values"]
        if is_member(value, values) is False:
            yield Finding(at, self.message(rule) + got(value) + suggest(value, values))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        values = rule.params["values"]
        guard, outside = member_test(code, values, negate=True)
        message = code.message(self.default_message(rule))
        return [
            f"if {code.guarded(guard, outside)}:",
            "    "
            + code.fail(code.at, f"{message} + _got(value) + _suggest(value, {code.lit(values)})"),
        ]

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        return {"enum": [*rule.params["values"], None]}

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        plan.only(rule.params["values"])

    def edges(self, rule: Rule) -> list[tuple[str, Any, bool]]:
        """Each option, kept: the contract run sends every one of them at least once."""
        return [
            (f"option {json.dumps(v, ensure_ascii=False)}", v, True) for v in rule.params["values"]
        ]

    def keep_at(self, rule: Rule, plan: Plan, ctx: Context, measure: Any) -> None:
        plan.require()
        plan.only([measure])

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break:
        from hypothesis import strategies as st

        values = rule.params["values"]
        outside = [v for v in near_misses(values) if is_member(v, values) is False]
        return Break(
            lambda draw, _: draw(st.sampled_from([v for v in outside if plan.tolerates(v)]))
        )


def near_misses(values: Sequence[Any]) -> list[Any]:
    """Values of the options' own types that a user might send instead: case slips, typos."""
    found: list[Any] = []
    for value in values:
        if isinstance(value, str):
            found += [value.upper(), value.lower(), value.swapcase(), value + "x", "x" + value]
        elif is_int(value):
            found += [value + 1, value - 1, -value - 1]
        elif isinstance(value, float):
            found += [value + 0.5]
    return [v for v in found if v != ""]


KIND = EnumKind()
