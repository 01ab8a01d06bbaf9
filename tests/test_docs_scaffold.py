"""`apimart docs scaffold` and `docs diff --apply`: pages in the vendor's wordings, the five
stored pages re-derived, and edited copies of them carried into their specs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from apimart_codegen.scaffold import scaffold
from apimart_codegen.scaffold._compare import compare
from apimart_codegen.spec.loader import load_specs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "vendor-docs"

PAGE = """POST
/
v1
/
videos
/
generations
curl --request POST \\
  --url https://api.apimart.ai/v1/videos/generations \\
  --header 'Content-Type: application/json' \\
  --data '{
    "model": "kite-fast",
    "prompt": "a kite",
    "duration": 5,
    "count": 2
  }'
{
  "code": 200,
  "data": [
    {
      "status": "submitted",
      "task_id": "task_x"
    }
  ]
}

Request Parameters

model
string
required
Model nameSupported models:
  • kite-fast - Fast drafts
  • kite-pro - Best quality
prompt
string
required
Text prompt, up to 800 characters
count
integer
Number of videos. Range: 1-6
shots
integer
Shots per video. Supports 1, 2, 4
frames
integer
Frames per step. Value range: 1
steps
integer
Sampling steps. Fixed at 1
image_urls
array<url>
Reference images. Maximum 5 images
duration
integer
default:"5"
Video duration. Only supports: 5 or 10 seconds
fps
integer
Frame rate. Supported values: 4, 6, 8, 10
⚠️ Uploads larger than 10 MB are rejected by the gateway.
style
string
Visual style
  • kite-fast: 540p / 720p (default)
  • kite-pro: 720p (default) / 1080p

Model Limits

ModelDuration rangeReference images
kite-fast1-6 seconds1-3 images
kite-pro2-10 seconds1-5 images

Response

code
integer
Response status code
"""


def _param(spec: dict, name: str, model: str | None = None) -> dict:
    if model is None:
        return spec["parameters"][name]
    return spec["models"][model].get("parameters", {}).get(name, {})


def test_wordings_become_rules_that_quote_their_sentences(tmp_path: Path) -> None:
    result = scaffold(PAGE, doc="kite.txt", docs_root=tmp_path, family="kite")
    spec = result.draft.spec
    assert list(spec["models"]) == ["kite-fast", "kite-pro"]
    assert _param(spec, "prompt")["max_length"] == 800
    assert (_param(spec, "count")["minimum"], _param(spec, "count")["maximum"]) == (1, 6)
    assert _param(spec, "shots")["enum"] == [1, 2, 4]
    assert _param(spec, "frames")["enum"] == [1]
    assert _param(spec, "steps")["enum"] == [1]
    assert _param(spec, "image_urls")["max_items"] == 5
    assert _param(spec, "image_urls")["items"]["format"] == "http-url"
    assert _param(spec, "duration")["enum"] == [5, 10]
    assert _param(spec, "duration")["default"] == 5
    assert _param(spec, "fps")["enum"] == [4, 6, 8, 10]
    assert _param(spec, "style", "kite-fast")["enum"] == ["540p", "720p"]
    assert _param(spec, "style", "kite-pro")["enum"] == ["720p", "1080p"]
    # the table of models with their limits
    assert _param(spec, "duration", "kite-pro")["maximum"] == 10
    assert _param(spec, "image_urls", "kite-fast")["max_items"] == 3
    # the warning note is kept for a person, not dropped
    reviewed = [item["source"] for item in spec["unchecked"]]
    assert any("10 MB" in quote for quote in reviewed)
    # every quote stands on the page; what lint still wants is said, exactly
    assert result.remaining == ["specs/kite.yaml:40:3: error: model kite-pro has no example"]


def test_no_rule_without_a_sentence(tmp_path: Path) -> None:
    page = PAGE.replace("Number of videos. Range: 1-6", "Number of videos.")
    spec = scaffold(page, doc="kite.txt", docs_root=tmp_path, family="kite").draft.spec
    assert set(_param(spec, "count")) == {"type", "description", "source"}


@pytest.mark.parametrize("doc", sorted(p.name for p in DOCS.glob("*.txt")))
def test_each_stored_page_drafts_a_spec_that_lints(doc: str) -> None:
    result = scaffold((DOCS / doc).read_text(encoding="utf-8"), doc=doc, docs_root=DOCS)
    assert result.remaining == []
    assert result.draft.spec["examples"]


def test_re_derivation_meets_its_goals() -> None:
    rows = [
        compare(spec, (DOCS / spec.doc).read_text(encoding="utf-8"), DOCS)
        for spec in load_specs(ROOT / "specs").files
    ]
    single = sum(r.single_same for r in rows) / sum(r.single for r in rows)
    cross = sum(r.cross_drafted for r in rows) / sum(r.cross for r in rows)
    assert single >= 0.90
    assert cross >= 0.50
    assert [c for r in rows for c in r.contradictions] == [
        "wan2.7-image/resolution-enum: hand {'values': ['1K', '2K']} "
        "vs drafted {'values': ['1K', '2K', '4K']}"
    ]


# -- docs diff --apply ----------------------------------------------------------------------


def _apimart(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "apimart_codegen.cli", *args],
        cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip


def _project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    shutil.copytree(DOCS, tmp_path / "vendor-docs")
    return tmp_path


EDITS = {
    "changed enum list": (
        "wan2.6",
        [("Supported values: 5, 10, 15 seconds only", "Supported values: 5, 10 seconds only")],
        [("    enum: [5, 10, 15]\n", "    enum: [5, 10]\n"),
         ('"Video duration (seconds) Supported values: 5, 10, 15 seconds only Default: 5"',
          '"Video duration (seconds) Supported values: 5, 10 seconds only Default: 5"')],
        ["duration: description 'Video duration in seconds, 5, 10 or 15 only.' repeats enum "
         "[5, 10, 15], now [5, 10]: edit it by hand"],
    ),
    "changed range": (
        "viduq3",
        [("  • viduq3-mix: 1 to 16", "  • viduq3-mix: 2 to 16"),
         ("viduq3-mix supports minimum 1 second.", "viduq3-mix supports minimum 2 seconds."),
         ("3-16 seconds1-16 seconds", "3-16 seconds2-16 seconds")],
        [("        minimum: 1\n", "        minimum: 2\n"),
         ('source: "viduq3-mix: 1 to 16"', 'source: "viduq3-mix: 2 to 16"')],
        ["models/viduq3-mix/duration: description 'Video duration in seconds, 1 to 16.' "
         "repeats minimum 1, now 2: edit it by hand"],
    ),
    "removed option": (
        "wan2.7-videoedit",
        [("  • 3:4 - Portrait\nIf omitted", "If omitted")],
        [('    enum: ["16:9", "9:16", "1:1", "4:3", "3:4"]\n    description: Output aspect',
          '    enum: ["16:9", "9:16", "1:1", "4:3"]\n    description: Output aspect')],
        ["size: description 'Output aspect ratio, 16:9, 9:16, 1:1, 4:3 or 3:4; omitted, it "
         "matches the input video.' repeats enum ['16:9', '9:16', '1:1', '4:3', '3:4'], now "
         "['16:9', '9:16', '1:1', '4:3']: edit it by hand"],
    ),
    "changed length, the description quotes the sentence": (
        "wan2.7-videoedit",
        [("unwanted content, up to 500 characters", "unwanted content, up to 800 characters")],
        [("    max_length: 500\n", "    max_length: 800\n"),
         ("    description: Negative prompt describing unwanted content, up to 500 characters.\n"
          '    source: "Negative prompt describing unwanted content, up to 500 characters"',
          "    description: Negative prompt describing unwanted content, up to 800 characters.\n"
          '    source: "Negative prompt describing unwanted content, up to 800 characters"')],
        [],
    ),
    "new parameter": (
        "wan2.7-videoedit",
        [("metadata\nobject\n", "loop\nboolean\ndefault:\"false\"\n"
          "Whether to loop the output video\nmetadata\nobject\n")],
        [("  metadata:\n", "  loop:\n    type: boolean\n    default: false\n"
          "    description: Whether to loop the output video\n"
          "    source: Whether to loop the output video\n    cite:\n"
          "      default: \"default:\\\"false\\\"\"\n  metadata:\n")],
        [],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(EDITS))
def test_apply_writes_the_spec_a_person_would(tmp_path: Path, case: str) -> None:
    family, page_edits, spec_edits, named = EDITS[case]
    root = _project(tmp_path)
    page = (DOCS / f"{family}.txt").read_text(encoding="utf-8")
    for old, new in page_edits:
        assert old in page
        page = page.replace(old, new)
    (root / "new.txt").write_text(page, encoding="utf-8")
    expected = (ROOT / "specs" / f"{family}.yaml").read_text(encoding="utf-8")
    for old, new in spec_edits:
        assert old in expected
        expected = expected.replace(old, new, 1)
    done = _apimart("docs", "diff", family, "new.txt", "--apply", "--specs", "specs",
                    "--docs", "vendor-docs", cwd=root)  # fmt: skip
    # a description that repeats a changed value in its own words is left to a person
    assert done.returncode == (1 if named else 3), done.stdout + done.stderr
    for line in named:
        assert f"  for a person: {line}\n" in done.stdout, done.stdout
    assert (root / "specs" / f"{family}.yaml").read_text(encoding="utf-8") == expected
    YAML().load(expected)
    (root / "vendor-docs" / f"{family}.txt").write_text(page, encoding="utf-8")
    linted = _apimart("lint", "--specs", "specs", "--docs", "vendor-docs", cwd=root)
    assert "lint: ok" in linted.stdout + linted.stderr, linted.stdout + linted.stderr


def test_apply_with_nothing_to_do_and_with_a_rest(tmp_path: Path) -> None:
    root = _project(tmp_path)
    same = _apimart("docs", "diff", "wan2.6", "vendor-docs/wan2.6.txt", "--apply",
                    "--specs", "specs", "--docs", "vendor-docs", cwd=root)  # fmt: skip
    assert same.returncode == 0 and "nothing to apply" in same.stdout
    page = (DOCS / "wan2.6.txt").read_text(encoding="utf-8")
    page = page.replace(
        "Supported values: 5, 10, 15 seconds only", "Supported values: 5, 10 seconds only"
    )
    page = page.replace("prompt parameter is required", "prompt parameter is recommended")
    (root / "new.txt").write_text(page, encoding="utf-8")
    rest = _apimart("docs", "diff", "wan2.6", "new.txt", "--apply", "--specs", "specs",
                    "--docs", "vendor-docs", cwd=root)  # fmt: skip
    assert rest.returncode == 1, rest.stdout + rest.stderr
    assert "applied: duration: enum [5, 10, 15] -> [5, 10]" in rest.stdout
    assert (
        "prompt-required-text-to-video" in rest.stdout
        or "prompt parameter is required" in rest.stdout
    )


def test_scaffold_command_refuses_to_replace_a_file(tmp_path: Path) -> None:
    root = _project(tmp_path)
    done = _apimart("docs", "scaffold", "vendor-docs/viduq3.txt", "--out", "specs/viduq3.yaml",
                    "--docs", "vendor-docs", cwd=root)  # fmt: skip
    assert done.returncode == 2
    assert "exists" in done.stderr and "Traceback" not in done.stderr
    fresh = _apimart("docs", "scaffold", "vendor-docs/viduq3.txt", "--out", "draft.yaml",
                     "--docs", "vendor-docs", cwd=root)  # fmt: skip
    assert fresh.returncode == 0, fresh.stderr
    assert "lint: ok" in fresh.stderr
    assert (root / "draft.yaml").read_text(encoding="utf-8").startswith("# Drafted by")
