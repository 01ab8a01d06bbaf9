"""What building apimart-codegen takes from the project around its package.

pyproject.toml says what is static, the dependencies included (``[tool.apimart-codegen]``,
since setuptools cannot add a computed pin to a static list). A wheel also needs, to work
outside a checkout, what only the project knows at build time; it is read from there, so
nothing is kept twice in git:

- the specs and the vendor pages they quote (``specs/*.yaml``, ``vendor-docs/*``) and the
  release ledger of the generated client (``generated/release.json``), copied into the
  package as ``apimart_codegen/bundled/`` (``apimart_codegen.paths`` finds them there);
- the version: the generated client's, from that ledger. apimart-codegen X bundles the specs
  of release X and requires exactly the client generated from them, ``apimart==X``, whose
  validators ``apimart validate`` runs.

An editable install (``make install``) reads the checkout itself and bundles nothing. The
source distribution carries the same files (MANIFEST.in), so a wheel built from it is the same.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
LEDGER = ROOT / "generated" / "release.json"

PYPROJECT = ROOT / "pyproject.toml"


def requirements() -> list[str]:
    """The static dependencies (pyproject.toml, ``[tool.apimart-codegen] dependencies``)."""
    with PYPROJECT.open("rb") as file:
        declared = tomllib.load(file)["tool"]["apimart-codegen"]["dependencies"]
    if not all(isinstance(item, str) for item in declared):
        raise SystemExit(f"{PYPROJECT}: [tool.apimart-codegen] dependencies must be strings")
    return list(declared)


def release_version() -> str:
    version = json.loads(LEDGER.read_text(encoding="utf-8"))["version"]
    if not isinstance(version, str):
        raise SystemExit(f"{LEDGER}: /version is not a string")
    return version


class BuildWithProjectData(build_py):
    """build_py, then the specs, the pages and the ledger copied into the package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        bundled = Path(self.build_lib) / "apimart_codegen" / "bundled"
        shutil.rmtree(bundled, ignore_errors=True)
        for folder, pattern in (("specs", "*.yaml"), ("vendor-docs", "*")):
            (bundled / folder).mkdir(parents=True)
            for path in sorted((ROOT / folder).glob(pattern)):
                if path.is_file() and path.suffix != ".new":
                    shutil.copyfile(path, bundled / folder / path.name)
        shutil.copyfile(LEDGER, bundled / LEDGER.name)


version = release_version()
setup(
    version=version,
    install_requires=[*requirements(), f"apimart=={version}"],
    cmdclass={"build_py": BuildWithProjectData},
)
