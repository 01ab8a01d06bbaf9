"""Hypothesis strategies of cases, built from the specs: the harness's public entry point.

    from apimart_codegen.contract import strategies
    strategies.for_model("wan2.7-image-pro", kind="negative")          # any rule, broken alone
    strategies.for_model("wan2.7-r2v", kind="negative", rule="wan2.7-r2v/duration-with-video")
    strategies.for_model("wan2.6", kind="boundary")                    # every range's edges

Every case carries its verdict (``Case.expected``), known from how it was built.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from hypothesis import strategies as st

from apimart_codegen.contract._cases import Case, CaseBuilder, CaseKind
from apimart_codegen.kinds.base import RuleKind
from apimart_codegen.plans import Unsatisfiable
from apimart_codegen.spec.model import ModelSpec, Rule, SpecSet


class UnknownTarget(Exception):
    """A model or rule the specs do not define."""


def _kinds() -> dict[str, RuleKind]:
    from apimart_codegen.kinds import RULE_KINDS

    return {kind.name: kind for kind in RULE_KINDS}


@cache
def _specs() -> SpecSet:
    from apimart_codegen.paths import specs_dir
    from apimart_codegen.spec.loader import load_specs

    return load_specs(specs_dir())


def builder(model: ModelSpec, kinds: Mapping[str, RuleKind] | None = None) -> CaseBuilder:
    return CaseBuilder(model, kinds if kinds is not None else _kinds())


def edges(build: CaseBuilder, rule: Rule) -> list[tuple[str, Any, bool]]:
    return build.kinds[rule.kind].edges(rule)


def for_model(
    name: str,
    *,
    kind: CaseKind = "positive",
    rule: str | None = None,
    specs: SpecSet | None = None,
    kinds: Mapping[str, RuleKind] | None = None,
) -> st.SearchStrategy[Case]:
    """Cases for one model: ``positive``, ``negative`` (one rule broken) or ``boundary``.

    ``rule`` (a full id or the part after ``model/``) limits negative and boundary cases to
    one rule; without it they cover every rule of the model (boundary: every bounded rule).
    """
    model = (specs or _specs()).model(name)
    if model is None:
        raise UnknownTarget(f"unknown model {name!r}")
    build = builder(model, kinds)
    if kind == "positive":
        return _cases(build, None, None)
    rules = list(model.rules)
    if rule is not None:
        full = rule if "/" in rule else f"{model.name}/{rule}"
        rules = [r for r in rules if r.id == full]
        if not rules:
            raise UnknownTarget(f"{model.name} has no rule {rule!r}")
    if kind == "negative":
        return st.one_of([_cases(build, r, None) for r in rules])
    bounded = [(r, edge) for r in rules for edge in edges(build, r)]
    if not bounded:
        raise UnknownTarget(f"{model.name}: no rule with edges among {len(rules)} rule(s)")
    return st.one_of([_cases(build, r, edge) for r, edge in bounded])


def _cases(
    build: CaseBuilder, target: Rule | None, edge: tuple[str, Any, bool] | None
) -> st.SearchStrategy[Case]:
    kind: CaseKind = "positive" if target is None else "boundary" if edge else "negative"

    @st.composite
    def case(draw: st.DrawFn) -> Case:
        from hypothesis import reject

        try:
            return build.draw_case(draw, kind=kind, target=target, edge=edge)
        except Unsatisfiable:
            reject()  # a rare draw whose steered branch contradicts itself

    return case()
