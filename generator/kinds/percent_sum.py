"""``percent_sum``: the percentage strings under ``key`` in an array's objects sum to a total.

Checked in exact decimal arithmetic: "33.33%" three times is 99.99%, not 100%. The sum is
judged only when every entry holds a well-formed percentage (the ``format`` rule reports the
others).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from generator.kinds.base import Code, Finding, RuleKind
from generator.spec.model import Rule

_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]{1,2})?)%")


def _percent(value: object) -> Decimal | None:
    if isinstance(value, str) and (match := _PERCENT.fullmatch(value)):
        return Decimal(match.group(1))
    return None


class PercentSumKind(RuleKind):
    name = "percent_sum"
    rule_schema = {
        "key": {"type": "string"},
        "total": {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$"},
    }
    rule_required = ("key", "total")

    def default_message(self, rule: Rule) -> str:
        key, total = rule.params["key"], rule.params["total"]
        return f"the {key} values of {rule.label} must sum to exactly {total}%"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        if not isinstance(value, list) or not value:
            return
        parts = [
            _percent(item.get(rule.params["key"])) if isinstance(item, dict) else None
            for item in value
        ]
        if any(part is None for part in parts):
            return
        total = sum(part for part in parts if part is not None)
        if total != Decimal(rule.params["total"]):
            yield Finding(at, f"{self.message(rule)}, got {total:.2f}%")

    def emit(self, rule: Rule, code: Code) -> list[str]:
        key = code.lit(rule.params["key"])
        hundredths = round(Decimal(rule.params["total"]) * 100)
        message = code.message(self.default_message(rule))
        return [
            "if isinstance(value, list) and value:",
            f"    total = _hundredths_total(value, {key})",
            f"    if total is not None and total != {hundredths}:",
            "        "
            + code.fail(code.at, f"{message} + f', got {{total // 100}}.{{total % 100:02d}}%'"),
        ]


KIND = PercentSumKind()
