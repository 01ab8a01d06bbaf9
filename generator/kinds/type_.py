"""``type``: a value holds the JSON type its parameter declares.

A null object field counts as absent (the ``required`` rule judges absence); a null item of
an array is not absent, it is a value of the wrong type.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.jsonvalue import EACH, json_type, type_phrase
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
        if (actual == "null" and not is_item(rule)) or actual == expected:
            return
        if expected == "number" and actual == "integer":
            return
        yield Finding(at, self.message(rule) + got(value))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        test = TESTS[rule.params["type"]]
        guard = "" if is_item(rule) else "value is not None and "
        return [
            f"if {guard}not {test}:",
            "    "
            + code.fail(code.at, f"{code.message(self.default_message(rule))} + _got(value)"),
        ]

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        if is_item(rule):
            return {"type": rule.params["type"]}
        return {"type": [rule.params["type"], "null"]}


def is_item(rule: Rule) -> bool:
    """Whether the rule judges the items of an array, where null is not "absent"."""
    return bool(rule.path) and rule.path[-1] == EACH


KIND = TypeKind()
