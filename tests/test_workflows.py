"""The GitHub Actions workflows users copy: well-formed, and calling commands that exist."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from apimart_codegen.cli import build_parser
from tests.support import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
# `apimart contract` is the lead's command, merged into main before this branch.
PENDING_COMMANDS = {"contract"}


def _workflow(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _steps(workflow: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    steps = workflow["jobs"][job]["steps"]
    assert isinstance(steps, list)
    return steps


def _runs(steps: list[dict[str, Any]]) -> str:
    return "\n".join(step.get("run", "") for step in steps)


def test_the_drift_job_is_scheduled_and_pulls_diffs_then_checks_on_drift() -> None:
    workflow = _workflow("docs-drift.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"] == [{"cron": "17 6 * * 1"}]
    assert "workflow_dispatch" in triggers
    steps = _steps(workflow, "drift")
    order = [
        "apimart docs pull --out pulled",
        'apimart docs diff "$family" "pulled/$family.txt"',
        'apimart docs diff "$family" "pulled/$family.txt" --apply',
        "apimart lint --docs pulled",
        "apimart generate",
        "apimart contract",
        "make test",
        "GITHUB_STEP_SUMMARY",
    ]
    text = _runs(steps)
    places = [text.find(command) for command in order]
    assert -1 not in places, dict(zip(order, places, strict=True))
    assert places == sorted(places)
    on_drift = [step for step in steps if step.get("if") == "steps.diff.outputs.drift == 'true'"]
    assert [step["name"] for step in on_drift] == [
        "Apply what the extractor can derive again",
        "Lint the specs against the pulled pages",
        "Regenerate the client from the specs",
        "Contract run against the mock with the regenerated client",
        "Test suite on the pulled pages",
        "Open a pull request with the spec change and the regenerated client",
        "Report",
    ]
    pull_request = next(s for s in on_drift if "pull request" in s["name"])
    assert pull_request["uses"].startswith("peter-evans/create-pull-request@")


def test_the_ordinary_job_runs_the_test_suite_on_every_push() -> None:
    workflow = _workflow("test.yml")
    assert set(workflow[True]) == {"push", "pull_request"}
    assert [step.get("run") for step in _steps(workflow, "test")][-2:] == [
        "make test",
        "make check",
    ]


def test_every_apimart_command_the_workflows_call_exists() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert commands is not None
    used = set()
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split()
            for index, word in enumerate(words[:-1]):
                if word.endswith("bin/apimart"):
                    used.add(words[index + 1])
    assert used == {"docs", "lint", "generate", "contract"}
    assert used - set(commands) <= PENDING_COMMANDS


def _actionlint() -> str | None:
    venv_bin = str(Path(sys.executable).parent)
    return os.environ.get("ACTIONLINT") or shutil.which(
        "actionlint", path=os.pathsep.join([venv_bin, os.environ.get("PATH", "")])
    )


def test_actionlint_finds_nothing_wrong_and_would_notice_a_mistake(tmp_path: Path) -> None:
    actionlint = _actionlint()
    assert actionlint is not None, "no actionlint: the dev extra installs it (make install)"
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
    clean = subprocess.run(
        [actionlint, "-no-color", *files], capture_output=True, text=True, check=False
    )
    assert (clean.returncode, clean.stdout) == (0, "")
    broken = tmp_path / "broken.yml"
    broken.write_text(
        (WORKFLOWS / "docs-drift.yml")
        .read_text(encoding="utf-8")
        .replace("steps.diff.outputs.drift", "steps.dif.outputs.drift"),
        encoding="utf-8",
    )
    noticed = subprocess.run(
        [actionlint, "-no-color", str(broken)], capture_output=True, text=True, check=False
    )
    assert noticed.returncode == 1
    assert 'property "dif" is not defined' in noticed.stdout
