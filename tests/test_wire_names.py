"""A model named as its vendor spells it, end to end; and no spec makes a model take other names.

``tests/data/omni-flash-ext/`` holds a test-only spec and page (not a model of the project): a
video model whose page requires ``"model": "Omni-Flash-Ext"`` and says other spellings are
refused. Lint, generate (into a temporary folder), the generated package (validators, the
client's method), the mock (in process and over a loopback socket) and ``apimart contract``
all take the page's own curl body and refuse ``omni-flash-ext`` as an unknown model, with a
hint. The same spec without its ``model`` enum shows that choosing the model is the API's
business: no model takes the names of others, and the contract run flags no other model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from apimart_codegen.lint import doc_bodies
from apimart_codegen.mock import MockAPI, VirtualClock
from apimart_codegen.scaffold import scaffold
from apimart_codegen.spec.loader import load_specs
from tests.support import ROOT, SPECS, MockProcess, run_cli, specs

DATA = ROOT / "tests" / "data" / "omni-flash-ext"
SPECS_DIR = DATA / "specs"
DOCS_DIR = DATA / "vendor-docs"
WIRE = "Omni-Flash-Ext"
SLIPS = ["omni-flash-ext", "OMNI-FLASH-EXT", "Omni-flash-ext", "Omni-Flash-Ext "]
ENDPOINTS = ("/v1/videos/generations", "/v1/images/generations")
HINT = f'(did you mean "{WIRE}"?)'


def page_body() -> dict[str, Any]:
    """The request body the page's curl command sends."""
    (body,) = doc_bodies((DOCS_DIR / "omni-flash-ext.txt").read_text(encoding="utf-8"))
    assert body["model"] == WIRE
    return body


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    result = run_cli("generate", "--specs", str(SPECS_DIR), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def _refusal(response: httpx.Response) -> tuple[int, list[str], str]:
    """Status, the rules the answer names, and the message of the first."""
    error = response.json()["error"]
    violations = error.get("violations", [])
    return response.status_code, [v["rule"] for v in violations], violations[0]["message"]


# -- lint and generate -------------------------------------------------------------------


def test_lint_takes_the_page_as_the_vendor_spells_it(tmp_path: Path) -> None:
    result = run_cli("lint", "--specs", str(SPECS_DIR), "--docs", str(DOCS_DIR))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "lint: ok (1 specs, 1 models, 12 rules, 1 examples)"
    # written in lower case (the only spelling the spec format used to allow), the spec no
    # longer transcribes the page: its curl body is not an example
    text = (SPECS_DIR / "omni-flash-ext.yaml").read_text(encoding="utf-8")
    lowered = text.replace(f"  {WIRE}:", "  omni-flash-ext:").replace(
        f"model: {WIRE}", "model: omni-flash-ext"
    )
    lowered = lowered.replace(f"enum: [{WIRE}]", "enum: [omni-flash-ext]")
    (tmp_path / "omni-flash-ext.yaml").write_text(lowered, encoding="utf-8")
    result = run_cli("lint", "--specs", str(tmp_path), "--docs", str(DOCS_DIR))
    assert result.returncode == 1
    assert 'prints a request body no example transcribes: {"model": "Omni-Flash-Ext"' in (
        result.stdout
    )


def test_generate_derives_file_and_python_names_from_the_wire_name(generated: Path) -> None:
    files = {str(p.relative_to(generated)) for p in generated.rglob("*") if p.is_file()}
    assert {
        "apimart/_omni_flash_ext.py",
        "schemas/omni-flash-ext.schema.json",
        "docs/omni-flash-ext.md",
    } <= files
    assert not any("Omni" in name for name in files)
    index = (generated / "docs" / "README.md").read_text(encoding="utf-8")
    assert f"| [{WIRE}](omni-flash-ext.md) |" in index
    page = (generated / "docs" / "omni-flash-ext.md").read_text(encoding="utf-8")
    assert "`apimart.validate_omni_flash_ext`" in page
    assert "`schemas/omni-flash-ext.schema.json`" in page
    assert f"`{WIRE}/model-enum`" in page  # rule ids keep the wire spelling
    schema = json.loads((generated / "schemas" / "omni-flash-ext.schema.json").read_text())
    assert schema["$id"].endswith(":omni-flash-ext.schema.json")
    assert schema["properties"]["model"]["enum"][0] == WIRE


def test_scaffold_drafts_the_model_as_the_page_spells_it() -> None:
    page = (DOCS_DIR / "omni-flash-ext.txt").read_text(encoding="utf-8")
    result = scaffold(page, doc="omni-flash-ext.txt", docs_root=DOCS_DIR)
    spec = result.draft.spec
    assert (list(spec["models"]), spec["family"]) == ([WIRE], "omni-flash-ext")
    assert spec["parameters"]["model"]["enum"] == [WIRE]
    assert result.remaining == []  # the draft lints as written


# -- the generated package, the mock in process and over a socket ---------------------------

PROBE = r"""
import json, sys, typing, pathlib
out, specs_dir, url = sys.argv[1:4]
sys.path.insert(0, out)
import apimart
import httpx
assert pathlib.Path(apimart.__file__).parent.parent == pathlib.Path(out), apimart.__file__
from apimart_codegen.interpreter import Interpreter
from apimart_codegen.mock import IN_PROCESS_URL, MockAPI, VirtualClock
from apimart_codegen.spec.loader import load_specs

case = json.loads(sys.stdin.read())
body, slips, endpoints = case["body"], case["slips"], case["endpoints"]
specs = load_specs(pathlib.Path(specs_dir))
interpreter = Interpreter(specs)
seen = {
    "exports": [n for n in ("validate_omni_flash_ext", "OmniFlashExtRequest")
                if hasattr(apimart, n)],
    "literal": list(typing.get_args(
        typing.get_type_hints(apimart.OmniFlashExtRequest)["model"]
    )),
    "page": [apimart.validate(body).valid, apimart.validate_omni_flash_ext(body).valid,
             interpreter.judge(body).valid],
    "slips": {},
}
for slip in slips:
    wrong = {**body, "model": slip}
    seen["slips"][slip] = [
        [v.to_dict() for v in apimart.validate(wrong).errors],
        [v.to_dict() for v in interpreter.judge(wrong).errors],
    ]


def drive(client, raw, where):
    handle = client.omni_flash_ext(prompt=body["prompt"], duration=8, aspect_ratio="16:9")
    again = client.submit(body)
    task = client.get(again.id)
    refused = {}
    for slip in slips:
        try:
            client.submit({**body, "model": slip}, validate=False)
        except apimart.ValidationError as exc:  # no model of that name: not sent at all
            local = [v.rule for v in exc.report.errors]
        refused[slip] = {"client": local}
        for endpoint in endpoints:
            answer = raw.post(endpoint, json={**body, "model": slip})
            error = answer.json()["error"]
            refused[slip][endpoint] = [answer.status_code, error.get("violations")]
    seen[where] = {
        "method": [handle.model, handle.status.value],
        "page": [again.model, task.id == again.id],
        "refused": refused,
    }


mock = MockAPI(specs=specs, clock=VirtualClock())
with apimart.Client(api_key="k", base_url=IN_PROCESS_URL, transport=mock.transport()) as client:
    with mock.client() as raw:
        drive(client, raw, "in_process")
seen["in_process"]["tasks"] = [task.model for task in mock.tasks]
with apimart.Client(api_key="k", base_url=url) as client:
    with httpx.Client(base_url=url, headers={"Authorization": "Bearer k"}) as raw:
        drive(client, raw, "socket")
print(json.dumps(seen))
"""


def test_the_generated_package_and_the_mock_take_the_wire_name_alone(generated: Path) -> None:
    server = MockProcess("--specs", str(SPECS_DIR), "--speed", "1000")
    try:
        result = subprocess.run(
            [sys.executable, "-c", PROBE, str(generated), str(SPECS_DIR), server.url],
            input=json.dumps({"body": page_body(), "slips": SLIPS, "endpoints": ENDPOINTS}),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["exports"] == ["validate_omni_flash_ext", "OmniFlashExtRequest"]
    assert seen["literal"] == [WIRE]
    assert seen["page"] == [True, True, True]
    for slip, (generated_errors, interpreted) in seen["slips"].items():
        message = f"unknown model {json.dumps(slip)} {HINT}; known models: {WIRE}"
        assert (
            generated_errors
            == interpreted
            == [{"path": "/model", "rule": "apimart/model", "message": message}]
        )
    for where in ("in_process", "socket"):
        assert seen[where]["method"] == [WIRE, "submitted"]
        assert seen[where]["page"] == [WIRE, True]
        for slip, answers in seen[where]["refused"].items():
            assert answers["client"] == ["apimart/model"]
            for endpoint in ENDPOINTS:
                status, violations = answers[endpoint]
                assert status == 400, (where, slip, endpoint)
                assert [v["rule"] for v in violations] == ["apimart/model"]
                assert HINT in violations[0]["message"]
    assert seen["in_process"]["tasks"] == [WIRE, WIRE]


# -- the contract run ----------------------------------------------------------------------


def test_the_contract_run_holds_the_mock_to_the_wire_name(generated: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(generated)}
    report = tmp_path / "run.json"
    args = ("contract", "--specs", str(SPECS_DIR), "--seed", "1", "--report", str(report))
    result = run_cli(*args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "12 rules, no contract violations" in result.stdout
    rows = json.loads(report.read_text())["models"][WIRE]
    enum = rows[f"{WIRE}/model-enum"]
    # each wrong spelling sent was refused; the wire name itself was sent and accepted
    assert enum["broke"] == enum["refused"] > 0 and enum["kept"] == enum["accepted"] > 0
    assert rows[f"{WIRE}/positive"]["accepted"] == 20
    # and a mock told to drop each rule in turn (model-enum too) is caught on each
    result = run_cli("contract", "--specs", str(SPECS_DIR), "--sensitivity", "--seed", "1", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sensitivity: 12/12 rules detected" in result.stdout
    # over a loopback socket too
    server = MockProcess("--specs", str(SPECS_DIR), "--speed", "1000")
    try:
        args = ("contract", "--specs", str(SPECS_DIR), "--seed", "2", "--rule", "model-enum")
        result = run_cli(*args, "--base-url", server.url, "--poll", "1", env=env)
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{WIRE}/model-enum" in result.stdout and "no contract violations" in result.stdout


def test_the_contract_run_needs_a_package_generated_from_its_specs() -> None:
    result = run_cli("contract", "--specs", str(SPECS_DIR), "--seed", "1")
    assert result.returncode == 2
    assert f"has no validator for {WIRE}: generate one from these specs" in result.stderr
    assert "Traceback" not in result.stderr


# -- a spec that declares no model enum --------------------------------------------------


@pytest.fixture(scope="module")
def undeclared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's specs and the Omni-Flash-Ext spec without its ``model`` enum."""
    folder = tmp_path_factory.mktemp("undeclared")
    for path in SPECS.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    text = (SPECS_DIR / "omni-flash-ext.yaml").read_text(encoding="utf-8")
    enum = f"    enum: [{WIRE}]\n"
    cite = "    cite:\n      enum: "
    assert enum in text and cite in text
    text = text.replace(enum, "")
    text = text[: text.index(cite)] + text[text.index("\n", text.index(cite) + len(cite)) + 1 :]
    (folder / "omni-flash-ext.yaml").write_text(text, encoding="utf-8")
    return folder


def test_a_model_without_a_model_enum_takes_no_other_names(undeclared: Path) -> None:
    loaded = load_specs(undeclared)
    omni = loaded.model(WIRE)
    assert omni is not None and f"{WIRE}/model-enum" not in {r.id for r in omni.rules}
    mock = MockAPI(specs=loaded, clock=VirtualClock())
    with mock.client() as client:
        for endpoint in ENDPOINTS:
            for name in ("sora-9", "omni-flash-ext", "WAN2.6", "wan2.6x"):
                answer = client.post(endpoint, json={"model": name, "prompt": "p"})
                status, rules, message = _refusal(answer)
                assert (status, rules) == (400, ["apimart/model"]), (endpoint, name)
                assert message.startswith(f"unknown model {json.dumps(name)}")
        assert client.post(ENDPOINTS[0], json=page_body()).status_code == 200
    assert [task.model for task in mock.tasks] == [WIRE]


def test_the_contract_run_flags_no_other_model_for_it(undeclared: Path) -> None:
    args = ["contract", "--specs", str(undeclared), "--seed", "1", "--rule", "model-enum"]
    for model in ("wan2.6", "viduq3", "wan2.7-videoedit"):
        args += ["--model", model]
    result = run_cli(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 rules, no contract violations" in result.stdout


def test_only_a_dropped_dispatch_rule_makes_a_model_take_other_names() -> None:
    """``--drop-rule`` (and the sensitivity run) still play a server that stopped checking
    model names: that one model, on its own endpoint, takes them."""
    mock = MockAPI(specs=specs().without_rules(["wan2.6/model-enum"]), clock=VirtualClock())
    with mock.client() as client:
        taken = client.post(ENDPOINTS[0], json={"model": "sora-9", "prompt": "p"})
        refused = client.post(ENDPOINTS[1], json={"model": "sora-9", "prompt": "p"})
    assert taken.status_code == 200 and [task.model for task in mock.tasks] == ["wan2.6"]
    assert _refusal(refused)[:2] == (400, ["apimart/model"])
