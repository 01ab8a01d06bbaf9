"""``same_length``: an array has exactly one entry per item of another array."""

from __future__ import annotations

from collections.abc import Iterator

from generator.jsonvalue import EACH, get, label
from generator.kinds.base import Code, Finding, RuleKind
from generator.spec.model import Rule, split_path


class SameLengthKind(RuleKind):
    name = "same_length"
    per_value = False
    rule_schema = {"other": {"type": "string", "pattern": "^/"}}
    rule_required = ("other",)

    def default_message(self, rule: Rule) -> str:
        other = label(split_path(rule.params["other"]))
        return f"{rule.label} must have one entry per {other} item"

    def check(self, rule: Rule, payload: object) -> Iterator[Finding]:
        value = get(payload, rule.path)
        if not isinstance(value, list):
            return
        other = get(payload, split_path(rule.params["other"]))
        expected = len(other) if isinstance(other, list) else 0
        if len(value) != expected:
            other_label = label(split_path(rule.params["other"]))
            yield Finding(
                rule.pointer,
                f"{self.message(rule)}, got {len(value)} for {expected} {other_label} item(s)",
            )

    def emit(self, rule: Rule, code: Code) -> list[str]:
        other = code.lit(split_path(rule.params["other"]))
        other_label = label(split_path(rule.params["other"]))
        message = code.message(self.default_message(rule))
        return [
            f"value = _get(payload, {code.path})",
            f"other = _get(payload, {other})",
            "expected = len(other) if isinstance(other, list) else 0",
            "if isinstance(value, list) and len(value) != expected:",
            "    "
            + code.fail(
                code.lit(rule.pointer),
                f"{message} + f', got {{len(value)}} for {{expected}} '"
                f" + {code.lit(other_label + ' item(s)')}",
            ),
        ]

    def lint(self, rule: Rule) -> Iterator[str]:
        if EACH in rule.path or EACH in split_path(rule.params["other"]):
            yield "same_length paths cannot contain '*'"


KIND = SameLengthKind()
