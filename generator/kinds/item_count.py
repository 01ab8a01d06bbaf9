"""``item_count``: an array has a number of items within bounds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.kinds import bounds
from generator.kinds.base import Code, Draft, Finding, RuleKind
from generator.spec.model import Rule


class ItemCountKind(RuleKind):
    name = "item_count"
    rule_schema = bounds.INTERVALS_SCHEMA
    keywords = {"min_items": {"type": "integer"}, "max_items": {"type": "integer"}}

    def from_parameter(self, param: Mapping[str, Any], type_name: str) -> Iterator[Draft]:
        found = bounds.from_keywords(param, "min_items", "max_items")
        if found:
            yield Draft("count", found[0], found[1])

    def default_message(self, rule: Rule) -> str:
        return f"{rule.label} must have {bounds.phrase(bounds.intervals(rule.params), 'items')}"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        if isinstance(value, list) and not bounds.contains(bounds.intervals(rule.params), len(value)):
            yield Finding(at, f"{self.message(rule)}, got {len(value)}")

    def emit(self, rule: Rule, code: Code) -> list[str]:
        outside = bounds.outside(bounds.intervals(rule.params), "len(value)")
        message = code.message(self.default_message(rule))
        return [
            f"if isinstance(value, list) and {outside}:",
            "    " + code.fail("at", f"{message} + ', got ' + str(len(value))"),
        ]


KIND = ItemCountKind()
