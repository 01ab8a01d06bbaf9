"""``closed``: an object holds only its documented fields (others are reported, by name)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from apimart_codegen.jsonvalue import escape, show, suggest_key
from apimart_codegen.kinds.base import Break, Code, Draft, Finding, RuleKind
from apimart_codegen.spec.model import Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan


class ClosedKind(RuleKind):
    name = "closed"
    rule_schema = {"allowed": {"type": "array", "items": {"type": "string"}}}
    rule_required = ("allowed",)
    keywords = {"closed": {"enum": ["error", "warning"]}}

    def from_parameter(self, param: Mapping[str, Any], type_name: str) -> Iterator[Draft]:
        if "closed" in param:
            allowed = list(param.get("properties", {}))
            yield Draft("unknown-field", "closed", {"allowed": allowed}, param["closed"])

    def default_message(self, rule: Rule) -> str:
        return f"is not a documented field of {rule.label}"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        if not isinstance(value, dict):
            return
        allowed = rule.params["allowed"]
        for key in value:
            if key not in allowed:
                message = f"{show(key)} {self.message(rule)}{suggest_key(key, allowed)}"
                yield Finding(f"{at}/{escape(key)}", message)

    def emit(self, rule: Rule, code: Code) -> list[str]:
        allowed = code.lit(rule.params["allowed"])
        # a set display of constants: Python builds it once, as a frozenset
        members = "{" + allowed[1:-1].rstrip(",") + "}"
        message = code.message(self.default_message(rule))
        return code.block(
            "isinstance(value, dict)",
            [
                "for key in value:",
                f"    if key not in {members}:",
                "        "
                + code.fail(
                    f'{code.at} + "/" + _escape(key)',
                    f"_show(key) + ' ' + {message} + _suggest_key(key, {allowed})",
                ),
            ],
        )

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        return {"propertyNames": {"enum": list(rule.params["allowed"])}}

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        """Plans draw documented fields only: nothing to narrow."""

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break:
        from hypothesis import strategies as st

        allowed = list(rule.params["allowed"])
        keys = [k for k in unknown_keys(allowed) if k not in allowed]

        def add_key(draw: Any, drawn: Any) -> dict[str, Any]:
            base = dict(drawn) if isinstance(drawn, dict) else {}
            base[draw(st.sampled_from(keys))] = draw(st.sampled_from(["x", 1, True, None, [1]]))
            return base

        def where(value: Any) -> str:
            extra = next(key for key in value if key not in allowed)
            return "/" + escape(extra)

        return Break(add_key, where=where)


def unknown_keys(allowed: list[str]) -> list[str]:
    """Keys a user might add: typos of documented ones (plurals, case) and plausible extras."""
    return [k + "s" for k in allowed] + [k.upper() for k in allowed] + ["extra", "quality"]


KIND = ClosedKind()
