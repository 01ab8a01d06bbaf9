"""A pip user's apimart-codegen: both wheels installed in a fresh environment, outside a checkout.

Both wheels are built offline; pip installs the generator's wheel into a new virtual
environment, finding the client it pins (``apimart==<version>``) in a folder beside it and
every other dependency already there (linked in from this environment, so no package index is
asked). Then the README's commands run from a folder that is no checkout, with no APIMART_*
variable set: they must use the specs and pages the wheel bundles. About 30 s on two cores:
two builds, one install, a mock and a short contract run over loopback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from apimart_codegen.targets.release import release_version
from tests import wheels
from tests.support import GENERATED, URL_LINE, specs

NEW_MODEL = Path(__file__).resolve().parent / "new_model"


@dataclass(frozen=True)
class Installed:
    bin: Path
    home: Path  # the working folder of every command: no checkout
    env: dict[str, str]

    def run(
        self, *args: str, stdin: str | None = None, timeout: float = wheels.TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / "apimart"), *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.home,
            env=self.env,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("pip-user")
    found = work / "wheels"  # what pip may install from: the two wheels alone
    found.mkdir()
    client = wheels.client_wheel(work / "client")
    generator = wheels.generator_wheel(work / "generator")
    for wheel in (client, generator):
        (found / wheel.name).symlink_to(wheel)
    python, site = wheels.new_env(work / "env")
    third_party = [r.name for r in wheels.requirements(generator) if r.name != "apimart"]
    for name in sorted(wheels.installed_closure(third_party)):
        wheels.link_distribution(name, site, scripts=python.parent)
    result = wheels.pip_install(python, "--find-links", str(found), str(generator))
    assert result.returncode == 0, result.stdout + result.stderr
    home = work / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APIMART_", "PYTHON"))}
    return Installed(python.parent, home, env)


def test_pip_brings_the_client_the_generator_pins(installed: Installed) -> None:
    listed = subprocess.run(
        [str(installed.bin / "python"), "-c", PRINT_DISTRIBUTIONS],
        capture_output=True,
        text=True,
        cwd=installed.home,
        check=True,
    ).stdout
    versions = json.loads(listed)
    assert versions["apimart"] == versions["apimart-codegen"] == release_version(specs())


PRINT_DISTRIBUTIONS = (
    "import importlib.metadata as m, json; "
    "print(json.dumps({d.metadata['Name'].lower(): d.version for d in m.distributions()}))"
)


def test_validate_and_models_use_the_installed_client(installed: Installed) -> None:
    body = '{"model":"wan2.6","prompt":"p","resolution":"1080P","duration":7}'
    result = installed.run("validate", "--format", "json", "-", stdin=body)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert [e["rule"] for e in report["errors"]] == [
        "wan2.6/resolution-enum",
        "wan2.6/duration-enum",
    ]
    models = installed.run("models", "--format", "json")
    assert models.returncode == 0, models.stderr
    assert {row["model"] for row in json.loads(models.stdout)} == {
        model.name for model in specs().models
    }


def test_lint_reads_the_bundled_specs_and_pages(installed: Installed) -> None:
    loaded = specs()
    result = installed.run("lint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == (
        f"lint: ok ({len(loaded.files)} specs, {len(loaded.models)} models, "
        f"{sum(len(m.rules) for m in loaded.models)} rules, "
        f"{sum(len(m.examples) for m in loaded.models)} examples)\n"
    )
    # --specs and --docs: the user's own
    own = installed.run("lint", "--specs", str(NEW_MODEL), "--docs", str(NEW_MODEL))
    assert own.returncode == 0, own.stdout + own.stderr
    assert own.stdout.startswith("lint: ok (1 specs, 1 models, ")
    # the bundled pages are never written to (a loopback URL: nothing leaves the machine)
    pull = installed.run("docs", "pull", "wan2.6", "--url", "http://127.0.0.1:9/page")
    assert pull.returncode == 2
    assert pull.stderr == (
        "apimart docs pull: the pages bundled with the package are not written to: "
        "give --out DIR or --print\n"
    )
    page = installed.home / "page.txt"
    page.write_text("Request Parameters\nmodel\nstring\nfixed as wan2.6\n", encoding="utf-8")
    for args, message in (
        (["diff", "wan2.6", str(page), "--apply"], "the specs bundled with the package"),
        (["scaffold", str(page)], "the pages bundled with the package"),
    ):
        refused = installed.run("docs", *args)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert message in refused.stderr and "Traceback" not in refused.stderr


def test_generate_writes_what_the_checkout_holds(installed: Installed) -> None:
    refused = installed.run("generate")
    assert refused.returncode == 2
    assert "give --out DIR" in refused.stderr and "Traceback" not in refused.stderr
    out = installed.home / "out"
    result = installed.run("generate", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    written = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    committed = {
        p.relative_to(GENERATED).as_posix(): p.read_bytes()
        for p in GENERATED.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in str(p)
    }
    assert written == committed  # byte for byte, the release number too
    again = installed.run("generate", "--check", "--out", str(out))
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.fixture
def mock_url(installed: Installed) -> Iterator[str]:
    process = subprocess.Popen(
        [str(installed.bin / "apimart"), "mock", "--port", "0", "--speed", "1000"],
        cwd=installed.home,
        env={**installed.env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        match = URL_LINE.fullmatch(first)
        assert match, first + (process.stderr.read() if process.poll() is not None else "")
        yield match.group(1)
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_contract_against_the_installed_mock(installed: Installed, mock_url: str) -> None:
    result = installed.run(
        "contract", "--base-url", mock_url, "--model", "wan2.6", "--seed", "1",
        "--max-examples", "3", "--negatives", "1", "--poll", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    rules = len(specs().model("wan2.6").rules)  # type: ignore[union-attr]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(rf": {rules} rules, no contract violations$", summary), summary
    assert "wan2.6/duration-enum" in result.stdout


def test_submit_waits_and_downloads_from_the_installed_mock(
    installed: Installed, mock_url: str
) -> None:
    body = installed.home / "body.json"
    body.write_text('{"model": "wan2.7-image", "prompt": "a kestrel", "n": 2}', encoding="utf-8")
    out = installed.home / "results"
    result = subprocess.run(
        [str(installed.bin / "apimart"), "submit", str(body), "--base-url", mock_url,
         "--out", str(out), "--poll-interval", "0.2", "--timeout", "60"],
        capture_output=True, text=True, cwd=installed.home, timeout=wheels.TIMEOUT, check=False,
        env={**installed.env, "APIMART_API_KEY": "sk-installed"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    files = sorted(path.name for path in out.iterdir())
    assert len(files) == 2 and all(name.endswith(".png") for name in files), files
    assert all((out / name).read_bytes().startswith(b"\x89PNG") for name in files)


def test_demo_runs_every_bundled_example(installed: Installed) -> None:
    result = installed.run("demo", "--speed", "1000")
    assert result.returncode == 0, result.stdout + result.stderr
    examples = sum(len(model.examples) for model in specs().models)
    assert f"{examples}/{examples} tasks completed with their files" in result.stdout
