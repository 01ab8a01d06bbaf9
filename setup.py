"""What building apimart-codegen takes from the project around its package.

pyproject.toml says what is static. A wheel also needs, to work outside a checkout, what only
the project knows at build time; it is read from there, so nothing is kept twice in git:

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
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
LEDGER = ROOT / "generated" / "release.json"

REQUIRES = [
    "httpx>=0.27",  # the HTTP client of the harness, docs pull and the generated client
    "PyYAML>=6.0.1",  # reading specs/*.yaml with line numbers
    "jsonschema>=4.21",  # the spec meta-schema
    "Jinja2>=3.1.3",  # templates of the generator's targets
    # ruff formats what the generator writes; its output is committed, so the range stops
    # before the next minor release, which may change the formatting style.
    "ruff>=0.17,<0.18",
    # the mock server: uvicorn serves it, python-multipart reads uploads, anyio sleeps and
    # runs webhook deliveries under any event loop
    "uvicorn>=0.30",
    # uvicorn's C HTTP/1.1 parser for the mock (h11 without it); 0.8 is what uvicorn's own
    # "standard" extra asks for
    "httptools>=0.8",
    "python-multipart>=0.0.20",
    "anyio>=4.0",
    # the contract harness builds its cases as Hypothesis strategies (apimart_codegen.contract)
    "hypothesis>=6.100",
    # `apimart docs pull`: the vendor's HTML pages turned into the text the specs quote
    "beautifulsoup4>=4.12",
    # `apimart docs scaffold` writes drafts and `docs diff --apply` edits specs in place,
    # keeping their comments, key order and layout (a round-trip YAML library)
    "ruamel.yaml>=0.19",
]


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
    install_requires=[*REQUIRES, f"apimart=={version}"],
    cmdclass={"build_py": BuildWithProjectData},
)
