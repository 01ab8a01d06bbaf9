"""A model added as one YAML file and its page passes the checks unchanged.

The project is copied, the fictional model of ``tests/new_model/`` (a spec and its Markdown
page) is added to the copy's ``specs/`` and ``vendor-docs/``, and the copy is linted and
generated; then the copy's own tests that read the set of specs, models and pages run there
(with the copy's package and generated client first on the path), and the contract suite's
sensitivity must find every rule of the new model. No Python is edited on the way. About
60 s on two cores.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from apimart_codegen.spec.loader import load_specs
from tests import wheels
from tests.support import ROOT

NEW_MODEL = Path(__file__).resolve().parent / "new_model"

# the copy's tests that count or list specs, models, examples, families or pages, and those that
# judge or run every model's examples (run with the copy's own suite, as `make test` would)
AFFECTED = [
    "tests/test_loader.py::test_every_model_of_every_spec_file_loads",
    "tests/test_lint_docs.py::test_every_page_the_specs_cite_is_a_file_of_the_project",
    "tests/test_lint_docs.py::test_the_environment_variable_names_another_docs_folder",
    "tests/test_cli.py::test_models_lists_every_model_with_endpoints_and_modes",
    "tests/test_cli.py::test_lint_passes_on_the_real_specs",
    "tests/test_cli.py::test_demo_runs_every_example_and_leaves_no_folder_behind",
    "tests/test_docs_diff.py::test_the_stored_page_against_itself_is_no_drift",
    "tests/test_docs_diff.py::test_errors_name_the_place_and_exit_2",
    "tests/test_docs_pull.py::test_pull_with_no_family_fetches_every_spec_url",
    "tests/test_generated_package.py::test_the_committed_tree_is_exactly_what_the_specs_generate",
    "tests/test_interpreter.py::test_the_judge_agrees_with_the_plain_reading_on_examples_and_broken_variants",
    "tests/test_mock_submit.py::test_each_model_gets_the_envelope_of_its_page",
    "tests/test_release.py::test_the_committed_ledger_is_the_release_of_the_specs",
    "tests/test_docs_scaffold.py::test_each_stored_page_drafts_a_spec_that_lints",
    "tests/test_docs_scaffold.py::test_re_derivation_meets_its_goals",
    "contract_tests/",  # with --apimart-model kestrel-1: every rule of the new model
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("new-model") / "project"
    shutil.copytree(ROOT, copy, ignore=wheels.COPY_IGNORES)
    shutil.copy(NEW_MODEL / "kestrel.yaml", copy / "specs")
    shutil.copy(NEW_MODEL / "kestrel.md", copy / "vendor-docs")
    return copy


def _env(project: Path) -> dict[str, str]:
    path = os.pathsep.join([str(project / "generator"), str(project / "generated")])
    return {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=_env(project),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_new_model_lints_generates_and_passes_the_affected_tests(project: Path) -> None:
    where = _run(project, "-c", "import apimart, apimart_codegen; print(apimart.__file__)")
    assert where.stdout.startswith(str(project / "generated")), where.stdout + where.stderr
    lint = _run(project, "-m", "apimart_codegen.cli", "lint")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert lint.stdout.startswith("lint: ok (6 specs, 8 models, ")
    generate = _run(project, "-m", "apimart_codegen.cli", "generate")
    assert generate.returncode == 0, generate.stdout + generate.stderr
    assert "created: generated/apimart/_kestrel.py" in generate.stdout.splitlines()
    tests = _run(
        project, "-m", "pytest", "-p", "no:cacheprovider", "--apimart-model", "kestrel-1",
        *AFFECTED,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    summary = tests.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"=* ?\d+ passed in .*", summary), summary


def test_the_contract_suite_detects_every_rule_of_the_new_model(project: Path) -> None:
    if not (project / "generated" / "apimart" / "_kestrel.py").exists():
        generate = _run(project, "-m", "apimart_codegen.cli", "generate")
        assert generate.returncode == 0, generate.stdout + generate.stderr
    result = _run(
        project, "-m", "apimart_codegen.cli", "contract", "--sensitivity", "--model", "kestrel-1",
        "--seed", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (model,) = load_specs(NEW_MODEL).models
    rules = len(model.rules)  # the spec's own rule and those its parameters' keywords make
    assert f"sensitivity: {rules}/{rules} rules detected in " in result.stdout
