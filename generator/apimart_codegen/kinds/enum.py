"""``enum``: a field takes one of the listed values (compared as JSON, case-sensitive)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from apimart_codegen.jsonvalue import is_int, json_equal, json_type, show, suggest
from apimart_codegen.kinds.base import Break, Code, Draft, Finding, RuleKind, got, options
from apimart_codegen.spec.model import Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan


def member_test(code: Code, values: Sequence[Any], *, negate: bool = False) -> tuple[str, str]:
    """(guard, membership) Python expressions over ``value`` for a list of JSON values.

    The guard limits the test to values of the options' own JSON types; other types are
    the ``type`` rule's business.
    """
    listed = code.lit(list(values))
    operator = "not in" if negate else "in"
    if all(isinstance(v, str) for v in values):
        return "isinstance(value, str)", f"value {operator} {listed}"
    if all(is_int(v) for v in values):
        return "_is_int(value)", f"value {operator} {listed}"
    types = code.lit(sorted({json_type(v) for v in values}))
    test = "all(not _json_equal" if negate else "any(_json_equal"
    return f"_json_type(value) in {types}", f"{test}(value, option) for option in {listed})"


def is_member(value: object, values: Sequence[Any]) -> bool | None:
    """True/False, or None when ``value`` is of a JSON type none of the options has."""
    if isinstance(value, str):  # the common case: a string equals only an equal string
        if value in values:
            return True
        return False if any(isinstance(option, str) for option in values) else None
    if json_type(value) not in {json_type(v) for v in values}:
        return None
    return any(json_equal(value, option) for option in values)


class EnumKind(RuleKind):
    name = "enum"
    rule_schema = {
        "values": {"type": "array", "minItems": 1},
        "unsupported": {"type": "array", "minItems": 1},
    }
    rule_required = ("values",)
    keywords = {
        "enum": {"type": "array", "minItems": 1},
        "unsupported": {"type": "array", "minItems": 1},
    }
    """``unsupported``: values the page names as not supported (``480p``), cited."""

    def from_parameter(self, param: Mapping[str, Any], type_name: str) -> Iterator[Draft]:
        if "enum" in param:
            params: dict[str, Any] = {"values": list(param["enum"])}
            if "unsupported" in param:
                params["unsupported"] = list(param["unsupported"])
            yield Draft("enum", "enum", params, cites=("unsupported",) if len(params) > 1 else ())

    def among(self, rule: Rule, twins: list[Rule]) -> Rule:
        """A neighbour's options that this rule's values lack are the neighbours' values."""
        from dataclasses import replace

        values = rule.params["values"]
        found: list[Any] = []
        for twin in twins:
            for value in twin.params.get("values", []):
                if is_member(value, values) is False and not is_member(value, found):
                    found.append(value)
        return replace(rule, params={**rule.params, "neighbours": found}) if found else rule

    def lint(self, rule: Rule) -> Iterator[str]:
        quotes = " ".join(source.quote for source in rule.cites)
        for value in rule.params.get("unsupported", []):
            if is_member(value, rule.params["values"]):
                yield f"{show(value)} is both an option and unsupported"
            elif str(value) not in quotes:
                yield (
                    f"unsupported value {show(value)} is not named by its quote "
                    f"{quotes!r} (cite the sentence: cite: {{unsupported: ...}})"
                )

    def default_message(self, rule: Rule) -> str:
        return f"{rule.label} must be one of {options(rule.params['values'])}"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        values = rule.params["values"]
        if is_member(value, values) is False:
            yield Finding(at, self.message(rule) + got(value) + suggest(value, values))

    def emit(self, rule: Rule, code: Code) -> list[str]:
        values = rule.params["values"]
        guard, outside = member_test(code, values, negate=True)
        message = code.message(self.default_message(rule))
        return [
            f"if {code.guarded(guard, outside)}:",
            "    "
            + code.fail(code.at, f"{message} + _got(value) + _suggest(value, {code.lit(values)})"),
        ]

    def json_schema(self, rule: Rule) -> Mapping[str, Any]:
        return {"enum": [*rule.params["values"], None]}

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        plan.only(rule.params["values"])

    def edges(self, rule: Rule) -> list[tuple[str, Any, bool]]:
        """Each option, kept: the contract run sends every one of them at least once; and
        each value the page names as unsupported or a neighbour model offers, broken."""
        shown = partial(json.dumps, ensure_ascii=False)
        kept = [(f"option {shown(v)}", v, True) for v in rule.params["values"]]
        named = [(f"unsupported {shown(v)}", v, False) for v in rule.params.get("unsupported", [])]
        others = [
            (f"a neighbour's option {shown(v)}", v, False)
            for v in rule.params.get("neighbours", [])
            if not is_member(v, rule.params.get("unsupported", []))
        ]
        return kept + named + others

    def keep_at(self, rule: Rule, plan: Plan, ctx: Context, measure: Any) -> None:
        plan.require()
        plan.only([measure])

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break:
        from hypothesis import strategies as st

        values = rule.params["values"]
        if measure is not None:
            from apimart_codegen.plans import Unsatisfiable

            if not plan.tolerates(measure):
                raise Unsatisfiable(f"{show(measure)} is excluded here by another rule")
            return Break(lambda draw, _: measure)
        outside = [v for v in near_misses(values) if is_member(v, values) is False]
        return Break(
            lambda draw, _: draw(st.sampled_from([v for v in outside if plan.tolerates(v)]))
        )


def near_misses(values: Sequence[Any]) -> list[Any]:
    """Values of the options' own types that a user might send instead: case slips, typos."""
    found: list[Any] = []
    for value in values:
        if isinstance(value, str):
            found += [value.upper(), value.lower(), value.swapcase(), value + "x", "x" + value]
        elif is_int(value):
            found += [value + 1, value - 1, -value - 1]
        elif isinstance(value, float):
            found += [value + 0.5]
    return [v for v in found if v != ""]


KIND = EnumKind()
