"""The contract strategies' labels are the ground truth: both judges must agree with them.

Every case says which violations it was built to have (none for a positive case, exactly
the broken rule, at its pointer, for a negative one). The rule interpreter and the
generated validators are held to that label for every model and every rule; a strategy
that slips in a second, unlabelled violation fails here.
"""

from __future__ import annotations

from typing import Any

import apimart
import pytest
from hypothesis import HealthCheck, given, settings

from apimart_codegen.contract import Case, CaseBuilder, NoStrategies, strategies
from apimart_codegen.interpreter import Interpreter
from apimart_codegen.kinds.base import RuleKind
from tests.support import specs

SETTINGS = settings(
    max_examples=6, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
MODELS = [model.name for model in specs().models]
RULES = [(model.name, rule.id) for model in specs().models for rule in model.rules]


def _verdicts(payload: Any) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    interpreted = Interpreter(specs()).judge(payload)
    generated = apimart.validate(payload)
    return (
        {(v.rule, v.path, "error") for v in interpreted.errors}
        | {(v.rule, v.path, "warning") for v in interpreted.warnings},
        {(v.rule, v.path, "error") for v in generated.errors}
        | {(v.rule, v.path, "warning") for v in generated.warnings},
    )


def _assert_label(case: Case) -> None:
    label = {(e.rule, e.pointer, e.severity) for e in case.expected}
    interpreted, generated = _verdicts(case.payload)
    assert interpreted == label, f"interpreter disagrees with the label of: {case.payload}"
    assert generated == label, f"generated validators disagree with the label of: {case.payload}"


@pytest.mark.parametrize("model", MODELS)
def test_positive_cases_keep_every_rule(model: str) -> None:
    @settings(SETTINGS, max_examples=40)
    @given(strategies.for_model(model))
    def check(case: Case) -> None:
        assert case.expected == () and case.kind == "positive"
        _assert_label(case)

    check()


@pytest.mark.parametrize(("model", "rule"), RULES, ids=[rule for _, rule in RULES])
def test_negative_cases_break_their_rule_alone(model: str, rule: str) -> None:
    @SETTINGS
    @given(strategies.for_model(model, kind="negative", rule=rule))
    def check(case: Case) -> None:
        assert case.rule == rule and case.kind == "negative"
        assert case.expected, "a negative case must break something"
        _assert_label(case)

    check()


BOUNDED = [
    (model.name, rule.id)
    for model in specs().models
    for rule in model.rules
    if strategies.builder(model).kinds[rule.kind].edges(rule)
]


@pytest.mark.parametrize(("model", "rule"), BOUNDED, ids=[rule for _, rule in BOUNDED])
def test_boundary_cases_sit_on_the_edges(model: str, rule: str) -> None:
    seen: set[str] = set()

    @SETTINGS
    @given(strategies.for_model(model, kind="boundary", rule=rule))
    def check(case: Case) -> None:
        assert case.edge is not None
        seen.add(case.edge)
        _assert_label(case)

    check()
    assert seen  # at least one edge was drawn


def test_a_wrong_label_is_caught() -> None:
    """The check above bites: a case labelled valid that is not fails it."""
    case = Case("wan2.6", "positive", {"model": "wan2.6", "prompt": "p", "duration": 7})
    with pytest.raises(AssertionError, match="disagrees with the label"):
        _assert_label(case)


def test_duration_ranges_follow_the_reference_video() -> None:
    """Cases breaking r2v's duration rules carry the branch: a video present or not."""

    @SETTINGS
    @given(
        strategies.for_model("wan2.7-r2v", kind="negative", rule="wan2.7-r2v/duration-with-video")
    )
    def check(case: Case) -> None:
        assert case.payload["video_urls"]
        assert not 2 <= case.payload["duration"] <= 10

    check()


def test_palette_ratios_are_partitions_of_100() -> None:
    from decimal import Decimal

    @settings(SETTINGS, max_examples=30)
    @given(strategies.for_model("wan2.7-image-pro"))
    def check(case: Case) -> None:
        palette = case.payload.get("color_palette")
        if palette:
            assert sum(Decimal(item["ratio"][:-1]) for item in palette) == Decimal("100.00")

    check()


def test_a_kind_without_strategies_is_reported() -> None:
    model = specs().model("wan2.6")
    assert model is not None
    from apimart_codegen.kinds import RULE_KINDS

    kinds = {kind.name: kind for kind in RULE_KINDS}

    class Bare(RuleKind):
        name = "enum"

    kinds["enum"] = Bare()
    with pytest.raises(NoStrategies, match="enum bring no strategies"):
        CaseBuilder(model, kinds)


def test_unknown_targets_are_named() -> None:
    with pytest.raises(strategies.UnknownTarget, match="sora"):
        strategies.for_model("sora")
    with pytest.raises(strategies.UnknownTarget, match="no rule"):
        strategies.for_model("wan2.6", kind="negative", rule="nonsense")
