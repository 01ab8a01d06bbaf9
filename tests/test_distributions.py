"""Both distributions build with the standard front end; the client installs and works alone.

The client wheel is built from a copy of ``generated/`` and installed into a fresh virtual
environment that holds nothing but it and its dependency: httpx and what httpx needs are
linked in from this environment (no package index is asked, so the test runs offline).
From there a script validates a body and submits it to the mock server on loopback.
Bounded: two builds and one short script; about 15 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from apimart_codegen.mock import MockAPI, MockServer, VirtualClock
from apimart_codegen.targets.release import release_version
from tests import wheels
from tests.support import DOCS_ROOT, GENERATED, ROOT, SPECS, specs


@pytest.fixture(scope="module")
def client_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wheels.client_wheel(tmp_path_factory.mktemp("client"))


@pytest.fixture(scope="module")
def generator_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wheels.generator_wheel(tmp_path_factory.mktemp("generator"))


def test_the_client_wheel_is_apimart_alone_typed_with_its_schemas(client_wheel: Path) -> None:
    meta = wheels.wheel_metadata(client_wheel)
    assert "Name: apimart\n" in meta
    assert f"Version: {release_version(specs())}\n" in meta
    requires = [line for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    assert requires == ["Requires-Dist: httpx>=0.27"]
    names = wheels.wheel_names(client_wheel)
    assert "apimart/py.typed" in names
    assert "apimart/__init__.py" in names
    schemas = sorted(n for n in names if n.startswith("apimart/schemas/"))
    assert schemas == sorted(f"apimart/schemas/{m.name}.schema.json" for m in specs().models)
    assert not [n for n in names if n.startswith(("generator/", "apimart_codegen/"))]
    # no command: its description (what an index shows) says where the `apimart` command is
    assert not [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    description = " ".join(meta.split())
    assert "it installs no command. The `apimart` command" in description
    assert "`pip install apimart-codegen`" in description


def test_the_generator_wheel_holds_the_generator_not_the_client(generator_wheel: Path) -> None:
    names = wheels.wheel_names(generator_wheel)
    assert "apimart_codegen/cli.py" in names
    assert "apimart_codegen/targets/python/templates/_client.py.j2" in names
    # the folder generator/apimart_codegen/ installs as apimart_codegen, every module of it
    # (found by setuptools, not listed), and nothing as a top-level "generator"
    folder = ROOT / "generator" / "apimart_codegen"
    modules = {
        "apimart_codegen/" + path.relative_to(folder).as_posix()
        for path in folder.rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert modules <= set(names), sorted(modules - set(names))
    assert not [n for n in names if n.startswith(("apimart/", "generator/"))]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(generator_wheel) as wheel:
        declared = wheel.read(entry_points).decode()
    assert "apimart = apimart_codegen.cli:main" in declared
    assert "generator." not in declared
    meta = wheels.wheel_metadata(generator_wheel)
    assert "Name: apimart-codegen\n" in meta
    # the version of the client generated from the same specs, and exactly that client
    version = release_version(specs())
    assert f"Version: {version}\n" in meta
    assert f"apimart=={version}" in [str(r) for r in wheels.requirements(generator_wheel)]


def test_the_generator_wheel_bundles_the_specs_pages_and_ledger_it_was_built_from(
    generator_wheel: Path,
) -> None:
    prefix = "apimart_codegen/bundled/"
    sources = {
        **{f"{prefix}specs/{p.name}": p for p in SPECS.glob("*.yaml")},
        **{
            f"{prefix}vendor-docs/{p.name}": p
            for p in DOCS_ROOT.iterdir()
            if p.is_file() and p.suffix != ".new"
        },
        f"{prefix}release.json": GENERATED / "release.json",
    }
    with zipfile.ZipFile(generator_wheel) as archive:
        bundled = {n: archive.read(n) for n in archive.namelist() if n.startswith(prefix)}
    assert bundled == {name: path.read_bytes() for name, path in sources.items()}


def test_twine_check_passes_for_both(client_wheel: Path, generator_wheel: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "check",
            "--strict",
            str(client_wheel),
            str(generator_wheel),
        ],
        capture_output=True,
        text=True,
        timeout=wheels.TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


@pytest.fixture
def clean_env(tmp_path: Path, client_wheel: Path) -> Iterator[Path]:
    """A new virtual environment with the client wheel and httpx's distributions only."""
    python, site = wheels.new_env(tmp_path / "env")
    for name in sorted(wheels.installed_closure(["httpx"])):
        wheels.link_distribution(name, site)
    installed = wheels.pip_install(python, "--no-deps", str(client_wheel))
    assert installed.returncode == 0, installed.stderr
    yield python


SCRIPT = textwrap.dedent(
    """
    import json, sys
    import apimart

    report = apimart.validate({"model": "wan2.6", "prompt": "p", "duration": 7})
    with apimart.Client(api_key="installed", base_url=sys.argv[1], max_retries=0) as client:
        handle = client.wan2_6(prompt="a red kite over a grey sea", duration=10)
        try:
            client.wan2_6(prompt="p", duration=7, validate=False)
            refused = None
        except apimart.BadRequestError as exc:
            refused = exc.status
    print(json.dumps({
        "file": apimart.__file__,
        "valid": report.valid,
        "rules": [v.rule for v in report.errors],
        "task": handle.id,
        "refused": refused,
        "generator": "apimart_codegen" in sys.modules,
        "yaml": "yaml" in sys.modules,
    }))
    """
)


def test_the_installed_client_validates_and_submits_to_the_mock(clean_env: Path) -> None:
    names = subprocess.run(
        [
            str(clean_env),
            "-c",
            "import importlib.metadata as m; "
            "print(sorted(d.metadata['Name'].lower() for d in m.distributions()))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=clean_env.parent,
    ).stdout
    assert "'apimart'" in names and "'httpx'" in names
    assert "apimart-codegen" not in names and "pyyaml" not in names and "jinja2" not in names
    failed = subprocess.run(
        [str(clean_env), "-c", "import apimart_codegen"],
        capture_output=True,
        check=False,
        cwd=clean_env.parent,
    )
    assert failed.returncode != 0
    mock = MockAPI(specs=specs(), clock=VirtualClock(), api_keys=["installed"])
    with MockServer(mock) as server:
        result = subprocess.run(
            [str(clean_env), "-c", SCRIPT, server.base_url],
            capture_output=True,
            text=True,
            timeout=wheels.TIMEOUT,
            check=False,
            cwd=clean_env.parent,
        )
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert out["file"].startswith(str(clean_env.parent.parent))
        assert out["valid"] is False
        assert out["rules"] == ["wan2.6/duration-enum"]
        assert out["refused"] == 400
        assert out["generator"] is False and out["yaml"] is False
        assert [task.id for task in mock.tasks] == [out["task"]]
        assert sysconfig.get_paths()["purelib"] not in out["file"]
