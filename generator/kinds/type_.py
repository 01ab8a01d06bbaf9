"""``type``: a field holds the JSON type its parameter declares (null counts as absent)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.jsonvalue import json_type, type_phrase
from generator.kinds.base import Code, Draft, Finding, RuleKind, got
from generator.spec.model import Rule

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
        if actual == "null" or actual == expected:
            return
        if expected == "number" and actual == "integer":
            return
        yield Finding(at, self.message(rule) + got(value))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        test = TESTS[rule.params["type"]]
        return [
            f"if value is not None and not {test}:",
            "    "
            + code.fail(code.at, f"{code.message(self.default_message(rule))} + _got(value)"),
        ]

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        return {"type": [rule.params["type"], "null"]}


KIND = TypeKind()
