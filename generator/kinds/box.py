"""``box``: a ``[x1, y1, x2, y2]`` box of integers has its corners in order (x1 < x2, y1 < y2)."""

from __future__ import annotations

from collections.abc import Iterator

from generator.jsonvalue import is_int
from generator.kinds.base import Code, Finding, RuleKind, got
from generator.spec.model import Rule


class BoxKind(RuleKind):
    name = "box"

    def default_message(self, rule: Rule) -> str:
        return f"{rule.label} must be [x1, y1, x2, y2] with x1 < x2 and y1 < y2"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        if not isinstance(value, list) or len(value) != 4 or not all(map(is_int, value)):
            return
        x1, y1, x2, y2 = value
        if not (x1 < x2 and y1 < y2):
            yield Finding(at, self.message(rule) + got(value))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        return [
            "if _is_int_list(value) and len(value) == 4 and not (",
            "    value[0] < value[2] and value[1] < value[3]",
            "):",
            "    "
            + code.fail(code.at, f"{code.message(self.default_message(rule))} + _got(value)"),
        ]


KIND = BoxKind()
