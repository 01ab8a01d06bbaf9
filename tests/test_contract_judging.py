"""The contract harness against servers built to have one bug each, over a loopback socket.

Each server is the mock changed in one place (tests/broken_servers.py); the harness must
name the right rule or check, and nothing else, on every seed tried. The honest mock over
the same socket must pass.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from apimart_codegen.contract import strategies
from apimart_codegen.contract._runner import Options, Runner
from apimart_codegen.contract._targets import over_http
from apimart_codegen.plans import Plan
from apimart_codegen.spec.loader import SpecErrors, load_specs
from apimart_codegen.spec.model import Parameter
from apimart_codegen.spec.yaml_loc import Loc
from tests import broken_servers as broken
from tests.support import MINIMAL_SPEC, ROOT, run_cli, specs, write_spec

SEEDS = (1, 2)


def _edges(model: str, rule: str) -> list[tuple[str, Any, bool]]:
    found = specs().model(model)
    assert found is not None
    build = strategies.builder(found)
    return strategies.edges(build, next(r for r in found.rules if r.id == rule))


def test_values_the_page_names_unsupported_and_neighbours_options_are_broken_edges() -> None:
    assert ('unsupported "480p"', "480p", False) in _edges("wan2.6", "wan2.6/resolution-enum")
    # viduq3-mix: named on the page, and an option of viduq3 beside it (sent once)
    mix = [e for e in _edges("viduq3-mix", "viduq3-mix/resolution-enum") if not e[2]]
    assert mix == [('unsupported "540p"', "540p", False)]
    # a neighbour's bounds, too: viduq3-mix is 1-16 s, viduq3 3-16 s
    assert ("a neighbour's value 1", 1, False) in _edges("viduq3", "viduq3/duration-range")
    image = [e for e in _edges("wan2.7-image", "wan2.7-image/resolution-enum") if not e[2]]
    assert image == [('a neighbour\'s option "4K"', "4K", False)]  # wan2.7-image-pro's
    # the model field is left alone: another model's name there is that model's request
    assert all(e[2] for e in _edges("viduq3", "viduq3/model-enum"))
    assert all(e[2] for e in _edges("viduq3", "viduq3/resolution-enum"))  # a superset


@pytest.mark.parametrize(
    ("unsupported", "problem"),
    [
        ("[15]", "unsupported value 15 is not named by its quote"),
        ("[5]", "5 is both an option and unsupported"),
        ('["x"]', "unsupported value 'x' of 'duration' is string, not integer"),
    ],
)
def test_an_unsupported_list_the_quote_does_not_back_is_a_spec_error(
    tmp_path: Path, unsupported: str, problem: str
) -> None:
    text = MINIMAL_SPEC.replace(
        "    enum: [5, 10]\n", f"    enum: [5, 10]\n    unsupported: {unsupported}\n"
    )
    write_spec(tmp_path, "tiny.yaml", text)
    with pytest.raises(SpecErrors) as raised:
        load_specs(tmp_path)
    assert problem in str(raised.value)
    assert "tiny.yaml:" in str(raised.value)


def test_lint_checks_the_quote_that_names_a_value_unsupported(tmp_path: Path) -> None:
    copy = tmp_path / "specs"
    shutil.copytree(ROOT / "specs", copy)
    page = copy / "wan2.6.yaml"
    cited = 'unsupported: "480p resolution is not supported"'
    text = page.read_text(encoding="utf-8")
    assert cited in text
    page.write_text(text.replace(cited, 'unsupported: "480p is not offered"'), encoding="utf-8")
    done = run_cli("lint", "--specs", str(copy))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "wan2.6.yaml:" in done.stdout + done.stderr
    assert "quote not found in wan2.6.txt: '480p is not offered'" in done.stdout + done.stderr


def test_each_edge_of_a_nested_enum_holds_the_field_and_its_parent() -> None:
    model = specs().model("wan2.7-videoedit")
    assert model is not None
    build = strategies.builder(model)
    rule = next(r for r in model.rules if r.id == "wan2.7-videoedit/metadata.audio_setting-enum")
    for edge in strategies.edges(build, rule):
        sent = _sent(strategies._cases(build, rule, edge))
        assert len(sent) >= 10 and all(value == edge[1] for value in sent), (edge, sent)


def _sent(cases: Any) -> list[Any]:
    """metadata.audio_setting of 25 drawn cases (None where the case has none)."""
    sent: list[Any] = []

    @settings(max_examples=25, database=None)
    @given(cases)
    def collect(case: Any) -> None:
        sent.append(case.payload.get("metadata", {}).get("audio_setting"))

    collect()
    return sent


def test_unbounded_integers_reach_past_64_bits() -> None:
    model = specs().model("wan2.6")
    assert model is not None
    seeds: list[int] = []

    @settings(max_examples=120, database=None)
    @given(strategies._cases(strategies.builder(model), None, None))
    def collect(case: Any) -> None:
        if "seed" in case.payload:
            seeds.append(case.payload["seed"])

    collect()
    assert any(abs(seed) >= 2**63 for seed in seeds)
    assert any(-(2**31) <= seed < 2**31 for seed in seeds)


@pytest.mark.parametrize("low", [None, 0])
def test_unbounded_numbers_reach_the_ends_json_admits(low: float | None) -> None:
    param = Parameter("x", ("x",), "number", "", False, Loc("test", 1, 1))
    plan = Plan.of(param)
    if low is not None:
        plan.bound("numbers", [(low, None)])
    drawn: list[float] = []

    @settings(max_examples=150, database=None)
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        drawn.append(plan.draw(data.draw))

    collect()
    assert any(value >= 1e300 for value in drawn)
    if low is None:
        assert any(value == 0 and math.copysign(1, value) < 0 for value in drawn)  # -0.0
        assert any(value <= -1e300 for value in drawn)
    else:
        assert all(value >= low for value in drawn)


# -- servers with one bug, over a socket -------------------------------------------------

BROKEN: dict[str, tuple[Any, type[broken.MockCore], tuple[str, ...], set[tuple[str, str]]]] = {
    "accepts 480p, which the page says is not supported": (
        lambda s: broken.with_values(s, "wan2.6/resolution-enum", values=["720p", "1080p", "480p"]),
        broken.MockCore,
        ("wan2.6",),
        {("wan2.6/resolution-enum", "accepts-forbidden")},
    ),
    "viduq3-mix accepts 540p, an option of viduq3 only": (
        lambda s: broken.with_values(
            s, "viduq3-mix/resolution-enum", values=["720p", "1080p", "540p"]
        ),
        broken.MockCore,
        ("viduq3-mix",),
        {("viduq3-mix/resolution-enum", "accepts-forbidden")},
    ),
    "viduq3 accepts 1 s, viduq3-mix's shortest": (
        lambda s: broken.with_values(s, "viduq3/duration-range", intervals=[[1, 1], [3, 16]]),
        broken.MockCore,
        ("viduq3",),
        {("viduq3/duration-range", "accepts-forbidden")},
    ),
    "refuses invalid bodies with 422": (
        lambda s: s,
        broken.RefusesWith422,
        ("wan2.6",),
        {("wan2.6/wire", "wire")},
    ),
    "answers JSON as text/html": (
        lambda s: s,
        broken.AnswersHtml,
        ("wan2.6",),
        {("wan2.6/wire", "wire")},
    ),
    "refuses without the error envelope": (
        lambda s: s,
        broken.BareRefusals,
        ("wan2.6",),
        {("wan2.6/wire", "wire")},
    ),
    "fails on a seed past int32": (
        lambda s: s,
        broken.FailsOnWideSeeds,
        ("wan2.6",),
        {("wan2.6/server-error", "server-error")},
    ),
    "refuses duration 16 (off by one) and does not say why": (
        lambda s: broken.with_values(s, "viduq3/duration-range", max=15),
        broken.SaysNotWhy,
        ("viduq3",),
        {("viduq3/duration-range", "refuses-allowed")},
    ),
    "refuses the option 1080p and does not say why": (
        lambda s: broken.with_values(s, "wan2.6/resolution-enum", values=["720p"]),
        broken.SaysNotWhy,
        ("wan2.6",),
        # one name: not also each rule whose bodies happened to carry 1080p, nor positive
        {("wan2.6/resolution-enum", "refuses-allowed")},
    ),
    "the honest mock": (lambda s: s, broken.MockCore, ("viduq3-mix",), set()),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bug", list(BROKEN))
def test_a_server_with_one_bug_is_named_by_the_right_row_alone(bug: str, seed: int) -> None:
    changed, core, models, expected = BROKEN[bug]
    with broken.serve(broken.mock(changed(specs()), core)) as url:
        run = broken.run_against(specs(), url, seed=seed, models=models)
    assert {(f.rule, f.kind) for f in run.findings} == expected
    for finding in run.findings:
        assert finding.payload is not None and "curl -sS -X POST" in finding.curl
    if bug == "refuses invalid bodies with 422":
        assert "refused with HTTP 422; the wire protocol refuses it with 400" in (
            run.findings[0].message
        )
        # the rules themselves are enforced (a refusal is a refusal): only the wire is wrong
        assert run.stats["wan2.6"]["wan2.6/duration-enum"].verdict == "enforced as documented"
    if bug.startswith("refuses duration 16"):
        assert "the server did not say why" in run.findings[0].message
        assert "without /duration (16)" in run.findings[0].message


def test_the_command_shows_a_wire_finding_in_its_own_row(tmp_path: Path) -> None:
    report = tmp_path / "run.json"
    with broken.serve(broken.mock(specs(), broken.RefusesWith422)) as url:
        done = run_cli(
            "contract",
            "--base-url",
            url,
            "--model",
            "wan2.6",
            "--max-examples",
            "2",
            "--negatives",
            "1",
            "--poll",
            "1",
            "--no-shrink",
            "--seed",
            "1",
            "--report",
            str(report),
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "[1] wan2.6/wire: an answer breaks the wire protocol" in done.stdout
    assert done.stdout.splitlines()[-1].endswith(
        "no contract violations; broken: the wire protocol"
    )
    rows = json.loads(report.read_text())["models"]["wan2.6"]
    assert rows["wan2.6/wire"]["findings"] >= 1 and rows["wan2.6/wire"]["kept"] > 0
    assert rows["wan2.6/duration-enum"]["verdict"] == "enforced as documented"
    assert rows["wan2.6/server-error"]["verdict"] == "as documented"


@pytest.mark.parametrize("seed", SEEDS)
def test_a_key_reused_with_another_body_must_be_refused(seed: int) -> None:
    with broken.serve(broken.mock(specs(), broken.ReplaysAnyBody)) as url:
        target = over_http(url, api_key="mock-key")
        findings = Runner(specs(), target, Options(seed=seed)).lifecycle()
        target.close()
    assert [f.rule for f in findings] == ["apimart/lifecycle"]
    assert "sent with another body answered HTTP 200 with the same task" in findings[0].message


@pytest.mark.parametrize("seed", SEEDS)
def test_a_5xx_in_the_lifecycle_is_a_server_error_not_a_lifecycle_bug(seed: int) -> None:
    with broken.serve(broken.mock(specs(), broken.FailsOnWideSeeds)) as url:
        target = over_http(url, api_key="mock-key")
        findings = Runner(specs(), target, Options(seed=seed)).lifecycle()
        target.close()
    assert findings and all(f.kind == "server-error" for f in findings)
    assert all(f.rule.endswith("/server-error") and f.payload for f in findings)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_honest_mock_keeps_the_lifecycle_over_a_socket(seed: int) -> None:
    with broken.serve(broken.mock(specs())) as url:
        target = over_http(url, api_key="mock-key")
        findings = Runner(specs(), target, Options(seed=seed)).lifecycle()
        target.close()
    assert findings == []


def test_the_pytest_suite_shows_a_status_going_back_under_the_lifecycle_test() -> None:
    """Not under the rule tests whose accepted bodies happened to be polled."""
    with broken.serve(broken.mock(specs(), broken.GoesBack)) as url:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                str(ROOT / "contract_tests"),
                "-p",
                "no:cacheprovider",
                "-p",
                "no:randomly",
                "--apimart-base-url",
                url,
                "--apimart-model",
                "wan2.6",
                "--apimart-rule",
                "wan2.6/duration-enum",
                "--apimart-max-examples",
                "2",
                "--apimart-negatives",
                "1",
                "--apimart-seed",
                "1",
                "-rA",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    module = "contract_tests/test_contract.py"
    assert f"FAILED {module}::test_the_task_lifecycle_keeps_its_promises" in out, out
    # the rule's test passes though its accepted bodies' tasks went back (it failed before)
    assert f"PASSED {module}::test_each_rule_is_enforced_as_documented[wan2.6/duration-enum]" in out
    assert "1 failed, 4 passed" in out, out
    assert "went back" in out
