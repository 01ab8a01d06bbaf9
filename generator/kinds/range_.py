"""``range``: a number lies within bounds, or within one of several intervals."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.jsonvalue import is_number
from generator.kinds import bounds
from generator.kinds.base import Code, Draft, Finding, RuleKind, got
from generator.spec.model import Rule


class RangeKind(RuleKind):
    name = "range"
    rule_schema = bounds.INTERVALS_SCHEMA
    keywords = {"minimum": bounds.NUMBER, "maximum": bounds.NUMBER}

    def from_parameter(self, param: Mapping[str, Any], type_name: str) -> Iterator[Draft]:
        found = bounds.from_keywords(param, "minimum", "maximum")
        if found:
            yield Draft("range", found[0], found[1])

    def default_message(self, rule: Rule) -> str:
        return f"{rule.label} must be {bounds.phrase(bounds.intervals(rule.params))}"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        if is_number(value) and not bounds.contains(bounds.intervals(rule.params), value):
            yield Finding(at, self.message(rule) + got(value))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        outside = bounds.outside(bounds.intervals(rule.params), "value")
        return [
            f"if _is_number(value) and {outside}:",
            "    " + code.fail("at", f"{code.message(self.default_message(rule))} + _got(value)"),
        ]


KIND = RangeKind()
