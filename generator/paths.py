"""Where the project's inputs and outputs live by default (overridable on the command line)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def specs_dir() -> Path:
    return Path(os.environ.get("APIMART_SPECS", ROOT / "specs"))


def generated_dir() -> Path:
    return Path(os.environ.get("APIMART_GENERATED", ROOT / "generated"))


def docs_root() -> Path:
    """The folder holding docs/*.txt and API_NOTES.md (the shared vendor material)."""
    return Path(os.environ.get("APIMART_DOCS", ROOT.parent / "shared"))
