"""Running targets: render every file in memory, then compare with or write the output tree.

Nothing is written until every target has rendered, and the tree is replaced as a whole
(see ``write``), so a failing generation leaves ``generated/`` as it was.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from apimart_codegen.kinds.base import RuleKind
from apimart_codegen.spec.model import SpecSet
from apimart_codegen.targets.base import Files, Target

IGNORED_PARTS = {"__pycache__", ".mypy_cache", ".ruff_cache"}


@dataclass(frozen=True, slots=True)
class Difference:
    state: str  # "stale" (content differs), "missing" (not written yet), "extra" (not rendered)
    path: str


def render(
    specs: SpecSet, targets: Iterable[Target], kinds: Mapping[str, RuleKind]
) -> tuple[Files, tuple[str, ...]]:
    files: Files = {}
    owned: list[str] = []
    for target in targets:
        for path, text in target.render(specs, kinds).items():
            if path in files:
                raise ValueError(f"two targets render {path}; the second is {target.name!r}")
            files[path] = text
        owned += target.owns
    return files, tuple(owned)


def _existing(out: Path, owned: Iterable[str]) -> set[str]:
    found = set()
    for directory in owned:
        root = out / directory
        if root.is_dir():
            for path in root.rglob("*"):
                relative = path.relative_to(out)
                if path.is_file() and not IGNORED_PARTS & set(relative.parts):
                    found.add(relative.as_posix())
    return found


def compare(out: Path, files: Files, owned: Iterable[str]) -> list[Difference]:
    differences = []
    for path, text in sorted(files.items()):
        target = out / path
        if not target.is_file():
            differences.append(Difference("missing", path))
        elif target.read_bytes() != text.encode("utf-8"):
            differences.append(Difference("stale", path))
    for path in sorted(_existing(out, owned) - set(files)):
        differences.append(Difference("extra", path))
    return differences


def write(out: Path, files: Files, owned: Iterable[str]) -> list[Difference]:
    """Bring ``out`` in line with ``files``, all of it or nothing; return what changed.

    Every new text is first written to a temporary file beside its target; only when all
    are written are they moved into place, each replaced file kept aside until the last
    move succeeded. Any OSError on the way puts every file (and folder) back as it was,
    removes the temporary files and is raised.
    """
    differences = compare(out, files, owned)
    created = _make_folders(out, differences)
    staged: dict[str, Path] = {}
    try:
        for difference in differences:
            if difference.state != "extra":
                target = out / difference.path
                staged[difference.path] = temporary = _beside(target, "tmp")
                temporary.write_bytes(files[difference.path].encode("utf-8"))
        _swap(out, differences, staged)
    except BaseException:
        for folder in reversed(created):
            _remove_empty(folder)
        raise
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
    return differences


def _swap(out: Path, differences: list[Difference], staged: Mapping[str, Path]) -> None:
    """Move the staged files into place (and extras away); undo every move if one fails."""
    moved: list[tuple[Path, Path | None]] = []  # (target, where its old file was kept)
    try:
        for difference in differences:
            target = out / difference.path
            kept = _beside(target, "old") if target.is_file() else None
            if kept is not None:
                os.replace(target, kept)
            moved.append((target, kept))
            if difference.state != "extra":
                os.replace(staged[difference.path], target)
    except BaseException:
        for target, kept in reversed(moved):
            if kept is not None:
                os.replace(kept, target)
            elif target.is_file():
                target.unlink()
        raise
    for _, kept in moved:
        if kept is not None:
            kept.unlink(missing_ok=True)


def _make_folders(out: Path, differences: list[Difference]) -> list[Path]:
    """Create the folders new files need; return those created, parents first."""
    created: list[Path] = []
    for difference in differences:
        if difference.state == "extra":
            continue
        missing = [p for p in (out / difference.path).parents if not p.exists()]
        for folder in reversed(missing):
            folder.mkdir()
            created.append(folder)
    return created


def _remove_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


def _beside(target: Path, purpose: str) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{purpose}")
