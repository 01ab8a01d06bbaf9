"""``same_length``: an array has exactly one entry per item of another array."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from apimart_codegen.jsonvalue import EACH, get, label
from apimart_codegen.kinds.base import Code, Finding, RuleKind
from apimart_codegen.spec.model import Condition, Rule, split_path

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan


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

    def fields(self, rule: Rule) -> tuple[str, ...]:
        return (split_path(rule.params["other"])[0], rule.path[0])

    def presence_needs(self, rule: Rule) -> list[tuple[Condition, bool]]:
        return [(Condition("present", split_path(rule.params["other"])), True)]

    def _expected(self, rule: Rule, ctx: Context) -> int:
        other = ctx.value(split_path(rule.params["other"]))
        return len(other) if isinstance(other, list) else 0

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        if ctx.field != rule.path[0]:
            return
        expected = self._expected(rule, ctx)
        if expected == 0:
            plan.forbid()
        else:
            plan.bound("count", [(expected, expected)])

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> None:
        if ctx.field != rule.path[0]:
            return
        expected = self._expected(rule, ctx)
        plan.require()
        spans: list[tuple[float | None, float | None]] = [(expected + 1, expected + 2)]
        if expected > 1:
            spans.append((1, expected - 1))
        plan.bound("count", spans)

    def lint(self, rule: Rule) -> Iterator[str]:
        if EACH in rule.path or EACH in split_path(rule.params["other"]):
            yield "same_length paths cannot contain '*'"


KIND = SameLengthKind()
