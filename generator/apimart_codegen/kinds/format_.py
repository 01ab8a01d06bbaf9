"""``format``: a string matches a named format (URL, data URI, hex colour...) or a pattern."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from apimart_codegen.kinds.base import Break, Code, Draft, Finding, RuleKind, got
from apimart_codegen.kinds.schema import anchored
from apimart_codegen.spec.model import Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_H16 = r"[0-9A-Fa-f]{1,4}"
_IPV6 = (
    rf"(?:(?:{_H16}:){{7}}{_H16}|(?:{_H16}:){{1,7}}:|(?:{_H16}:){{1,6}}:{_H16}"
    rf"|(?:{_H16}:){{1,5}}(?::{_H16}){{1,2}}|(?:{_H16}:){{1,4}}(?::{_H16}){{1,3}}"
    rf"|(?:{_H16}:){{1,3}}(?::{_H16}){{1,4}}|(?:{_H16}:){{1,2}}(?::{_H16}){{1,5}}"
    rf"|{_H16}:(?::{_H16}){{1,6}}|:(?:(?::{_H16}){{1,7}}|:))"
)
_LABEL = r"(?![Xx][Nn]--)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_REG_NAME = (
    # four numeric labels are an IPv4 address to URL parsers: only a valid one (above)
    r"(?![0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(?![A-Za-z0-9_.-]))"
    rf"{_LABEL}(?:\.{_LABEL})*\.?"
)
_HTTP_URL = (
    r"[Hh][Tt][Tt][Pp][Ss]?://"
    r"(?:[A-Za-z0-9._~!$&'()*+,;=:%-]*@)?"  # user:password@
    rf"(?:\[{_IPV6}\]|{_IPV4}|{_REG_NAME})"
    r"(?::[0-9]{0,5})?"
    r"(?:[/?#][^\s\x00-\x1f\x7f]*)?"
)
"""An absolute http(s) URL as httpx parses it (the parser that fetches it): a host that is
a DNS name (ASCII labels; ``xn--`` names are refused, their check needs the IDNA tables),
a valid IPv4 address or a bracketed IPv6 one, an optional numeric port, and no space or
control character anywhere. Every URL it accepts, ``httpx.URL`` accepts with its host
(tests/test_url_format.py holds the two to that); the interpreter, the generated validators,
the exported JSON Schema and so the mock judge with this one pattern."""
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


NEAR_MISSES: tuple[str, ...] = (
    "ftp://cdn.example.com/a.jpg",
    "cdn.example.com/a.jpg",
    "https//cdn.example.com/a.jpg",
    "https://",
    "https://cdn.example.com/a b.jpg",
    "data:image/png,iVBORw0KGgo=",
    "#12345",
    "#GGGGGG",
    "C2D1E6",
    "red",
    "23.511%",
    "23.5",
    "101%",
    "-1%",
    "23,51%",
    "5K",
    "16:10",
    "1024x",
    "1024 x 1024",
    "large",
    "x",
)
"""Strings users send where a format is expected; a break uses those its pattern refuses."""


def samples(name: str) -> Any:
    """A strategy of well-formed strings for a named format (None: draw from its pattern)."""
    from hypothesis import strategies as st

    urls = st.builds(
        "{}://cdn.example.com/{}.{}".format,
        st.sampled_from(["https", "http", "HTTPS"]),
        st.from_regex(r"[a-z0-9_]{1,12}", fullmatch=True),
        st.sampled_from(["jpg", "png", "webp", "mp4", "mp3"]),
    )
    data_uris = st.sampled_from(
        ["data:image/png;base64,iVBORw0KGgo=", "data:image/jpeg;base64,/9j/4AAQSkZJRg=="]
    )
    found = {
        "http-url": urls,
        "image-data-uri": data_uris,
        "http-url-or-image-data-uri": st.one_of(urls, data_uris),
        "hex-color": st.from_regex(r"#[0-9A-Fa-f]{6}", fullmatch=True),
        "percent": st.integers(0, 10000).map(lambda n: f"{n // 100}.{n % 100:02d}%"),
    }
    return found.get(name)


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
        test = f"{code.fullmatch(rule.params['pattern'], 'value')} is None"
        return [
            f"if {code.guarded('isinstance(value, str)', test)}:",
            "    "
            + code.fail(code.at, f"{code.message(self.default_message(rule))} + _got(value)"),
        ]

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        return {"pattern": anchored(rule.params["pattern"])}

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        plan.patterns.append(rule.params["pattern"])
        if plan.samples is None:
            plan.samples = samples(rule.params["format"])

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break:
        from hypothesis import strategies as st

        pattern = rule.params["pattern"]
        bad = [s for s in NEAR_MISSES if re.fullmatch(pattern, s) is None]
        # chosen when drawn, once every other rule here has narrowed the plan
        return Break(lambda draw, _: draw(st.sampled_from([s for s in bad if plan.tolerates(s)])))

    def lint(self, rule: Rule) -> Iterator[str]:
        try:
            re.compile(rule.params["pattern"])
        except re.error as exc:
            yield f"format pattern does not compile: {exc}"


KIND = FormatKind()
