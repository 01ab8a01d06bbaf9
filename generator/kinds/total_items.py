"""``total_items``: several arrays together hold at most ``max`` items."""

from __future__ import annotations

from collections.abc import Iterator

from generator.jsonvalue import EACH, get, label
from generator.kinds.base import Code, Finding, RuleKind
from generator.kinds.require_any import POINTERS
from generator.spec.model import Rule, split_path


class TotalItemsKind(RuleKind):
    name = "total_items"
    per_value = False
    rule_schema = {"paths": POINTERS, "max": {"type": "integer", "minimum": 0}}
    rule_required = ("paths", "max")

    def paths(self, rule: Rule) -> list[tuple[str, ...]]:
        return [split_path(text) for text in rule.params["paths"]]

    def default_message(self, rule: Rule) -> str:
        names = " and ".join(label(path) for path in self.paths(rule))
        return f"{names} together must have at most {rule.params['max']} items"

    def check(self, rule: Rule, payload: object) -> Iterator[Finding]:
        total = 0
        for path in self.paths(rule):
            value = get(payload, path)
            if isinstance(value, list):
                total += len(value)
        if total > rule.params["max"]:
            yield Finding(rule.pointer, f"{self.message(rule)}, got {total}")

    def emit(self, rule: Rule, code: Code) -> list[str]:
        arrays = ", ".join(f"_get(payload, {code.lit(path)})" for path in self.paths(rule))
        message = code.message(self.default_message(rule))
        return [
            f"total = sum(len(v) for v in ({arrays}) if isinstance(v, list))",
            f"if total > {rule.params['max']!r}:",
            "    " + code.fail(code.lit(rule.pointer), f"{message} + ', got ' + str(total)"),
        ]

    def lint(self, rule: Rule) -> Iterator[str]:
        if any(EACH in path for path in self.paths(rule)) or EACH in rule.path:
            yield "total_items paths cannot contain '*'"


KIND = TotalItemsKind()
