"""Wheels of both distributions, built offline, and fresh virtual environments to install them in.

Builds use the standard front end without an isolated environment (this one has setuptools).
A fresh environment gets its third-party distributions linked in from this one, by their
installed metadata, so pip installs the project's wheels with no package index asked.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from tests.support import GENERATED, ROOT

TIMEOUT = 180
COPY_IGNORES = shutil.ignore_patterns(
    ".venv", ".git", ".tools", ".npm", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis",
    "build", "dist",
)  # fmt: skip
"""What a copy of the project leaves out: environments, tool installs, caches, build output."""


def build(source: Path, out: Path) -> Path:
    """``python -m build --wheel --no-isolation`` of ``source``; the wheel's path."""
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), "."],
        cwd=source,
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    (wheel,) = out.glob("*.whl")
    return wheel


def client_wheel(work: Path) -> Path:
    """The ``apimart`` wheel, built from a copy of ``generated/``."""
    source = work / "generated"
    shutil.copytree(GENERATED, source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return build(source, work / "dist")


def generator_wheel(work: Path) -> Path:
    """The ``apimart-codegen`` wheel, built from a copy of the project."""
    source = work / "project"
    shutil.copytree(ROOT, source, ignore=COPY_IGNORES)
    return build(source, work / "dist")


def wheel_metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return archive.read(name).decode("utf-8")


def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def requirements(wheel: Path) -> list[Requirement]:
    """The wheel's own dependencies (no extras)."""
    found = [
        Requirement(line.removeprefix("Requires-Dist:").strip())
        for line in wheel_metadata(wheel).splitlines()
        if line.startswith("Requires-Dist:")
    ]
    return [r for r in found if r.marker is None or r.marker.evaluate({"extra": ""})]


def installed_closure(names: Iterable[str], seen: set[str] | None = None) -> set[str]:
    """``names`` and every distribution they need here, by their installed metadata."""
    seen = set() if seen is None else seen
    for name in names:
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        needed = [Requirement(text) for text in metadata.requires(name) or []]
        installed_closure(
            (r.name for r in needed if r.marker is None or r.marker.evaluate({"extra": ""})), seen
        )
    return seen


def new_env(where: Path) -> tuple[Path, Path]:
    """A new virtual environment without pip: its python and its site-packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    return python, site


def link_distribution(name: str, site: Path, scripts: Path | None = None) -> None:
    """Link one installed distribution (its files and its .dist-info) into ``site``, and with
    ``scripts`` the executables it installs (ruff's binary) into that folder."""
    dist = metadata.distribution(name)
    files = [Path(str(f)) for f in dist.files or []]
    for top in {f.parts[0] for f in files if f.parts[0] != ".."}:
        source = Path(str(dist.locate_file(top)))
        if source.exists() and not (site / top).exists() and top != "__pycache__":
            (site / top).symlink_to(source)
    for file in files:
        if scripts is not None and file.parts[0] == ".." and file.parent.name == "bin":
            source = Path(str(dist.locate_file(file))).resolve()
            if source.is_file() and not (scripts / file.name).exists():
                (scripts / file.name).symlink_to(source)


def pip_install(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """This environment's pip installing into ``python``'s, offline."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
