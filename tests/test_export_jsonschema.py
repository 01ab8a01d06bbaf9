"""The exported JSON Schemas, judged by the ``jsonschema`` library against the project's rules.

The differential property test holds the library, given an exported schema, to the
generated validators' verdict on every rule the schema says (all but those listed in
``x-apimart-rules``). Where JSON Schema cannot follow the project it is written down here:

* JSON Schema counts 5.0 as an integer; the project does not (``type`` rules refuse it).
  A disagreement is accepted only when every error the schema should have seen is such a
  ``type`` error on an integral float.
"""

from __future__ import annotations

import json
import re
from typing import Any

import apimart
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from apimart_codegen.jsonvalue import walk
from apimart_codegen.kinds.media_type import ALIASES, SAMPLES, foreign_data_uri, problem
from apimart_codegen.kinds.schema import anchored, integer_range
from apimart_codegen.spec.model import ModelSpec
from tests.support import GENERATED
from tests.test_agreement import JUNK, MODELS, payloads, values

SCHEMAS = {
    name: json.loads((GENERATED / "schemas" / f"{name}.schema.json").read_text("utf-8"))
    for name in MODELS
}
VALIDATORS = {name: jsonschema.Draft202012Validator(schema) for name, schema in SCHEMAS.items()}
ABSENT_VALUES: list[Any] = [None, "", [], {}]


def unsaid(name: str) -> set[str]:
    return {entry["id"] for entry in SCHEMAS[name]["x-apimart-rules"]}


def validate(model: ModelSpec, payload: object) -> apimart.Report:
    """The model's own validator; a body that is no object gets the package's verdict on it."""
    if not isinstance(payload, dict):
        return apimart.validate(payload)
    function = getattr(apimart, f"validate_{model.identifier}")
    return function(payload)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_schema_is_valid_2020_12_with_an_id_of_our_own(name: str) -> None:
    schema = SCHEMAS[name]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:apimart-codegen:schemas:{name}.schema.json"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_spec_example_is_embedded_and_valid(name: str) -> None:
    model = MODELS[name]
    assert SCHEMAS[name]["examples"] == [dict(example.body) for example in model.examples]
    assert len(SCHEMAS[name]["examples"]) >= 1
    for example in SCHEMAS[name]["examples"]:
        assert list(VALIDATORS[name].iter_errors(example)) == []


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_rules_left_out_are_listed_with_message_and_source(name: str) -> None:
    """x-apimart-rules holds exactly the warnings and the errors no kind can say."""
    model = MODELS[name]
    listed = {entry["id"]: entry for entry in SCHEMAS[name]["x-apimart-rules"]}
    expected = {
        rule.id
        for rule in model.rules
        if rule.severity == "warning"
        or rule.kind in ("same_length", "percent_sum", "box", "media_type")
    }
    assert set(listed) == expected
    for rule in model.rules:
        if rule.id in listed:
            entry = listed[rule.id]
            assert entry["path"] == rule.pointer
            assert entry["source"]["quote"] == rule.source.quote
            assert entry["message"]
            assert ("if" in entry) == (rule.when is not None)
    said = len(model.rules) - len(listed)
    assert f"{said} of {len(model.rules)} rules are said here" in SCHEMAS[name]["$comment"]


def _required_fields(model: ModelSpec) -> list[tuple[str, ...]]:
    return [r.path for r in model.rules if r.kind == "required" and r.when is None]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_required_fields_refuse_null_empty_string_and_empty_list(name: str) -> None:
    """The project's "absent": a required field given as null, "", [] or {} is not given."""
    model = MODELS[name]
    tried = 0
    for example in model.examples:
        for path in _required_fields(model):
            for at, parent in walk(dict(example.body), path[:-1]):
                if not isinstance(parent, dict) or path[-1] not in parent:
                    continue
                for empty in ABSENT_VALUES:
                    body = json.loads(json.dumps(example.body))
                    target = body
                    for step in at.split("/")[1:]:
                        target = target[int(step)] if isinstance(target, list) else target[step]
                    target[path[-1]] = empty
                    assert not VALIDATORS[name].is_valid(body), (at, path, empty)
                    assert not validate(model, body).valid
                    tried += 1
    assert tried >= 4 * len(model.examples)


def test_the_issue_cases_are_refused() -> None:
    """What the schemas let through before: required nulls, 4K and 100x100 on wan2.7-image."""
    image = {"model": "wan2.7-image", "prompt": "p"}
    assert VALIDATORS["wan2.7-image"].is_valid(image)
    for body in (
        {**image, "size": "4K"},
        {**image, "size": "100x100"},
        {**image, "prompt": None},
        {**image, "model": ""},
        {**image, "color_palette": [{"hex": None, "ratio": "50%"}] * 3},
        {**image, "image_urls": [None]},
    ):
        assert not VALIDATORS["wan2.7-image"].is_valid(body), body
    assert VALIDATORS["wan2.7-image-pro"].is_valid(
        {**image, "model": "wan2.7-image-pro", "size": "4K"}
    )
    r2v = {"model": "wan2.7-r2v", "prompt": "p", "video_urls": ["https://x.example/v.mp4"]}
    assert VALIDATORS["wan2.7-r2v"].is_valid(r2v)
    for body in (
        {**r2v, "video_urls": []},
        {**r2v, "video_urls": [None]},
        {**r2v, "duration": 12},
        {**r2v, "image_with_roles": [{"url": ""}]},
        {**r2v, "image_with_roles": [{"url": "https://x.example/a.png"}] * 5},
        {
            **r2v,
            "image_with_roles": [{"url": "https://x.example/a.png", "role": "first_frame"}] * 2,
        },
    ):
        assert not VALIDATORS["wan2.7-r2v"].is_valid(body), body
    assert VALIDATORS["wan2.7-r2v"].is_valid(
        {
            **r2v,
            "video_urls": None,
            "image_with_roles": [{"url": "https://x.example/a.png"}],
            "duration": 12,
        }
    )


def test_integer_range_regex_is_exact() -> None:
    for low, high in [(0, 9), (5, 123), (768, 2048), (768, 4096), (1, 1), (10, 99)]:
        pattern = re.compile(integer_range(low, high))
        for number in range(0, 5000):
            assert bool(pattern.fullmatch(str(number))) == (low <= number <= high), number
        assert pattern.fullmatch("00" + str(high)) is not None


def _integral_floats(payload: object, path: tuple[str, ...]) -> bool:
    found = [value for _, value in walk(payload, path)]
    return bool(found) and all(isinstance(v, float) and v.is_integer() for v in found)


def _explained(model: ModelSpec, payload: object, errors: list[apimart.Violation]) -> bool:
    """True when every error is a ``type`` error on 5.0-like values (JSON Schema's integer)."""
    rules = {rule.id: rule for rule in model.rules}
    for error in errors:
        rule = rules.get(error.rule)
        if rule is None or rule.kind != "type" or rule.params["type"] != "integer":
            return False
        if not _integral_floats(payload, rule.path):
            return False
    return bool(errors)


def _cases(model: ModelSpec) -> st.SearchStrategy[object]:
    redrawn_model = st.sampled_from([dict(e.body) for e in model.examples]).flatmap(
        lambda body: values(model, model.parameter("model")).map(  # type: ignore[arg-type]
            lambda value: {**body, "model": value}
        )
    )
    absent = st.sampled_from([dict(e.body) for e in model.examples]).flatmap(
        lambda body: st.sampled_from(sorted(body)).flatmap(
            lambda key: st.sampled_from(ABSENT_VALUES).map(lambda v: {**body, key: v})
        )
    )
    edges = [
        (rule.path[0], f"{a}{sep}{b}")
        for rule in model.rules
        if rule.kind == "pixel_size" and len(rule.path) == 1
        for low, high in [(rule.params["min"], rule.params["max"])]
        for a in (low - 1, low, high, high + 1)
        for b in (low, high + 1)
        for sep in "x*"
    ]
    pixel_edges = st.sampled_from([dict(e.body) for e in model.examples]).flatmap(
        lambda body: st.sampled_from(edges or [("size", "1x1")]).map(
            lambda edge: {**body, edge[0]: edge[1]}
        )
    )
    return payloads(model) | redrawn_model | absent | pixel_edges | st.sampled_from(JUNK)


CASES = st.sampled_from(sorted(MODELS)).flatmap(
    lambda name: st.tuples(st.just(name), _cases(MODELS[name]))
)


def said_in_part(name: str) -> set[str]:
    return {e["id"] for e in SCHEMAS[name]["x-apimart-rules"] if e.get("said") == "in part"}


def _declared_type_refused(errors: list[apimart.Violation], part: set[str]) -> set[str]:
    """Where a rule said in part (a data URI's media type) refuses the type it declares."""
    return {e.path for e in errors if e.rule in part and ", got a data URI of type" in e.message}


def agree(name: str, payload: object, validator: jsonschema.protocols.Validator) -> bool:
    """Whether the schema and the generated validators give one verdict on what the schema says.

    Rules listed in x-apimart-rules are not the schema's to judge, except the part a rule
    said in part says (a data URI's declared media type): there the schema's refusal must
    be at the places the rule refuses for that reason. The one divergence written down
    above (5.0 as an integer) counts as agreement.
    """
    model = MODELS[name]
    report = validate(model, payload).errors
    errors = [e for e in report if e.rule not in unsaid(name)]
    foreign = _declared_type_refused(report, said_in_part(name))
    if foreign:
        if errors:
            return not validator.is_valid(payload)
        places = {"/" + "/".join(map(str, e.absolute_path)) for e in validator.iter_errors(payload)}
        return bool(places) and places <= foreign | {p.rsplit("/", 1)[0] for p in foreign}
    if validator.is_valid(payload) == (not errors):
        return True
    return validator.is_valid(payload) and _explained(model, payload, errors)


@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CASES)
def test_jsonschema_and_the_generated_validators_agree(case: tuple[str, object]) -> None:
    name, payload = case
    assert agree(name, payload, VALIDATORS[name]), payload


def test_the_stream_reaches_both_verdicts() -> None:
    seen: set[bool] = set()

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(CASES)
    def collect(case: tuple[str, object]) -> None:
        seen.add(VALIDATORS[case[0]].is_valid(case[1]))

    collect()
    assert seen == {True, False}


def test_the_written_down_divergence_and_only_it_is_excused() -> None:
    body = {"model": "wan2.6", "prompt": "p", "duration": 5.0}
    assert VALIDATORS["wan2.6"].is_valid(body)
    assert [e.rule for e in validate(MODELS["wan2.6"], body).errors] == ["wan2.6/duration-type"]
    assert agree("wan2.6", body, VALIDATORS["wan2.6"])
    schema = json.loads(json.dumps(SCHEMAS["wan2.6"]))
    schema["properties"]["duration"] = {}
    loose = jsonschema.Draft202012Validator(schema)
    assert not agree("wan2.6", {**body, "duration": 7.5}, loose)


def test_a_schema_that_says_less_is_caught() -> None:
    """The differential check can fail: drop a required field and a payload tells them apart."""
    schema = json.loads(json.dumps(SCHEMAS["wan2.7-r2v"]))
    schema["required"].remove("prompt")
    payload = {"model": "wan2.7-r2v", "video_urls": ["https://x.example/v.mp4"]}
    assert agree("wan2.7-r2v", payload, VALIDATORS["wan2.7-r2v"])
    assert not agree("wan2.7-r2v", payload, jsonschema.Draft202012Validator(schema))


def test_null_items_are_wrong_types_but_null_fields_are_absent() -> None:
    base = {"model": "wan2.6", "prompt": "p"}
    assert VALIDATORS["wan2.6"].is_valid({**base, "audio_url": None, "image_urls": None})
    assert not VALIDATORS["wan2.6"].is_valid({**base, "image_urls": [None]})
    assert not validate(MODELS["wan2.6"], {**base, "image_urls": [None]}).valid


def test_exported_patterns_mean_what_python_fullmatch_means() -> None:
    """No match before a final newline, and Python's \\s (U+001C yes, U+FEFF no), spelled out."""
    for pattern in (r"[^\s/]+", r"\s", r"a\S", r"[Hh]ttps?://[^\s]*"):
        exported = re.compile(anchored(pattern))
        for text in ["a", "a\n", "\x1c", "\ufeff", " ", "ab", "https://x", "https://x\n"] + [
            chr(code) for code in range(0x3100)
        ]:
            assert bool(exported.search(text)) == bool(re.fullmatch(pattern, text)), (pattern, text)
    assert "\\s" not in anchored(r"[^\s]").removesuffix("(?![\\s\\S])")


def test_a_data_uris_declared_type_is_said_exactly() -> None:
    """The pattern matches exactly the data URIs refused for the type they declare."""
    allowed = ("image/jpeg", "image/png", "image/webp", "image/bmp")
    pattern = re.compile(foreign_data_uri(allowed))
    types = [*SAMPLES, *ALIASES, "image/svg+xml", "image/tiff", "text/plain", "", "image/png2"]
    cases = [
        f"{scheme}{pad}{spelled}{pad}{tail}"
        for scheme in ("data:", "DATA:", "Data:", "dat:", "https://x.example/")
        for media_type in types
        for spelled in (media_type, media_type.upper())
        for pad in ("", " ", "\x1c", "\ufeff")
        for tail in (f";base64,{SAMPLES['image/png']}", ",abc", "", ";charset=x;base64,AA")
    ]
    refused = 0
    for value in cases:
        tail = problem(value, allowed)
        by_type = tail is not None and tail.startswith(", got a data URI of type")
        assert (pattern.search(value) is not None) == by_type, value
        refused += by_type
    assert 0 < refused < len(cases)
    # In the schema: refused for the declared type, accepted (by the schema) for the content.
    validator = VALIDATORS["wan2.7-image"]
    base = {"model": "wan2.7-image", "prompt": "p"}
    assert not validator.is_valid({**base, "image_urls": ["data:image/gif;base64,R0lGODlhAA=="]})
    mislabelled = f"data:image/jpeg;base64,{SAMPLES['image/png']}"
    assert validator.is_valid({**base, "image_urls": [mislabelled]})
    assert not validate(MODELS["wan2.7-image"], {**base, "image_urls": [mislabelled]}).valid


def test_the_rewrites_for_the_tools_keep_every_verdict() -> None:
    """``no_union`` and ``opened`` change the shape generators and linters see, not the verdict."""
    from apimart_codegen.targets.jsonschema import opened
    from apimart_codegen.targets.jsonschema._merge import no_union

    either = {"anyOf": [{"required": ["a"]}, {"required": ["b"]}], "not": {"required": ["c"]}}
    partial = {"if": {"properties": {"a": {"const": 1}}}, "then": {"required": ["b"]}}
    values: list[Any] = [{}, {"a": 1}, {"b": 2}, {"a": 1, "b": 2}, {"a": 2, "c": 3}, {"c": 1}]
    values += [[], 5]
    for original, rewritten in ((either, no_union(either)), (partial, opened(partial))):
        for value in values:
            expected = jsonschema.Draft202012Validator(original).is_valid(value)
            assert jsonschema.Draft202012Validator(rewritten).is_valid(value) == expected, value
    assert "anyOf" not in no_union(either)
    assert opened(partial)["if"]["additionalProperties"] is True
    assert "additionalProperties" not in opened({"properties": {"a": {}}})  # a body is not partial
    with pytest.raises(ValueError, match="unevaluatedProperties"):
        opened({"allOf": [{"unevaluatedProperties": False}]})
