"""The rule interpreter's shortcuts change no verdict.

``ModelJudge`` looks each rule's kind up once, skips a rule whose path starts at a key the
payload lacks, reads one-key paths straight off the payload, and finds the values of longer
paths once with ``walk``. Each is held here to the plain reading of the specs it replaces:
every rule of the model, its ``when`` asked, its kind's ``check`` run on the whole payload
(on every documented example and variants that break or drop each field), and ``walk`` to
its recursive definition.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from apimart_codegen import conditions
from apimart_codegen.interpreter import Interpreter, ModelJudge, Verdict, Violation
from apimart_codegen.jsonvalue import EACH, walk
from apimart_codegen.kinds import RULE_KINDS
from apimart_codegen.spec.model import ModelSpec
from tests.support import specs

KINDS = {kind.name: kind for kind in RULE_KINDS}
JUNK: tuple[Any, ...] = (None, "", [], {}, 0, -1, 10**9, 2.5, True, "NOT-AN-OPTION", "x" * 6000)


def plain_verdict(model: ModelSpec, payload: object) -> Verdict:
    """The specs read the plain way: every rule, its condition, its kind's whole-payload check."""
    modes = {mode.name: mode.when for mode in model.modes}
    errors: list[Violation] = []
    warnings: list[Violation] = []
    for rule in model.rules:
        if rule.when is not None and not conditions.holds(rule.when, payload, modes):
            continue
        sink = errors if rule.severity == "error" else warnings
        for finding in KINDS[rule.kind].check(rule, payload):
            sink.append(Violation(finding.at, rule.id, finding.message, rule.severity))
    return Verdict(model.name, tuple(errors), tuple(warnings))


def variants(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The body, then each top-level field dropped or set to each junk value, then items
    of each array field (and of its objects) dropped or set to junk."""
    yield body
    for name, value in body.items():
        dropped = {key: item for key, item in body.items() if key != name}
        yield dropped
        for junk in JUNK:
            yield {**body, name: junk}
        if isinstance(value, list) and value:
            for junk in JUNK:
                yield {**body, name: [*value, junk]}
            first = value[0]
            if isinstance(first, dict):
                for key in first:
                    for junk in JUNK[:6]:
                        broken = copy.deepcopy(value)
                        broken[0][key] = junk
                        yield {**body, name: broken}
                    emptied = copy.deepcopy(value)
                    del emptied[0][key]
                    yield {**body, name: emptied}


def cases() -> Iterator[tuple[ModelSpec, dict[str, Any]]]:
    for model in specs().models:
        for example in model.examples:
            body = json.loads(json.dumps(example.body))
            for variant in variants(body):
                yield model, variant


def test_the_judge_agrees_with_the_plain_reading_on_examples_and_broken_variants() -> None:
    checked = invalid = 0
    for model, payload in cases():
        judge = ModelJudge(model, KINDS)
        assert judge.judge(payload) == plain_verdict(model, payload), (model.name, payload)
        checked += 1
        invalid += not plain_verdict(model, payload).valid
    assert checked > 1500 and invalid > checked // 2  # the variants do break rules


@pytest.mark.parametrize("payload", [None, [], "text", 5, {"prompt": "no model"}])
def test_the_judge_agrees_on_bodies_that_are_no_model_object(payload: object) -> None:
    for model in specs().models:
        assert ModelJudge(model, KINDS).judge(payload) == plain_verdict(model, payload)


def test_the_interpreter_uses_one_judge_per_model() -> None:
    interpreter = Interpreter(specs())
    assert set(interpreter.judges) == {model.name for model in specs().models}
    model = specs().models[0]
    body = json.loads(json.dumps(model.examples[0].body))
    assert interpreter.judge(body) == plain_verdict(model, body)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["a", "b~/", ""]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["a", "b", "c~/"]), inner, max_size=3)
    ),
    max_leaves=30,
)
patterns = st.lists(st.sampled_from(["a", "b", "c~/", EACH]), max_size=4).map(tuple)


@settings(max_examples=400, deadline=None)
@given(json_values, patterns)
def test_walk_finds_what_the_recursive_definition_finds_in_the_same_order(
    root: object, pattern: tuple[str, ...]
) -> None:
    assert walk(root, pattern) == list(_walk_recursively(root, pattern))


def _walk_recursively(
    root: object, pattern: tuple[str, ...], base: str = ""
) -> Iterator[tuple[str, object]]:
    """What a path reaches, by its definition: EACH fans out over a list, a key steps into a
    dict that has it, anything else reaches nothing."""
    if not pattern:
        yield base, root
        return
    head, rest = pattern[0], pattern[1:]
    if head == EACH:
        if isinstance(root, list):
            for index, item in enumerate(root):
                yield from _walk_recursively(item, rest, f"{base}/{index}")
    elif isinstance(root, dict) and head in root:
        step = head.replace("~", "~0").replace("/", "~1")
        yield from _walk_recursively(root[head], rest, f"{base}/{step}")
