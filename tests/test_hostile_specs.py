"""Hostile text in a spec can never break or inject into the generated code.

Descriptions, messages, enum values and format descriptions are filled with quotes, triple
quotes, backslashes, ``{{ }}``, newlines and non-ASCII; the package is generated, imported
in a fresh interpreter and must (1) compile, (2) carry every text verbatim where it is data
(messages, enum values) and word for word where it is prose (docstrings), and (3) do nothing
else (a payload that would create a file must not).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given, settings, strategies as st

from apimart_codegen import generate
from apimart_codegen.jsonvalue import show
from apimart_codegen.kinds import RULE_KINDS
from apimart_codegen.spec.loader import load_specs
from apimart_codegen.targets import TARGETS

SENTINEL = "PWNED"
NASTY = [
    '"""',
    "'''",
    "\\",
    "\\'",
    '\\"""',
    "{{ 7*7 }}",
    "{% raw %}",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x1b[31m",
    f'"""; open("{SENTINEL}", "w"); """',
    f"'); open('{SENTINEL}', 'w'); ('",
    "é ü 中文 🎬 \u2028 \u200b",
    "# comment\nimport os",
    "${HOME}",
    "%s %d {0}",
    "</script>",
]
text = st.lists(
    st.sampled_from(NASTY) | st.text(min_size=1, max_size=8), min_size=1, max_size=5
).map("".join)

PROBE = r"""
import json, sys, typing, pathlib
sys.path.insert(0, sys.argv[1])
import apimart
assert pathlib.Path(apimart.__file__).parent.parent == pathlib.Path(sys.argv[1]), apimart.__file__
case = json.loads(sys.stdin.read())
ok = apimart.validate({"model": "hostile-1", "label": case["enum"], "count": 3})
bad = apimart.validate({"model": "hostile-1", "label": "not-" + case["enum"], "count": 9,
                        "code": "nope"})
hints = typing.get_type_hints(apimart.Hostile1Request)
print(json.dumps({
    "ok": [v.to_dict() for v in ok.errors],
    "bad": [v.to_dict() for v in bad.errors],
    "class_doc": apimart.Hostile1Request.__doc__,
    "literal": list(typing.get_args(hints["label"])),
}))
"""


def _spec(case: dict[str, str]) -> dict[str, Any]:
    return {
        "doc": "docs/hostile.txt",
        "family": "hostile",
        "body": {"closed": "warning", "source": case["source"]},
        "models": {
            "hostile-1": {
                "description": case["description"],
                "endpoint": "/v1/images/generations",
                "output": "image",
                "response": {"code": "success", "status": case["status"]},
            }
        },
        "parameters": {
            "model": {"type": "string", "required": True, "enum": ["hostile-1"], "source": "m"},
            "label": {
                "type": "string",
                "enum": [case["enum"]],
                "description": case["description"],
                "source": case["source"],
            },
            "count": {"type": "integer", "source": "c"},
            "code": {
                "type": "string",
                "format": {"pattern": "[a-z]{2}", "expected": case["message"]},
                "source": "c",
            },
        },
        "rules": [
            {
                "id": "small",
                "kind": "range",
                "path": "/count",
                "max": 5,
                "message": case["message"],
                "source": case["source"],
            }
        ],
        "examples": [],
    }


@settings(max_examples=12, deadline=None)
@given(
    st.fixed_dictionaries(
        {key: text for key in ("description", "message", "enum", "source", "status")}
    )
)
@example(
    {
        key: value
        for key, value in zip(
            ("description", "message", "enum", "source", "status"), NASTY[9:14], strict=True
        )
    }
)
@example({"description": '"""', "message": "\x85", "enum": "\x85", "source": "s", "status": "s"})
def test_hostile_text_stays_data(tmp_path_factory: Any, case: dict[str, str]) -> None:
    root = tmp_path_factory.mktemp("hostile")
    specs_dir, out = root / "specs", root / "out"
    specs_dir.mkdir()
    (specs_dir / "hostile.yaml").write_text(
        yaml.safe_dump(_spec(case), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    loaded = load_specs(specs_dir)
    # The oracle is the text as the spec model holds it: YAML itself may read some
    # characters differently from how they were dumped (NEL is a line break to YAML 1.1).
    (model,) = loaded.models
    label = model.parameter("label")
    assert label is not None and label.enum is not None
    case = {
        "description": model.description,
        "message": next(r.message for r in model.rules if r.id == "hostile-1/small") or "",
        "enum": label.enum[0],
    }
    files, owned = generate.render(loaded, [TARGETS.get("python")], {k.name: k for k in RULE_KINDS})
    generate.write(out, files, owned)
    for path in files:
        if path.endswith(".py"):
            compile((out / path).read_text(encoding="utf-8"), path, "exec")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(out)],
        input=json.dumps(case),
        capture_output=True,
        text=True,
        cwd=root,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["ok"] == []
    assert seen["literal"] == [case["enum"]]
    rules = {v["rule"]: v["message"] for v in seen["bad"]}
    assert rules["hostile-1/small"].startswith(case["message"] + ", got 9")
    assert rules["hostile-1/code-format"].startswith("code must be " + case["message"])
    assert rules["hostile-1/label-enum"].startswith("label must be one of " + show(case["enum"]))
    expected_doc = f"The request body of hostile-1. {case['description']}"
    assert seen["class_doc"].split() == expected_doc.split()
    assert not list(root.rglob(SENTINEL)) and not Path(SENTINEL).exists()


def test_parameters_named_like_python_keywords(tmp_path: Path) -> None:
    spec = _spec({key: "text" for key in ("description", "message", "enum", "source", "status")})
    spec["parameters"]["from"] = {"type": "string", "required": True, "source": "f"}
    spec["parameters"]["class"] = {"type": "integer", "minimum": 1, "source": "c"}
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs/hostile.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    files, owned = generate.render(
        load_specs(tmp_path / "specs"), [TARGETS.get("python")], {k.name: k for k in RULE_KINDS}
    )
    generate.write(tmp_path / "out", files, owned)
    probe = (
        f"import sys, typing; sys.path.insert(0, {str(tmp_path / 'out')!r}); import apimart; "
        "r = apimart.validate({'model': 'hostile-1', 'class': 0}); "
        "print([v.rule for v in r.errors], sorted(typing.get_type_hints(apimart.Hostile1Request)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['hostile-1/class-range', 'hostile-1/from-required'] "
        "['class', 'code', 'count', 'from', 'label', 'model']"
    )
