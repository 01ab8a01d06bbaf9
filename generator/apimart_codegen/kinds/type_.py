"""``type``: a value holds the JSON type its parameter declares.

A null object field counts as absent (the ``required`` rule judges absence); a null item of
an array is not absent, it is a value of the wrong type.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from apimart_codegen.jsonvalue import EACH, json_type, type_phrase
from apimart_codegen.kinds.base import Break, Code, Draft, Finding, RuleKind, got
from apimart_codegen.spec.model import Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan

JUNK: tuple[Any, ...] = ("x", "true", 7, 2.5, True, False, ["x"], {"x": [1]})
"""Values of every JSON type (none of them empty): what a type break puts in a field."""

TESTS = {
    "string": "isinstance(value, str)",
    "integer": "_is_int(value)",
    "number": "_is_number(value)",
    "boolean": "isinstance(value, bool)",
    "array": "isinstance(value, list)",
    "object": "isinstance(value, dict)",
}


class TypeKind(RuleKind):
    name = "type"
    order = 0
    rule_schema = {"type": {"enum": list(TESTS)}}
    rule_required = ("type",)
    keywords = {"type": {"enum": list(TESTS)}}

    def from_parameter(self, param: Mapping[str, Any], type_name: str) -> Iterator[Draft]:
        yield Draft("type", "type", {"type": type_name})

    def default_message(self, rule: Rule) -> str:
        return f"{rule.label} must be {type_phrase(rule.params['type'])}"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        expected = rule.params["type"]
        actual = json_type(value)
        if (actual == "null" and not is_item(rule)) or actual == expected:
            return
        if expected == "number" and actual == "integer":
            return
        yield Finding(at, self.message(rule) + got(value))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        test = TESTS[rule.params["type"]]
        guard = "" if is_item(rule) else "value is not None and "
        return [f"if {guard}not {test}:", *_indent(self._refuse(rule, code))]

    def dispatch(self, rule: Rule, code: Code) -> tuple[str, str, list[str]]:
        other = "else:" if is_item(rule) else "elif value is not None:"
        return TESTS[rule.params["type"]], other, self._refuse(rule, code)

    def _refuse(self, rule: Rule, code: Code) -> list[str]:
        return [code.fail(code.at, f"{code.message(self.default_message(rule))} + _got(value)")]

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        if is_item(rule):
            return {"type": rule.params["type"]}
        return {"type": [rule.params["type"], "null"]}

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        """A plan draws its parameter's own type: nothing to narrow."""

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break:
        from hypothesis import strategies as st

        expected = rule.params["type"]
        junk = [v for v in JUNK if json_type(v) != expected]
        if expected == "number":
            junk = [v for v in junk if json_type(v) != "integer"]
        if is_item(rule):
            junk.append(None)  # an item cannot be absent: null is a wrong type there

        def apply(draw: Any, _drawn: Any) -> Any:
            # A fraction for an integer must stay inside the bounds the plan keeps, or it
            # would break a range rule too; the plan is complete by the time this runs.
            lo, hi = (plan.numbers or [(None, None)])[0]
            inside = (lo + 0.5) if lo is not None else (hi - 0.5 if hi is not None else 2.5)
            if hi is not None and lo is not None and inside > hi:
                candidates = [v for v in junk if not isinstance(v, float)]
            else:
                candidates = [inside if isinstance(v, float) else v for v in junk]
            return draw(st.sampled_from(candidates))

        return Break(apply)


def is_item(rule: Rule) -> bool:
    """Whether the rule judges the items of an array, where null is not "absent"."""
    return bool(rule.path) and rule.path[-1] == EACH


KIND = TypeKind()


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]
