"""Loading specs: the real ones, and broken ones reported all at once with file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest

from apimart_codegen.kinds import RULE_KINDS
from apimart_codegen.spec.loader import SpecErrors, load_specs
from tests.support import MINIMAL_SPEC, specs, write_spec

EXPECTED_MODELS = {
    "wan2.7-r2v",
    "wan2.6",
    "wan2.7-videoedit",
    "viduq3",
    "viduq3-mix",
    "wan2.7-image",
    "wan2.7-image-pro",
}


def test_the_seven_models_load_from_five_specs() -> None:
    loaded = specs()
    assert len(loaded.files) == 5
    assert {model.name for model in loaded.models} == EXPECTED_MODELS


def test_every_rule_kind_used_by_the_specs_is_registered() -> None:
    used = {rule.kind for model in specs().models for rule in model.rules}
    assert used <= set(RULE_KINDS.names())
    # and the built-ins are all in use: a registered kind no spec needs would be dead code
    assert used == set(RULE_KINDS.names())


def test_per_model_overrides_change_only_that_model() -> None:
    vidu, mix = specs().model("viduq3"), specs().model("viduq3-mix")
    assert vidu is not None and mix is not None
    assert vidu.parameter("resolution").enum == ("540p", "720p", "1080p")  # type: ignore[union-attr]
    assert mix.parameter("resolution").enum == ("720p", "1080p")  # type: ignore[union-attr]
    ranges = {
        m.name: next(r for r in m.rules if r.id.endswith("/duration-range")).params
        for m in (vidu, mix)
    }
    assert ranges == {"viduq3": {"min": 3, "max": 16}, "viduq3-mix": {"min": 1, "max": 16}}


def test_rules_cite_their_sentence_and_place() -> None:
    r2v = specs().model("wan2.7-r2v")
    assert r2v is not None
    rule = next(r for r in r2v.rules if r.id == "wan2.7-r2v/duration-with-video")
    assert rule.source.quote.startswith("When the reference assets include a video")
    assert rule.loc.file == "specs/wan2.7-r2v.yaml" and rule.loc.line > 1
    assert rule.when is not None and rule.when.op == "mode"


def test_a_minimal_spec_loads(tmp_path: Path) -> None:
    write_spec(tmp_path, "tiny.yaml", MINIMAL_SPEC)
    loaded = load_specs(tmp_path)
    assert [m.name for m in loaded.models] == ["tiny-1"]


def _problems(tmp_path: Path, *files: tuple[str, str]) -> list[str]:
    for name, text in files:
        write_spec(tmp_path, name, text)
    with pytest.raises(SpecErrors) as caught:
        load_specs(tmp_path)
    return [str(problem) for problem in caught.value.problems]


def test_every_problem_in_every_file_is_reported_together(tmp_path: Path) -> None:
    broken = MINIMAL_SPEC.replace("    type: integer\n", "    type: integr\n").replace(
        "    output: video\n", "    output: video\n    colour: red\n"
    )
    other = MINIMAL_SPEC.replace("tiny-1", "tiny-2").replace("family: tiny", "family: tiny2")
    other = other.replace("rules: []", "rules:\n  - {id: r, kind: no_such_kind, source: x}")
    problems = _problems(tmp_path, ("a.yaml", broken), ("b.yaml", other))
    joined = "\n".join(problems)
    assert len(problems) == 3, joined
    assert any(p.startswith(f"{tmp_path.name}/a.yaml:") and "integr" in p for p in problems)
    assert any(p.startswith(f"{tmp_path.name}/a.yaml:") and "colour" in p for p in problems)
    assert any(p.startswith(f"{tmp_path.name}/b.yaml:") and "no_such_kind" in p for p in problems)


def test_problem_locations_are_line_and_column(tmp_path: Path) -> None:
    text = MINIMAL_SPEC.replace("    enum: [5, 10]\n", "    enum: [5, ten]\n")
    (problem,) = _problems(tmp_path, ("c.yaml", text))
    line = text.lstrip().splitlines().index("    enum: [5, ten]") + 1
    assert problem.startswith(f"{tmp_path.name}/c.yaml:{line}:")
    assert "'ten'" in problem and "integer" in problem


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ("  - {id: r, kind: range, path: /durashun, min: 1, source: x}", "/durashun"),
        (
            "  - {id: r, kind: range, path: /duration, min: 1, when: {mode: nope}, source: x}",
            "unknown mode 'nope'",
        ),
        (
            "  - {id: r, kind: range, path: /duration, min: 1, source: x}\n"
            "  - {id: r, kind: range, path: /duration, max: 9, source: x}",
            "used twice",
        ),
        ("  - {id: r, kind: range, path: /duration, source: x, maxx: 3}", "maxx"),
        (
            "  - {id: r, kind: required, path: /duration, models: [other], source: x}",
            "unknown model 'other'",
        ),
        (
            "  - {id: r, kind: format, path: /model, "
            "format: {pattern: '(', expected: y}, source: x}",
            "does not compile",
        ),
    ],
)
def test_reference_mistakes_are_caught(tmp_path: Path, rules: str, expected: str) -> None:
    text = MINIMAL_SPEC.replace("rules: []", "rules:\n" + rules)
    problems = _problems(tmp_path, ("d.yaml", text))
    assert any(expected in p for p in problems), problems


def test_malformed_yaml_in_a_spec_is_located(tmp_path: Path) -> None:
    problems = _problems(tmp_path, ("e.yaml", MINIMAL_SPEC + "unchecked: [\n"))
    assert problems and problems[0].startswith(f"{tmp_path.name}/e.yaml:")


def test_the_same_model_in_two_files_is_refused(tmp_path: Path) -> None:
    problems = _problems(tmp_path, ("a.yaml", MINIMAL_SPEC), ("b.yaml", MINIMAL_SPEC))
    assert any("also defined" in p for p in problems)


def test_a_model_is_named_as_the_api_spells_it_and_ids_keep_that_spelling(
    tmp_path: Path,
) -> None:
    write_spec(tmp_path, "tiny.yaml", MINIMAL_SPEC.replace("tiny-1", "Tiny-One"))
    (model,) = load_specs(tmp_path).models
    assert (model.name, model.slug, model.identifier) == ("Tiny-One", "tiny-one", "tiny_one")
    assert {rule.id for rule in model.rules} >= {"Tiny-One/model-enum", "Tiny-One/duration-enum"}


def test_the_model_fields_enum_must_be_the_models_own_name(tmp_path: Path) -> None:
    text = MINIMAL_SPEC.replace("  tiny-1:", "  Tiny-1:")
    text = text.replace("{model: tiny-1}", "{model: Tiny-1}")
    (problem,) = _problems(tmp_path, ("f.yaml", text))
    line = text.lstrip().splitlines().index("    enum: [tiny-1]") + 1
    assert problem.startswith(f"{tmp_path.name}/f.yaml:{line}:11: error: the model field's enum")
    assert problem.endswith("""not ['tiny-1'] (did you mean "Tiny-1"?)""")


def test_an_example_for_a_slip_of_case_points_at_the_models_spelling(tmp_path: Path) -> None:
    text = MINIMAL_SPEC.replace("{model: tiny-1}", "{model: Tiny-1}")
    (problem,) = _problems(tmp_path, ("g.yaml", text))
    assert problem.endswith(
        """example 'smallest' is for model 'Tiny-1', which this spec does not define """
        """(did you mean "tiny-1"?)"""
    )


@pytest.mark.parametrize(
    ("other", "clash"),
    [("TINY-1", "the file name 'tiny-1'"), ("tiny.1", "the Python name 'tiny_1'")],
)
def test_names_derived_from_two_models_may_not_clash(
    tmp_path: Path, other: str, clash: str
) -> None:
    second = MINIMAL_SPEC.replace("tiny-1", other).replace("family: tiny", "family: tiny2")
    problems = _problems(tmp_path, ("a.yaml", MINIMAL_SPEC), ("b.yaml", second))
    assert len(problems) == 1 and problems[0].startswith(f"{tmp_path.name}/b.yaml:"), problems
    assert (
        f"model '{other}' would have {clash} of model 'tiny-1' ({tmp_path.name}/a.yaml:"
        in (problems[0])
    )


def test_an_empty_or_missing_spec_directory_is_an_error(tmp_path: Path) -> None:
    assert "no *.yaml" in _problems(tmp_path)[0]
    with pytest.raises(SpecErrors):
        load_specs(tmp_path / "absent")


def _line_of(text: str, needle: str) -> int:
    return text.lstrip().splitlines().index(needle) + 1


def test_a_parameter_without_a_source_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = MINIMAL_SPEC.replace(
        '    default: 5\n    source: "Duration 5 or 10"\n', "    default: 5\n"
    )
    (problem,) = _problems(tmp_path, ("s.yaml", text))
    declared = _line_of(text, "  duration:") + 1  # where its mapping starts
    assert problem == (
        f"{tmp_path.name}/s.yaml:{declared}:5: error: parameter 'duration' cites no source sentence"
    )


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        (
            "rules: []",
            "rules:\n  - {id: r, kind: range, path: /duration, min: 9, max: 1, source: x}",
            "  - {id: r, kind: range, path: /duration, min: 9, max: 1, source: x}",
        ),
        ("    enum: [5, 10]\n", "    minimum: 10\n    maximum: 1\n", "    minimum: 10"),
        (
            "    enum: [5, 10]\n",
            "    type: string\n    min_length: 4\n    max_length: 2\n".replace(
                "    type: string\n", ""
            ),
            "    min_length: 4",
        ),
    ],
    ids=["rule", "parameter", "length"],
)
def test_a_lower_bound_above_the_upper_fails_at_load_at_its_line(
    tmp_path: Path, old: str, new: str, line: str
) -> None:
    text = MINIMAL_SPEC.replace(old, new)
    problems = _problems(tmp_path, ("m.yaml", text))
    assert [p for p in problems if "greater than the upper bound" in p] == [
        next(p for p in problems if p.startswith(f"{tmp_path.name}/m.yaml:{_line_of(text, line)}:"))
    ]


def test_an_alias_bomb_is_refused_at_a_line_without_expanding_it(tmp_path: Path) -> None:
    bomb = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefg", "bcdefgh", strict=True):
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    (problem,) = _problems(tmp_path, ("bomb.yaml", "\n".join(bomb) + "\n"))
    assert problem.startswith(f"{tmp_path.name}/bomb.yaml:1:")
    assert "expands to more than 100,000 values" in problem


@pytest.mark.parametrize("depth", [60, 5000])
def test_a_deeply_nested_when_is_refused_at_its_line(tmp_path: Path, depth: int) -> None:
    when = "{not: " * depth + "{present: /duration}" + "}" * depth
    rule = f"  - {{id: r, kind: required, path: /model, when: {when}, source: x}}"
    text = MINIMAL_SPEC.replace("rules: []", "rules:\n" + rule)
    (problem,) = _problems(tmp_path, ("w.yaml", text))
    assert problem.startswith(f"{tmp_path.name}/w.yaml:{_line_of(text, rule)}:")
    assert problem.endswith("nested too deeply (more than 50 levels)")
