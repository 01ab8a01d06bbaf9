"""``require_any``: at least one of several fields must be given."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from apimart_codegen.jsonvalue import EACH, get, is_present, label, pointer
from apimart_codegen.kinds.base import Code, Finding, RuleKind
from apimart_codegen.kinds.schema import given
from apimart_codegen.spec.model import Rule, split_path

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan

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

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        return {"anyOf": [given(path) for path in self.paths(rule)]}

    def fields(self, rule: Rule) -> tuple[str, ...]:
        return tuple(path[0] for path in self.paths(rule))

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        undrawn = [path for path in self.paths(rule) if not ctx.is_drawn(path)]
        given = any(is_present(ctx.value(path)) for path in self.paths(rule))
        if len(undrawn) == 1 and not given:  # the last chance to give one of them
            plan.require()

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> None:
        plan.forbid()

    def locate(self, rule: Rule, payload: object) -> str:
        return pointer(self.paths(rule)[0])

    def lint(self, rule: Rule) -> Iterator[str]:
        if any(EACH in path for path in self.paths(rule)):
            yield "require_any paths cannot contain '*'"


KIND = RequireAnyKind()
