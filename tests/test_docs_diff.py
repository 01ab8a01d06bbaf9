"""``apimart docs diff``: a changed page, said in the spec's terms (rule ids, examples, names)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apimart_codegen.cli import main
from apimart_codegen.page_diff import listed_parameters, segments
from tests.support import DOCS_ROOT, run_cli

DURATION = "Supported values: 5, 10, 15 seconds only"


def _edited(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    text = (DOCS_ROOT / name).read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["docs", "diff", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "family", ["wan2.6", "wan2.7-r2v", "wan2.7-videoedit", "viduq3", "wan2.7-image"]
)
def test_the_stored_page_against_itself_is_no_drift(
    family: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["docs", "diff", family, str(DOCS_ROOT / f"{family}.txt")])
    assert capsys.readouterr().out.splitlines()[-1] == (
        "no drift: the page says what the spec quotes"
    )
    assert code == 0


def test_an_edited_duration_sentence_names_the_rules_quoting_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _edited(tmp_path, "wan2.6.txt", (DURATION, "Supported values: 5, 10 seconds only"))
    code, result = _diff(capsys, "wan2.6", str(page))
    assert code == 1
    assert result["drift"] is True
    [change] = result["sentences"]  # type: ignore[misc]
    assert change["change"] == "changed"
    assert change["old"] == [f"Video duration (seconds) {DURATION} Default: 5"]
    assert change["new"] == [
        "Video duration (seconds) Supported values: 5, 10 seconds only Default: 5"
    ]
    assert {(c["cited_by"], c["stands"]) for c in change["citations"]} == {
        ("wan2.6/duration-type", False),
        ("wan2.6/duration-enum", False),
    }
    assert all(c["loc"].startswith("specs/wan2.6.yaml:") for c in change["citations"])
    assert result["bodies"] == [] and result["parameters"] == []


def test_a_sentence_grown_around_a_quote_still_names_it_and_says_it_stands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _edited(
        tmp_path,
        "wan2.6.txt",
        (f"{DURATION} Default: 5", f"{DURATION} Default: 5 15 seconds needs 720p"),
    )
    code, result = _diff(capsys, "wan2.6", str(page))
    assert code == 1
    [change] = result["sentences"]  # type: ignore[misc]
    assert {(c["cited_by"], c["stands"]) for c in change["citations"]} == {
        ("wan2.6/duration-type", True),
        ("wan2.6/duration-enum", True),
    }


def test_a_changed_example_is_named_with_the_fields_that_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _edited(tmp_path, "wan2.6.txt", ('"duration" : 10', '"duration" : 8'))
    code, result = _diff(capsys, "wan2.6", str(page))
    assert code == 1
    assert result["sentences"] == []
    [body] = result["bodies"]  # type: ignore[misc]
    assert (body["change"], body["example"], body["fields"]) == (
        "changed",
        "Case 3: Image-to-Video",
        ["/duration"],
    )
    assert (body["old"]["duration"], body["new"]["duration"]) == (10, 8)


def test_new_parameters_and_new_examples_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _edited(
        tmp_path,
        "viduq3.txt",
        (
            "seed\ninteger\nRandom seed",
            'fps\ninteger\ndefault:"24"\nFrames per second.\nseed\ninteger\nRandom seed',
        ),
        ('"seed": 42\n}', '"seed": 42,\n  "fps": 48,\n  "style": {"tone": "warm"}\n}'),
        (
            "Query Task Results",
            'Case 3: Short clip\n{"model": "viduq3-mix", "prompt": "A cat jumps", '
            '"image_urls": ["https://example.com/cat.png"], "duration": 1}\nQuery Task Results',
        ),
    )
    code, result = _diff(capsys, "viduq3", str(page))
    assert code == 1
    assert [(p["pointer"], p["where"]) for p in result["parameters"]] == [  # type: ignore[union-attr]
        (
            "/fps",
            ["the parameter list", _after("Case 2: viduq3-mix High Quality Reference-to-Video")],
        ),
        ("/style", [_after("Case 2: viduq3-mix High Quality Reference-to-Video")]),
    ]
    assert [(b["change"], b["example"], b["fields"]) for b in result["bodies"]] == [  # type: ignore[union-attr]
        ("changed", "Case 2: viduq3-mix High Quality Reference-to-Video", ["/fps", "/style"]),
        ("appeared", None, []),
    ]
    assert result["bodies"][1]["after"] == "Case 3: Short clip"  # type: ignore[index]


def _after(sentence: str) -> str:
    return f"the request body after {sentence[:60]!r}"


def test_the_text_report_reads_for_people(tmp_path: Path) -> None:
    page = _edited(tmp_path, "wan2.6.txt", (DURATION, "Supported values: 5, 10 seconds only"))
    result = run_cli("docs", "diff", "wan2.6", str(page))
    assert result.returncode == 1
    assert result.stdout.splitlines()[2:6] == [
        "changed:",
        f"  - Video duration (seconds) {DURATION} Default: 5",
        "  + Video duration (seconds) Supported values: 5, 10 seconds only Default: 5",
        "  quoted by wan2.6/duration-type (specs/wan2.6.yaml:82:13, quote gone)",
    ]
    assert result.stdout.splitlines()[-1] == (
        "drift: 1 sentence change(s), 0 request body change(s), 0 unknown parameter(s)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "apimart docs diff: no spec has family 'nope' (families: viduq3, wan2.6, "),
        (
            ["wan2.6", "/nonexistent/page.txt"],
            "apimart docs diff: /nonexistent/page.txt: no such file",
        ),
    ],
)
def test_errors_name_the_place_and_exit_2(args: list[str], message: str) -> None:
    result = run_cli("docs", "diff", *args)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr


def test_a_missing_stored_page_is_an_error(tmp_path: Path) -> None:
    result = run_cli(
        "docs", "diff", "wan2.6", str(DOCS_ROOT / "wan2.6.txt"), "--docs", str(tmp_path)
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"apimart docs diff: specs/wan2.6.yaml: document {tmp_path}/wan2.6.txt not found\n"
    )


def test_segments_keep_their_place_in_the_normalised_page() -> None:
    page = (DOCS_ROOT / "wan2.7-image.txt").read_text(encoding="utf-8")
    flat = " ".join(page.split())
    segs = segments(page)
    assert all(flat[s.start : s.end] == s.text for s in segs)
    assert sum(s.body is not None for s in segs) == 9  # the curl body twice, seven examples


def test_the_parameter_list_is_read_from_name_and_type_lines() -> None:
    page = (DOCS_ROOT / "viduq3.txt").read_text(encoding="utf-8")
    assert listed_parameters(page) == [
        "model",
        "prompt",
        "image_urls",
        "duration",
        "resolution",
        "aspect_ratio",
        "seed",
    ]


def test_control_characters_from_a_page_reach_the_terminal_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _edited(
        tmp_path, "wan2.6.txt", (DURATION, "Supported values: 5, 10 \x1b[2J\x9b31m only")
    )
    code = main(["docs", "diff", "wan2.6", str(page)])
    out = capsys.readouterr().out
    assert code == 1
    assert "\x1b" not in out and "\x9b" not in out
    assert "+ Video duration (seconds) Supported values: 5, 10 \\x1b[2J\\x9b31m only" in out
