"""The ``apimart`` command as a user meets it: exit codes, output shapes, hostile input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import (
    DOCS_ROOT,
    GENERATED,
    MINIMAL_SPEC,
    ROOT,
    SPECS,
    dumps,
    run_cli,
    write_spec,
)

VALID = {"model": "wan2.6", "prompt": "A cute cat stretching in the sunlight"}
INVALID = {"model": "wan2.6", "prompt": "p", "duration": 7, "resoluton": "720p"}


def _file(tmp_path: Path, value: object, name: str = "body.json") -> str:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else dumps(value), encoding="utf-8")
    return str(path)


def test_valid_body_exits_0(tmp_path: Path) -> None:
    result = run_cli("validate", _file(tmp_path, VALID))
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].endswith("wan2.6: valid (0 error(s), 0 warning(s))")


def test_invalid_body_exits_1_with_one_line_per_violation(tmp_path: Path) -> None:
    result = run_cli("validate", _file(tmp_path, INVALID))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[1] == (
        "  error   /duration: duration must be one of 5, 10, 15, got 7 [wan2.6/duration-enum]"
    )
    assert lines[2].startswith('  warning /resoluton: "resoluton" is not a documented field')
    assert 'did you mean "resolution"?' in lines[2]


def test_json_format_is_exactly_the_documented_shape() -> None:
    result = run_cli("validate", "--format", "json", "-", stdin=dumps(INVALID))
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert list(out) == ["valid", "model", "errors", "warnings"]
    assert out["valid"] is False and out["model"] == "wan2.6"
    assert out["errors"] == [
        {
            "path": "/duration",
            "rule": "wan2.6/duration-enum",
            "message": "duration must be one of 5, 10, 15, got 7",
        }
    ]
    assert [w["path"] for w in out["warnings"]] == ["/resoluton"]


@pytest.mark.parametrize(
    ("stdin", "needle"),
    [
        ('{"model": "wan2.6", ', "malformed JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('"just a string"', "must be a JSON object"),
        ('{"model": "sora-2"}', 'unknown model "sora-2"'),
        ('{"prompt": "no model"}', "model is required"),
        ('{"model": "wan2.6", "seed": NaN}', "NaN is not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        ('{"model": "wan2.6", "prompt": "\\ud800"}', "/prompt: a string holds a lone surrogate"),
        ('{"model": "wan2.6", "prompt": "p", "seed": 1e400}', "/seed: a number too large"),
    ],
    ids=[
        "truncated",
        "array",
        "string",
        "unknown-model",
        "no-model",
        "nan",
        "deep",
        "binary",
        "lone-surrogate",
        "1e400",
    ],
)
def test_unusable_input_exits_2_without_traceback(stdin: str | bytes, needle: str) -> None:
    result = run_cli("validate", "-", stdin=stdin)
    assert result.returncode == 2
    assert needle in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("options", [("--format", "json"), ("--format", "text"), ("--jsonl",)])
def test_a_lone_surrogate_is_unreadable_input_in_every_format(options: tuple[str, ...]) -> None:
    result = run_cli("validate", *options, "-", stdin='{"model": "wan2.6", "prompt": "\\udfff"}')
    assert result.returncode == 2
    output = result.stdout.replace("\\\\", "\\") + result.stderr  # JSON doubles backslashes
    assert "/prompt: a string holds a lone surrogate (\\udfff)" in output
    assert "Traceback" not in result.stderr


def test_closed_stdin_is_a_message_and_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "apimart_codegen.cli", "validate", "-"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        preexec_fn=lambda: os.close(0),
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "apimart validate: <stdin>: standard input is closed"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", [("validate", "-"), ("models",)])
def test_stdout_on_a_full_disk_is_a_message_and_exit_2(command: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "apimart_codegen.cli", *command],
            input=dumps(VALID),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr == f"apimart {command[0]}: cannot write: No space left on device\n"


def test_jsonl_errors_name_file_line_and_column_once(tmp_path: Path) -> None:
    path = _file(
        tmp_path, f'{dumps(VALID)}\n{{"model": 1,\n\n{{"model": "wan2.6"  x}}\n', "m.jsonl"
    )
    result = run_cli("validate", "--jsonl", path)
    messages = [json.loads(line)["errors"][0]["message"] for line in result.stdout.splitlines()[1:]]
    assert messages == [
        f"{path}:2:13: malformed JSON: Expecting property name enclosed in double quotes",
        f"{path}:4:21: malformed JSON: Expecting ',' delimiter",
    ]


def test_a_body_over_10_mib_is_refused_with_its_size() -> None:
    body = dumps({"model": "wan2.6", "prompt": "x" * (10 * 1024 * 1024)})
    result = run_cli("validate", "-", stdin=body)
    assert result.returncode == 2
    assert "over the 10,485,760-byte limit" in result.stderr


def test_a_large_body_under_the_limit_is_judged_with_a_short_message() -> None:
    body = dumps(
        {
            "model": "wan2.7-r2v",
            "prompt": "x" * 9_000_000,
            "video_urls": ["https://cdn.example.com/v.mp4"],
        }
    )
    result = run_cli("validate", "--format", "json", "-", stdin=body)
    assert result.returncode == 1
    (error,) = json.loads(result.stdout)["errors"]
    assert error["message"] == "prompt must be at most 5000 characters, got 9000000"


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = run_cli("validate", str(tmp_path / "nope.json"))
    assert result.returncode == 2 and "cannot read" in result.stderr


def test_jsonl_gives_one_result_per_line_and_a_summary(tmp_path: Path) -> None:
    lines = [dumps(VALID), "", dumps(INVALID), "{oops", dumps({"model": "nope"})]
    result = run_cli("validate", "--jsonl", _file(tmp_path, "\n".join(lines) + "\n", "b.jsonl"))
    results = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in results] == [1, 3, 4, 5]
    assert [r["valid"] for r in results] == [True, False, False, False]
    assert results[2]["errors"][0]["rule"] == "apimart/unreadable"
    assert result.stderr.strip() == (
        "4 line(s): 1 valid, 1 invalid, 2 unreadable or of unknown model"
    )
    assert result.returncode == 2


def test_jsonl_of_valid_and_invalid_exits_1() -> None:
    result = run_cli("validate", "--jsonl", "-", stdin=f"{dumps(VALID)}\n{dumps(INVALID)}\n")
    assert result.returncode == 1


def test_models_lists_seven_models_with_endpoints_and_modes() -> None:
    result = run_cli("models", "--format", "json")
    rows = {row["model"]: row for row in json.loads(result.stdout)}
    assert len(rows) == 7
    assert rows["wan2.7-image"]["endpoint"] == "/v1/images/generations"
    assert rows["wan2.6"]["modes"] == ["text-to-video", "image-to-video"]
    text = run_cli("models").stdout
    assert "wan2.7-r2v" in text and "with-video, without-video, with-first-frame" in text


def test_generate_check_lists_stale_missing_and_extra_files(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    shutil.copytree(GENERATED, out, ignore=shutil.ignore_patterns("__pycache__"))
    assert run_cli("generate", "--check", "--out", str(out)).returncode == 0
    (out / "apimart/_wan2_6.py").write_text("# edited by hand\n")
    (out / "apimart/_viduq3.py").unlink()
    (out / "apimart/leftover.py").write_text("")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = run_cli("generate", "--check", "--out", str(out))
    assert result.returncode == 1
    assert set(result.stdout.splitlines()) == {
        f"stale: {out}/apimart/_wan2_6.py",
        f"missing: {out}/apimart/_viduq3.py",
        f"extra: {out}/apimart/leftover.py",
    }
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # wrote nothing
    inside = subprocess.run(  # run from the folder above: paths as the user types them
        [sys.executable, "-m", "apimart_codegen.cli", "generate", "--check", "--out", "generated"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert "stale: generated/apimart/_wan2_6.py" in inside.stdout.splitlines(), inside.stderr
    assert run_cli("generate", "--out", str(out)).returncode == 0
    assert run_cli("generate", "--check", "--out", str(out)).returncode == 0


def test_a_malformed_spec_is_reported_with_its_place_and_generates_nothing(tmp_path: Path) -> None:
    write_spec(
        tmp_path / "specs", "tiny.yaml", MINIMAL_SPEC.replace("enum: [5, 10]", "enum: [5, 10")
    )
    out = tmp_path / "out"
    result = run_cli("generate", "--specs", str(tmp_path / "specs"), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.startswith("specs/tiny.yaml:")
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_lint_passes_on_the_real_specs() -> None:
    result = run_cli("lint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("lint: ok (5 specs, 7 models, ")


def test_lint_notices_a_changed_page(tmp_path: Path) -> None:
    docs = tmp_path / "pages"
    shutil.copytree(DOCS_ROOT, docs)
    page = docs / "wan2.6.txt"
    page.write_text(
        page.read_text()
        .replace("Supported values: 5, 10, 15 seconds only", "Supported values: 5 or 10 seconds")
        .replace('"duration" : 10', '"duration" : 8')
    )
    result = run_cli("lint", "--docs", str(docs))
    assert result.returncode == 1
    assert "quote not found in wan2.6.txt: 'Video duration (seconds) Supported" in result.stdout
    assert "example 'Case 3: Image-to-Video' matches no request body" in result.stdout
    assert "the document prints a request body no example transcribes" in result.stdout


def test_lint_catches_a_default_that_breaks_a_rule(tmp_path: Path) -> None:
    write_spec(tmp_path / "specs", "tiny.yaml", MINIMAL_SPEC.replace("default: 5", "default: 7"))
    docs = tmp_path / "shared" / "docs"
    docs.mkdir(parents=True)
    (docs / "tiny.txt").write_text("Request Parameters fixed as tiny-1 Duration 5 or 10")
    result = run_cli("lint", "--specs", str(tmp_path / "specs"), "--docs-root", str(docs.parent))
    assert result.returncode == 1
    assert "the documented defaults break rule tiny-1/duration-enum" in result.stdout


def test_lint_prints_the_meta_schema() -> None:
    schema = json.loads(run_cli("lint", "--meta-schema").stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    kinds = schema["properties"]["rules"]["items"]["properties"]["kind"]["enum"]
    assert "percent_sum" in kinds and "range" in kinds


def test_demo_runs_every_example_and_leaves_no_folder_behind(tmp_path: Path) -> None:
    result = run_cli("demo", env={**os.environ, "TMPDIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "26/26 tasks completed with their files (29 files)" in result.stdout
    assert "every documented example is valid" in result.stdout
    assert f"results, downloaded under {tmp_path}/apimart-demo-" in result.stdout
    assert list(tmp_path.iterdir()) == []  # the results' temporary folder is gone


def test_default_paths_are_the_projects_and_follow_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from apimart_codegen import paths

    for name in ("APIMART_SPECS", "APIMART_GENERATED", "APIMART_DOCS"):
        monkeypatch.delenv(name, raising=False)
    assert (paths.specs_dir(), paths.generated_dir(), paths.docs_root()) == (
        SPECS,
        GENERATED,
        DOCS_ROOT,
    )
    monkeypatch.setenv("APIMART_SPECS", str(tmp_path))
    assert paths.specs_dir() == tmp_path
