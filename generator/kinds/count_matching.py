"""``count_matching``: at most ``max`` of the values a path reaches equal a given value."""

from __future__ import annotations

from collections.abc import Iterator

from generator.jsonvalue import json_equal, show, walk
from generator.kinds.base import Code, Finding, RuleKind
from generator.spec.model import Rule


class CountMatchingKind(RuleKind):
    name = "count_matching"
    per_value = False
    rule_schema = {"equals": {}, "max": {"type": "integer", "minimum": 0}}
    rule_required = ("equals", "max")

    def default_message(self, rule: Rule) -> str:
        return f"at most {rule.params['max']} {rule.label} may be {show(rule.params['equals'])}"

    def check(self, rule: Rule, payload: object) -> Iterator[Finding]:
        found = [at for at, v in walk(payload, rule.path) if json_equal(v, rule.params["equals"])]
        limit = rule.params["max"]
        if len(found) > limit:
            yield Finding(found[limit], f"{self.message(rule)}, got {len(found)}")

    def emit(self, rule: Rule, code: Code) -> list[str]:
        equals = code.lit(rule.params["equals"])
        limit = rule.params["max"]
        message = code.message(self.default_message(rule))
        return [
            f"found = [at for at, v in _walk(payload, {code.path}) if _json_equal(v, {equals})]",
            f"if len(found) > {limit!r}:",
            "    " + code.fail(f"found[{limit!r}]", f"{message} + ', got ' + str(len(found))"),
        ]


KIND = CountMatchingKind()
