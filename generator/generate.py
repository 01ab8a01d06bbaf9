"""Running targets: render every file in memory, then compare with or write the output tree.

Nothing is written until every target has rendered, and each file is replaced atomically,
so a failing generation leaves ``generated/`` as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.kinds.base import RuleKind
from generator.spec.model import SpecSet
from generator.targets.base import Files, Target

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
    """Bring ``out`` in line with ``files``; return what changed."""
    differences = compare(out, files, owned)
    for difference in differences:
        target = out / difference.path
        if difference.state == "extra":
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(files[difference.path].encode("utf-8"))
        os.replace(temporary, target)
    return differences
