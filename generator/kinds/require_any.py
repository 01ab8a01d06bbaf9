"""``require_any``: at least one of several fields must be given."""

from __future__ import annotations

from collections.abc import Iterator

from generator.jsonvalue import EACH, get, is_present, label, pointer
from generator.kinds.base import Code, Finding, RuleKind
from generator.spec.model import Rule, split_path

POINTERS = {"type": "array", "minItems": 2, "items": {"type": "string", "pattern": "^/"}}


class RequireAnyKind(RuleKind):
    name = "require_any"
    per_value = False
    rule_schema = {"paths": POINTERS}
    rule_required = ("paths",)

    def paths(self, rule: Rule) -> list[tuple[str, ...]]:
        return [split_path(text) for text in rule.params["paths"]]

    def default_message(self, rule: Rule) -> str:
        names = " or ".join(label(path) for path in self.paths(rule))
        return f"one of {names} is required"

    def check(self, rule: Rule, payload: object) -> Iterator[Finding]:
        if not any(is_present(get(payload, path)) for path in self.paths(rule)):
            yield Finding(pointer(self.paths(rule)[0]), self.message(rule))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        given = " or ".join(
            f"_is_present(_get(payload, {code.lit(path)}))" for path in self.paths(rule)
        )
        at = code.lit(pointer(self.paths(rule)[0]))
        return [
            f"if not ({given}):",
            "    " + code.fail(at, code.message(self.default_message(rule))),
        ]

    def lint(self, rule: Rule) -> Iterator[str]:
        if any(EACH in path for path in self.paths(rule)):
            yield "require_any paths cannot contain '*'"


KIND = RequireAnyKind()
