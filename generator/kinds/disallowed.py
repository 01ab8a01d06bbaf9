"""``disallowed``: a field (or some of its values) must not be given in a situation.

With severity ``warning`` this is how a spec says "the API ignores this parameter here".
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.jsonvalue import is_present
from generator.kinds.base import Code, Finding, RuleKind, got
from generator.kinds.enum import is_member, member_test
from generator.spec.model import Rule


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
            test = f"{guard} and {member}"
        return [
            f"if {test}:",
            "    "
            + code.fail(code.at, f"{code.message(self.default_message(rule))} + _got(value)"),
        ]


KIND = DisallowedKind()
