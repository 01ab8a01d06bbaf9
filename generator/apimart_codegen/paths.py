"""Where the project's inputs and outputs live by default (each overridable on the command line
or by an environment variable: APIMART_SPECS, APIMART_DOCS, APIMART_GENERATED).

Run from a checkout (this package is the folder ``generator/apimart_codegen/`` of a project
holding ``specs/``), the defaults are the checkout's ``specs/``, ``vendor-docs/`` and
``generated/``. Installed from a wheel, they are the specs, the pages and the release ledger
the wheel was built from, bundled in the package as ``apimart_codegen/bundled/`` (setup.py
copies them in); there is no ``generated/`` then, so ``apimart generate`` asks for ``--out``.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
BUNDLED = PACKAGE / "bundled"
"""What a wheel carries from the project: ``specs/``, ``vendor-docs/`` and ``release.json``."""
LEDGER = "release.json"
"""The release ledger's file name in an output root (see ``apimart_codegen.targets.release``)."""


def checkout() -> Path | None:
    """The project this package runs from, or None when it runs from a wheel."""
    root = PACKAGE.parents[1]
    if PACKAGE.parent.name == "generator" and (root / "specs").is_dir():
        return root
    return None


def _default(variable: str, folder: str) -> Path:
    if os.environ.get(variable):
        return Path(os.environ[variable])
    root = checkout()
    return root / folder if root is not None else BUNDLED / folder


def specs_dir() -> Path:
    return _default("APIMART_SPECS", "specs")


def docs_root() -> Path:
    """The folder of the vendor's pages the specs quote; a spec's ``doc:`` is relative to it."""
    return _default("APIMART_DOCS", "vendor-docs")


def generated_dir() -> Path | None:
    """Where ``apimart generate`` writes by default; None outside a checkout."""
    if os.environ.get("APIMART_GENERATED"):
        return Path(os.environ["APIMART_GENERATED"])
    root = checkout()
    return root / "generated" if root is not None else None


def release_ledger() -> Path:
    """The ledger of the release the defaults belong to: ``generated/``'s, or the bundled one."""
    out = generated_dir()
    return out / LEDGER if out is not None else BUNDLED / LEDGER


def is_bundled(path: Path) -> bool:
    """Whether ``path`` lies in the package's bundled copies (never written to)."""
    return path.resolve().is_relative_to(BUNDLED)
