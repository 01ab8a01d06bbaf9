"""``pixel_size``: a ``WIDTHxHEIGHT`` (or ``WIDTH*HEIGHT``) string has each side in bounds.

Strings in any other form (a tier such as ``2K``, a ratio such as ``16:9``) are not pixel
sizes and pass; the ``format`` rule judges the form.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.kinds.base import Code, Finding, RuleKind, got
from generator.spec.model import Rule


def _sides(value: str) -> tuple[int, int] | None:
    for separator in ("x", "*"):
        width, found, height = value.partition(separator)
        if found and width.isascii() and width.isdigit() and height.isascii() and height.isdigit():
            return int(width), int(height)
    return None


class PixelSizeKind(RuleKind):
    name = "pixel_size"
    rule_schema = {"min": {"type": "integer"}, "max": {"type": "integer"}}
    rule_required = ("min", "max")

    def default_message(self, rule: Rule) -> str:
        low, high = rule.params["min"], rule.params["max"]
        return f"{rule.label} width and height must each be between {low} and {high} pixels"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        sides = _sides(value) if isinstance(value, str) else None
        low, high = rule.params["min"], rule.params["max"]
        if sides and not all(low <= side <= high for side in sides):
            yield Finding(at, self.message(rule) + got(value))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        low, high = rule.params["min"], rule.params["max"]
        return [
            "if isinstance(value, str) and (",
            '    sides := _re.fullmatch("([0-9]+)[x*]([0-9]+)", value)',
            f") and not all({low!r} <= int(side) <= {high!r} for side in sides.groups()):",
            "    "
            + code.fail(code.at, f"{code.message(self.default_message(rule))} + _got(value)"),
        ]


KIND = PixelSizeKind()
