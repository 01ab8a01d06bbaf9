"""``required``: a field must be given (null, "" and [] count as not given)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from apimart_codegen.jsonvalue import EACH, MISSING, escape, is_present, pointer, walk
from apimart_codegen.kinds.base import Break, Code, Draft, Finding, RuleKind
from apimart_codegen.kinds.schema import PRESENT, at_path
from apimart_codegen.spec.model import Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan


class RequiredKind(RuleKind):
    name = "required"
    order = 10
    per_value = False
    keywords = {"required": {"type": "boolean"}}

    def from_parameter(self, param: Mapping[str, Any], type_name: str) -> Iterator[Draft]:
        if param.get("required") is True:
            yield Draft("required", "required")

    def default_message(self, rule: Rule) -> str:
        return f"{rule.label} is required"

    def check(self, rule: Rule, payload: object) -> Iterator[Finding]:
        key = rule.path[-1]
        for at, parent in walk(payload, rule.path[:-1]):
            if isinstance(parent, dict) and not is_present(parent.get(key, MISSING)):
                yield Finding(f"{at}/{escape(key)}", self.message(rule))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        key, parent = rule.path[-1], rule.path[:-1]
        message = code.message(self.default_message(rule))
        if not parent:  # a field of the body itself: no walk needed
            return [
                f"if not _is_present(payload.get({code.lit(key)})):",
                "    " + code.fail(code.lit(pointer(rule.path)), message),
            ]
        reach, at, depth = code.reach(parent)
        pad = "    " * depth
        return [
            *reach,
            f"{pad}if isinstance(value, dict) and not _is_present(value.get({code.lit(key)})):",
            f"{pad}    " + code.fail(f"{at} + {code.lit('/' + escape(key))}", message),
        ]

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        key = rule.path[-1]
        return at_path(rule.path[:-1], {"required": [key], "properties": {key: PRESENT}})

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        plan.require()

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break:
        from hypothesis import strategies as st

        from apimart_codegen.plans import OMIT

        # left out, or null (which counts as not given): either way the field is absent
        return Break(lambda draw, _drawn: draw(st.sampled_from([OMIT, None])))

    def lint(self, rule: Rule) -> Iterator[str]:
        if not rule.path or rule.path[-1] == EACH:
            yield "a required rule's path must end in a field name"


KIND = RequiredKind()
