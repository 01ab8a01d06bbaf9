"""``format``: a string matches a named format (URL, data URI, hex colour...) or a pattern."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from generator.kinds.base import Code, Draft, Finding, RuleKind, got
from generator.spec.model import Rule

_HTTP_URL = r"[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s]*"
_IMAGE_DATA_URI = r"data:image/[A-Za-z0-9.+-]+;base64,[A-Za-z0-9+/]+={0,2}"

FORMATS: Mapping[str, tuple[str, str]] = {
    "http-url": (_HTTP_URL, "an http:// or https:// URL"),
    "image-data-uri": (_IMAGE_DATA_URI, "a data:image/...;base64,... URI"),
    "http-url-or-image-data-uri": (
        f"(?:{_HTTP_URL}|{_IMAGE_DATA_URI})",
        "an http(s) URL or a data:image/...;base64,... URI",
    ),
    "hex-color": (r"#[0-9A-Fa-f]{6}", "a #RRGGBB hex colour"),
    "percent": (
        r"(?:100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?)%",
        'a percentage from 0% to 100% with at most two decimals, such as "23.51%"',
    ),
}

_CUSTOM = {
    "type": "object",
    "required": ["pattern", "expected"],
    "properties": {"pattern": {"type": "string"}, "expected": {"type": "string"}},
    "additionalProperties": False,
}
_FORMAT_VALUE = {"oneOf": [{"enum": sorted(FORMATS)}, _CUSTOM]}


def resolve(spec: str | Mapping[str, str]) -> dict[str, str]:
    if isinstance(spec, str):
        pattern, expected = FORMATS[spec]
        return {"format": spec, "pattern": pattern, "expected": expected}
    return {"format": "pattern", "pattern": spec["pattern"], "expected": spec["expected"]}


class FormatKind(RuleKind):
    name = "format"
    rule_schema = {"format": _FORMAT_VALUE}
    rule_required = ("format",)
    keywords = {"format": _FORMAT_VALUE}

    def from_parameter(self, param: Mapping[str, Any], type_name: str) -> Iterator[Draft]:
        if "format" in param:
            yield Draft("format", "format", resolve(param["format"]))

    def normalize(self, params: Mapping[str, Any]) -> Mapping[str, Any]:
        return resolve(params["format"])

    def default_message(self, rule: Rule) -> str:
        return f"{rule.label} must be {rule.params['expected']}"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        if isinstance(value, str) and re.fullmatch(rule.params["pattern"], value) is None:
            yield Finding(at, self.message(rule) + got(value))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        pattern = code.lit(rule.params["pattern"])
        return [
            f"if isinstance(value, str) and _re.fullmatch({pattern}, value) is None:",
            "    "
            + code.fail(code.at, f"{code.message(self.default_message(rule))} + _got(value)"),
        ]

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        return {"pattern": f"^(?:{rule.params['pattern']})$"}

    def lint(self, rule: Rule) -> Iterator[str]:
        try:
            re.compile(rule.params["pattern"])
        except re.error as exc:
            yield f"format pattern does not compile: {exc}"


KIND = FormatKind()
