"""``generate.write``: the output tree is replaced whole, or left exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from apimart_codegen import generate
from tests.support import run_cli

FILES = {
    "pkg/a.py": "A = 2\n",
    "pkg/b.py": "B = 2\n",
    "pkg/new/c.py": "C = 1\n",
    "pkg/z.py": "Z = 2\n",
}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _old_tree(out: Path) -> dict[str, bytes]:
    (out / "pkg").mkdir(parents=True)
    for name in ("a.py", "b.py", "z.py"):
        (out / "pkg" / name).write_text(f"{name[0].upper()} = 1\n")
    (out / "pkg" / "extra.py").write_text("gone = True\n")
    return _tree(out)


def test_a_complete_write_replaces_updates_creates_and_removes(tmp_path: Path) -> None:
    _old_tree(tmp_path)
    changed = generate.write(tmp_path, FILES, ("pkg",))
    assert {(d.state, d.path) for d in changed} == {
        ("stale", "pkg/a.py"),
        ("stale", "pkg/b.py"),
        ("stale", "pkg/z.py"),
        ("missing", "pkg/new/c.py"),
        ("extra", "pkg/extra.py"),
    }
    assert _tree(tmp_path) == {path: text.encode() for path, text in FILES.items()}


def test_a_write_that_fails_half_way_leaves_the_tree_as_it_was(tmp_path: Path) -> None:
    before = _old_tree(tmp_path)
    (tmp_path / "pkg" / "z.py").unlink()
    (tmp_path / "pkg" / "z.py").mkdir()  # the last file cannot replace a folder
    (tmp_path / "pkg" / "z.py" / "keep").write_text("k")
    before = _tree(tmp_path)
    with pytest.raises(OSError):
        generate.write(tmp_path, FILES, ("pkg",))
    assert _tree(tmp_path) == before  # no file rewritten, none removed, no temporary left
    assert not (tmp_path / "pkg" / "new").exists()


def test_the_command_reports_an_unwritable_tree_with_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("generate", "--out", str(out)).returncode == 0
    target = out / "apimart" / "_wire.py"
    target.unlink()
    target.mkdir()
    (out / "apimart" / "_client.py").write_text("stale\n")
    result = run_cli("generate", "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.startswith("apimart generate: cannot write ")
    assert "Traceback" not in result.stderr
    assert (out / "apimart" / "_client.py").read_text() == "stale\n"
    assert not [p for p in out.rglob(".*") if p.is_file()]
