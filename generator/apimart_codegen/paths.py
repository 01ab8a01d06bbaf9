"""Where the project's inputs and outputs live by default (overridable on the command line)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def specs_dir() -> Path:
    return Path(os.environ.get("APIMART_SPECS", ROOT / "specs"))


def generated_dir() -> Path:
    return Path(os.environ.get("APIMART_GENERATED", ROOT / "generated"))


def docs_root() -> Path:
    """The folder of the vendor's pages the specs quote; a spec's ``doc:`` is relative to it."""
    return Path(os.environ.get("APIMART_DOCS", ROOT / "vendor-docs"))
