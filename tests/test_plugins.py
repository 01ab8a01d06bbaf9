"""Both extension points work from outside the tree, through entry points alone.

A throw-away distribution (a module plus a ``.dist-info`` with ``entry_points.txt``) on
PYTHONPATH registers a rule kind and a target; ``apimart generate`` then uses both.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support import MINIMAL_SPEC, run_cli, write_spec

PLUGIN = """
from apimart_codegen.jsonvalue import is_int
from apimart_codegen.kinds.base import Finding, RuleKind, got
from apimart_codegen.targets.base import Target


class EvenKind(RuleKind):
    name = "even"

    def default_message(self, rule):
        return f"{rule.label} must be even"

    def check_value(self, rule, at, value):
        if is_int(value) and value % 2:
            yield Finding(at, self.message(rule) + got(value))

    def emit(self, rule, code):
        message = code.message(self.default_message(rule))
        failure = code.fail(code.at, message + " + _got(value)")
        return ["if _is_int(value) and value % 2:", "    " + failure]


class ModelList(Target):
    name = "modellist"
    owns = ("modellist",)

    def render(self, specs, kinds):
        lines = [f"{m.name} {len(m.rules)}" for m in specs.models]
        return {"modellist/models.txt": "\\n".join(lines) + "\\n"}


KIND = EvenKind()
TARGET = ModelList()
"""

ENTRY_POINTS = """
[apimart.rule_kinds]
even = tinyplugin:KIND

[apimart.targets]
modellist = tinyplugin:TARGET
"""

EVEN_RULE = (
    "rules:\n  - {id: even-duration, kind: even, path: /duration, source: 'Duration 5 or 10'}"
)


def _plugin(root: Path) -> dict[str, str]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "tinyplugin.py").write_text(textwrap.dedent(PLUGIN))
    info = root / "tinyplugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinyplugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    return {**os.environ, "PYTHONPATH": str(root)}


def test_an_out_of_tree_kind_and_target_are_used_by_generate(tmp_path: Path) -> None:
    env = _plugin(tmp_path / "plugin")
    write_spec(tmp_path / "specs", "tiny.yaml", MINIMAL_SPEC.replace("rules: []", EVEN_RULE))
    out = tmp_path / "out"
    result = run_cli("generate", "--specs", str(tmp_path / "specs"), "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    # the plugin target wrote its file...
    assert (out / "modellist/models.txt").read_text() == "tiny-1 8\n"
    # ...and the plugin kind's code is inside the python target's validator
    assert "tiny-1/even-duration" in (out / "apimart/_tiny.py").read_text()
    probe = (
        f"import sys; sys.path.insert(0, {str(out)!r}); import apimart; "
        "print([v.to_dict() for v in apimart.validate({'model': 'tiny-1', 'duration': 7}).errors])"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "'rule': 'tiny-1/even-duration', 'message': 'duration must be even, got 7'" in shown
    assert "tiny-1/duration-enum" in shown  # 7 is not 5 or 10 either: both rules judged
    check = run_cli(
        "generate", "--check", "--specs", str(tmp_path / "specs"), "--out", str(out), env=env
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_spec_using_an_unimplemented_kind_fails_at_its_line(tmp_path: Path) -> None:
    path = write_spec(tmp_path / "specs", "tiny.yaml", MINIMAL_SPEC.replace("rules: []", EVEN_RULE))
    line = path.read_text().splitlines().index(EVEN_RULE.splitlines()[1]) + 1
    result = run_cli("generate", "--specs", str(tmp_path / "specs"), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert f"specs/tiny.yaml:{line}:" in result.stderr and "'even' is not one of" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_a_broken_plugin_is_named_not_a_traceback(tmp_path: Path) -> None:
    env = _plugin(tmp_path / "plugin")
    (tmp_path / "plugin" / "tinyplugin.py").write_text("raise ImportError('boom')\n")
    write_spec(tmp_path / "specs", "tiny.yaml", MINIMAL_SPEC)
    result = run_cli(
        "generate", "--specs", str(tmp_path / "specs"), "--out", str(tmp_path / "o"), env=env
    )
    assert result.returncode == 2
    assert "plugin 'even' (tinyplugin:KIND) failed to load: boom" in result.stderr
    assert "Traceback" not in result.stderr
