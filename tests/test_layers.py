"""The layers import one way (STYLE.md): a lower layer never imports a higher one, not even
for type hints, so that an import graph of the package has no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

PACKAGE = ROOT / "generator" / "apimart_codegen"

# a layer → the packages above it, which it must not import
ABOVE = {
    "spec/model": ("kinds", "plans", "contract", "mock", "targets"),
    "kinds": ("contract", "mock", "targets"),
    "plans": ("contract", "mock", "targets"),
    "contract": ("mock.cli", "targets"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _modules(layer: str) -> list[Path]:
    single = PACKAGE / f"{layer}.py"
    return [single] if single.exists() else sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    modules = _modules(layer)
    assert modules, layer
    bad = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in modules
        for name in _imports(path)
        for above in ABOVE[layer]
        if name == f"apimart_codegen.{above}" or name.startswith(f"apimart_codegen.{above}.")
    }
    assert not bad, sorted(bad)
