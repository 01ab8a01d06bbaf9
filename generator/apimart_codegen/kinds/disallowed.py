"""``disallowed``: a field (or some of its values) must not be given in a situation.

With severity ``warning`` this is how a spec says "the API ignores this parameter here".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from apimart_codegen.jsonvalue import EACH, is_present
from apimart_codegen.kinds.base import Break, Code, Finding, RuleKind, got
from apimart_codegen.kinds.enum import is_member, member_test
from apimart_codegen.kinds.schema import ABSENT
from apimart_codegen.spec.model import Condition, Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan


class DisallowedKind(RuleKind):
    name = "disallowed"
    about_sending = True
    rule_schema = {"values": {"type": "array", "minItems": 1}}

    def default_message(self, rule: Rule) -> str:
        return f"{rule.label} is not allowed here"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        values = rule.params.get("values")
        if is_present(value) and (values is None or is_member(value, values)):
            yield Finding(at, self.message(rule) + got(value))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        test = "_is_present(value)"
        if "values" in rule.params:
            guard, member = member_test(code, rule.params["values"])
            test = code.guarded(guard, member)
        return [
            f"if {test}:",
            "    "
            + code.fail(code.at, f"{code.message(self.default_message(rule))} + _got(value)"),
        ]

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        if "values" not in rule.params:
            return ABSENT
        return {"not": {"enum": [v for v in rule.params["values"] if is_present(v)]}}

    def presence_needs(self, rule: Rule) -> list[tuple[Condition, bool]]:
        if rule.when is None or "values" in rule.params:
            return []  # always forbidden, or only some values: nothing to steer
        return [(rule.when, False)]

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        if "values" in rule.params:
            plan.excluded.extend(rule.params["values"])
        else:
            plan.forbid()

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break | None:
        from apimart_codegen.plans import fork

        target = fork(plan) if EACH in rule.path[1:] else plan
        target.require()
        if "values" in rule.params:
            target.only(rule.params["values"])
        if target is plan:
            return None
        return Break(lambda draw, _drawn: target.draw_given(draw))


KIND = DisallowedKind()
