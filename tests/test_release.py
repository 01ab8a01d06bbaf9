"""Versions grow as the specs change: the release ledger, ``generate`` and ``generate --check``."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from packaging.version import Version

from apimart_codegen.spec.loader import load_specs
from apimart_codegen.targets import release
from tests.support import GENERATED, SPECS, run_cli, specs


def _version(out: Path) -> Version:
    with (out / "pyproject.toml").open("rb") as file:
        return Version(tomllib.load(file)["project"]["version"])


def _edit(spec_dir: Path, old: str, new: str) -> None:
    path = spec_dir / "wan2.6.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the specs and of generated/: (specs, out)."""
    spec_dir, out = tmp_path / "specs", tmp_path / "generated"
    shutil.copytree(SPECS, spec_dir)
    shutil.copytree(GENERATED, out, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return spec_dir, out


def test_the_committed_ledger_is_the_release_of_the_specs() -> None:
    ledger = json.loads((GENERATED / "release.json").read_text(encoding="utf-8"))
    assert ledger["specs"] == release.fingerprint(specs())
    assert ledger["version"] == f"{release.SERIES}.{ledger['release']}"
    assert Version(ledger["version"]) == _version(GENERATED)
    # every version made before the ledger (0.1.<a spec fingerprint>) is lower
    assert Version(ledger["version"]) > Version(f"0.1.{2**32 - 1}")


def test_each_spec_edit_gives_a_higher_version_and_the_same_specs_the_same(
    project: tuple[Path, Path],
) -> None:
    spec_dir, out = project
    versions = [_version(out)]

    def generate(*options: str) -> None:
        # the targets that carry the version (the others take seconds to format their code)
        targets = ("--target", "distribution", "--target", "openapi")
        where = ("--specs", str(spec_dir), "--out", str(out))
        result = run_cli("generate", *targets, *where, *options)
        assert result.returncode == 0, result.stdout + result.stderr
        versions.append(_version(out))

    generate()  # nothing changed: the same version, the same files
    assert versions[1] == versions[0]
    _edit(spec_dir, "enum: [5, 10, 15]", "enum: [5, 10]")
    _edit(spec_dir, "Supported values: 5, 10, 15 seconds only", "Supported values: 5, 10")
    generate()
    _edit(spec_dir, "Random seed for reproducible results.", "A seed.")
    generate()
    generate("--check")  # the files of that release, left as they are
    _edit(spec_dir, "A seed.", "Random seed for reproducible results.")  # the first edit undone
    generate()
    assert versions[2] > versions[1]
    assert versions[3] > versions[2]
    assert versions[4] == versions[3]
    assert versions[5] > versions[4]  # never back to an older version, even for older specs
    assert versions == sorted(versions)
    openapi = json.loads((out / "openapi.json").read_text(encoding="utf-8"))
    assert Version(openapi["info"]["version"]) == versions[-1]


def test_check_fails_when_the_specs_changed_and_the_ledger_did_not(
    project: tuple[Path, Path],
) -> None:
    spec_dir, out = project
    _edit(spec_dir, "Random seed for reproducible results.", "A seed.")
    result = run_cli("generate", "--check", "--specs", str(spec_dir), "--out", str(out))
    assert result.returncode == 1
    assert f"stale: {out}/release.json" in result.stdout.splitlines()
    assert f"stale: {out}/pyproject.toml" in result.stdout.splitlines()


def test_numbering_ignores_the_folder_the_specs_are_read_from(tmp_path: Path) -> None:
    elsewhere = tmp_path / "my-specs"
    shutil.copytree(SPECS, elsewhere)
    assert release.fingerprint(load_specs(elsewhere)) == release.fingerprint(specs())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not a release ledger"),
        ('{"release": 0, "specs": "' + "0" * 64 + '"}', "/release must be a whole number"),
        ('{"release": 3, "specs": "nope"}', "/specs must be a sha256 fingerprint"),
    ],
)
def test_a_broken_ledger_is_a_usage_error_naming_it(
    project: tuple[Path, Path], text: str, message: str
) -> None:
    spec_dir, out = project
    (out / "release.json").write_text(text, encoding="utf-8")
    before = (out / "pyproject.toml").read_bytes()
    result = run_cli("generate", "--specs", str(spec_dir), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.startswith(f"apimart generate: {out}/release.json: {message}")
    assert "Traceback" not in result.stderr
    assert (out / "pyproject.toml").read_bytes() == before
