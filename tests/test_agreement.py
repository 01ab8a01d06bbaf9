"""The generated validators and the rule interpreter agree on every payload.

Payloads are drawn from each model's own parameters: documented values, their case slips,
every bound and its neighbours, format near-misses, wrong JSON types, missing and unknown
keys. The two implementations were written independently (the kinds' ``emit`` and
``check``), so agreement on this stream is evidence both are right, not a tautology.
"""

from __future__ import annotations

from typing import Any

import apimart
from hypothesis import HealthCheck, given, settings, strategies as st

from apimart_codegen.interpreter import Interpreter, judge_model
from apimart_codegen.kinds import bounds
from apimart_codegen.spec.model import ModelSpec, Parameter
from tests.support import specs

STRINGS = [
    "https://cdn.example.com/a.png",
    "http://x.example/v.mp4",
    "http://[::1/x",  # URLs httpx cannot parse: the format refuses them too
    "http://[::1]:8000/hook",
    "http://1.2.3.999/a.png",
    "https://cdn.example.com/a\x1b.png",
    "ftp://x",
    "https://",
    "",
    "data:image/png;base64,iVBORw0KGgo=",
    "data:text/plain;base64,AA==",
    "data:image/svg+xml;base64,PHN2Zz4=",
    "data:image/gif;base64,R0lGODlhAQABAIAAAP8=",
    "data:image/jpeg;base64,iVBORw0KGgo=",
    "data:image/jpg;base64,/9j/4AAQSkZJRg==",
    "data:image/webp;base64,UklGRiQAAABXRUJQVlA4",
    "data:image/bmp,BM",
    "#A1B2C3",
    "#a1b2c",
    "#GGGGGG",
    "23.51%",
    "100%",
    "100.00%",
    "33.33%",
    "50%",
    "0.5%",
    "101%",
    "1.234%",
    "4K",
    "2K",
    "1K",
    "2k",
    "16:9",
    "21:9",
    "3:2",
    "1024x1024",
    "4096*4096",
    "700x2000",
    "5000x5000",
    "1024X1024",
    "first_frame",
    "reference_image",
    "origin",
    "auto",
]
JUNK = [None, 0, -1, 1.5, 8.0, True, False, "x", [], {}, [1, 2]]


def _numbers(model: ModelSpec, param: Parameter) -> list[int]:
    found = {0, 1, -1}
    for rule in model.rules:
        if rule.path == param.path and rule.kind in ("range", "enum"):
            spans = bounds.intervals(rule.params) if rule.kind == "range" else []
            for lo, hi in spans:
                for edge in (lo, hi):
                    if edge is not None:
                        found |= {int(edge) - 1, int(edge), int(edge) + 1}
    return sorted(found)


def _lengths(model: ModelSpec, param: Parameter) -> list[int]:
    limits = [
        hi
        for rule in model.rules
        if rule.path == param.path and rule.kind == "length"
        for _, hi in bounds.intervals(rule.params)
        if hi is not None
    ]
    return [n for limit in limits for n in (int(limit), int(limit) + 1)]


def values(model: ModelSpec, param: Parameter, depth: int = 0) -> st.SearchStrategy[Any]:
    junk = st.sampled_from(JUNK)
    if param.enum is not None:
        slips = [
            v.upper() if v != v.upper() else v.lower() for v in param.enum if isinstance(v, str)
        ]
        good = st.sampled_from(list(param.enum) + slips)
    elif param.type == "integer":
        good = st.sampled_from(_numbers(model, param)) | st.integers(-3, 3000)
    elif param.type == "string":
        good = st.sampled_from(STRINGS) | st.builds(
            lambda n: "x" * n, st.sampled_from(_lengths(model, param) or [3])
        )
    elif param.type == "boolean":
        good = st.booleans()
    elif param.type == "array" and param.items is not None and depth < 4:
        good = st.lists(values(model, param.items, depth + 1), max_size=12)
    elif param.type == "object" and depth < 4:
        good = st.fixed_dictionaries(
            {},
            optional={child.name: values(model, child, depth + 1) for child in param.properties}
            | {"extra": st.just(1)},
        )
    else:
        good = junk
    return st.one_of(good, good, good, junk)


def payloads(model: ModelSpec) -> st.SearchStrategy[dict[str, Any]]:
    """Free payloads, documented examples, and examples with one field redrawn."""
    fields = {p.name: values(model, p) for p in model.parameters if p.name != "model"}
    optional = {**fields, "durtion": st.just(5)}
    free = st.fixed_dictionaries({"model": st.just(model.name)}, optional=optional)
    bodies = [dict(example.body) for example in model.examples]

    def one_field_redrawn(body: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        return st.sampled_from(sorted(fields)).flatmap(
            lambda name: fields[name].map(lambda value: {**body, name: value})
        )

    near = st.sampled_from(bodies).flatmap(lambda b: st.just(b) | one_field_redrawn(b))
    return free | near


MODELS = {model.name: model for model in specs().models}
INTERPRETER = Interpreter(specs())
ALL = st.sampled_from(sorted(MODELS)).flatmap(lambda n: st.tuples(st.just(n), payloads(MODELS[n])))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ALL)
def test_generated_validators_agree_with_the_interpreter(case: tuple[str, dict[str, Any]]) -> None:
    name, payload = case
    report = apimart.validate(payload)
    verdict = judge_model(MODELS[name], payload)
    assert [v.to_dict() for v in report.errors] == [v.to_dict() for v in verdict.errors]
    assert [v.to_dict() for v in report.warnings] == [v.to_dict() for v in verdict.warnings]


NAMES = st.sampled_from(sorted(MODELS)).flatmap(
    lambda n: st.sampled_from([n, n.upper(), n.swapcase(), n.title(), f" {n}", n + "x", n[:-1]])
) | st.one_of(st.text(max_size=12), st.sampled_from(JUNK))


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_dispatch_agrees_on_every_model_name(name: object) -> None:
    """Choosing the model (exact names, a hint for a slip of case) is one verdict in both."""
    payload = {"model": name, "prompt": "p"}
    report = apimart.validate(payload)
    verdict = INTERPRETER.judge(payload)
    assert report.model == verdict.model
    assert [v.to_dict() for v in report.errors] == [v.to_dict() for v in verdict.errors]
    assert [v.to_dict() for v in report.warnings] == [v.to_dict() for v in verdict.warnings]


def test_the_stream_reaches_both_verdicts() -> None:
    """Guard against a strategy that only ever produces one kind of payload."""
    seen: set[bool] = set()

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(ALL)
    def collect(case: tuple[str, dict[str, Any]]) -> None:
        seen.add(apimart.validate(case[1]).valid)

    collect()
    assert seen == {True, False}
