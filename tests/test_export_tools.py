"""The exported OpenAPI document through the tools its users reach for, each run for real.

* openapi-python-client (``dev`` extra) writes a client from ``generated/openapi.json``; the
  test imports it and submits each model's first example to the mock over a loopback
  socket, then polls the task it got back.
* Spectral (``spectral:oas``) and Redocly CLI (``recommended``) lint the document with no
  error and no warning except Redocly's ``info-license`` (the project states no license for
  the vendor's API). Both come from npm, installed on first use into ``.tools/npm``
  (ignored by git, kept between runs); without npm these tests skip and say so. A copy of
  the document with a known fault shows that each linter is really judging.
* Schemathesis's command line, driven by the document the mock serves, finds nothing but
  the differences the README lists (``difference`` names each).
"""

from __future__ import annotations

import copy
import fcntl
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apimart_codegen.mock import MockServer
from tests.support import GENERATED, ROOT, integer_type_rules, keyed_mock, specs

DOC = json.loads((GENERATED / "openapi.json").read_text("utf-8"))
KEY = "tools-key"
NPM_DIR = ROOT / ".tools" / "npm"
NPM_PACKAGES = {"@stoplight/spectral-cli": "6.16.3", "@redocly/cli": "2.77.0"}
QUIET_NODE = {
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    "NO_UPDATE_NOTIFIER": "1",
    "NO_COLOR": "1",
}
REDOCLY_ACCEPTED = {"info-license"}
"""Redocly warnings left on purpose: the vendor states no license the document could name."""


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with keyed_mock(key=KEY, seed=5) as server:
        yield server


# --- openapi-python-client ------------------------------------------------------------------


def test_openapi_python_client_submits_every_model_and_polls(
    tmp_path: Path, server: MockServer
) -> None:
    package = tmp_path / "apimart_opc"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(GENERATED / "openapi.json"),
            "--meta",
            "none",
            "--output-path",
            str(package),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        _submit_each_model(server)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "apimart_opc" or m.startswith("apimart_opc.")]:
            del sys.modules[name]


def _submit_each_model(server: MockServer) -> None:
    client_module = importlib.import_module("apimart_opc.client")
    models = importlib.import_module("apimart_opc.models")
    operations = {
        endpoint: importlib.import_module(f"apimart_opc.api.{output}s.submit_{output}_task")
        for endpoint, output in {(m.endpoint, m.output) for m in specs().models}
    }
    get_task = importlib.import_module("apimart_opc.api.tasks.get_task")
    client = client_module.AuthenticatedClient(base_url=server.base_url, token=KEY)
    bodies = {
        cls.__name__: cls
        for name in models.__all__
        if name.endswith("RequestBody") and isinstance(cls := getattr(models, name), type)
    }
    submitted = []
    for model in specs().models:
        example = json.loads(json.dumps(model.examples[0].body))
        (cls,) = [cls for cls in bodies.values() if _model_value(cls) == model.name]
        body = cls.from_dict(example)
        assert body.to_dict() == example, model.name
        answer = operations[model.endpoint].sync(
            client=client, body=body, idempotency_key=str(uuid.uuid4())
        )
        assert type(answer).__name__ == f"Submit{model.output.title()}TaskResponse200", answer
        refs = answer.data if isinstance(answer.data, list) else [answer.data]
        task_id = refs[0].task_id
        assert isinstance(task_id, str) and task_id, answer
        polled = get_task.sync(task_id, client=client)
        assert type(polled).__name__ == "TaskEnvelope", polled
        assert polled.data.id == task_id
        submitted.append(model.name)
    assert submitted == [model.name for model in specs().models]
    # A body the client builds but the API refuses (text-to-video needs a prompt): the 400
    # is parsed into the error body, with the violation.
    (wan26,) = [cls for cls in bodies.values() if _model_value(cls) == "wan2.6"]
    refused = operations["/v1/videos/generations"].sync(
        client=client, body=wan26.from_dict({"model": "wan2.6"})
    )
    assert type(refused).__name__ == "Error", refused
    assert refused.error.violations[0].path == "/prompt", refused


def _model_value(cls: type) -> str | None:
    """The ``model`` a generated body class is for (its enum's only value)."""
    hints = cls.__init__.__annotations__.get("model", "")
    module = sys.modules[cls.__module__]
    enum = getattr(module, str(hints).split("|")[0].strip(), None)
    values = [member.value for member in enum] if isinstance(enum, type) else []
    return values[0] if len(values) == 1 else None


# --- Spectral and Redocly (npm) -------------------------------------------------------------


def npm_tool(name: str) -> Path:
    """The executable ``name`` from the pinned npm packages, installed once; or skip."""
    executable = NPM_DIR / "node_modules" / ".bin" / name
    npm = shutil.which("npm")
    if npm is None and not executable.exists():
        pytest.skip("npm is not installed: Spectral and Redocly CLI cannot be installed")
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    with (NPM_DIR / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one install at a time across pytest-xdist workers
        if not all(_installed(package) == version for package, version in NPM_PACKAGES.items()):
            if npm is None:
                pytest.skip("npm is not installed: Spectral and Redocly CLI cannot be installed")
            pins = [f"{package}@{version}" for package, version in NPM_PACKAGES.items()]
            done = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--prefix", str(NPM_DIR), *pins],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert done.returncode == 0, done.stderr[-2000:]
    assert executable.exists(), executable
    return executable


def _installed(package: str) -> str | None:
    manifest = NPM_DIR / "node_modules" / package / "package.json"
    if not manifest.exists():
        return None
    return str(json.loads(manifest.read_text("utf-8")).get("version"))


def _faulty(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with faults each linter must find: no contact, an array without items,
    and an embedded example its schema refuses (duration 7 where 5, 10 or 15 are allowed)."""
    broken = copy.deepcopy(doc)
    broken["info"].pop("contact", None)
    broken["components"]["schemas"]["Loose"] = {"type": ["string", "array"]}
    content = broken["paths"]["/v1/videos/generations"]["post"]["requestBody"]["content"]
    examples = content["application/json"]["examples"].values()
    example = next(e for e in examples if e["value"]["model"] == "wan2.6")
    example["value"] = {**example["value"], "duration": 7}
    return broken


def _run_node(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **QUIET_NODE},
        cwd=ROOT,
        check=False,
    )


def test_spectral_oas_finds_nothing(tmp_path: Path) -> None:
    spectral = npm_tool("spectral")
    (tmp_path / ".spectral.yaml").write_text('extends: ["spectral:oas"]\n')
    faulty = tmp_path / "faulty.json"
    faulty.write_text(json.dumps(_faulty(DOC)))
    done = _run_node(
        [
            str(spectral),
            "lint",
            "--format",
            "json",
            "--ruleset",
            str(tmp_path / ".spectral.yaml"),
            str(GENERATED / "openapi.json"),
            str(faulty),
        ]
    )
    assert done.stdout.strip(), done.stderr
    results = json.loads(done.stdout)
    ours = [r for r in results if Path(r["source"]).name == "openapi.json"]
    assert ours == [], ours
    found = {r["code"] for r in results if Path(r["source"]).name == "faulty.json"}
    assert {"info-contact", "array-items"} <= found, found


def test_redocly_recommended_finds_nothing_but_the_license(tmp_path: Path) -> None:
    redocly = npm_tool("redocly")
    faulty = tmp_path / "faulty.json"
    faulty.write_text(json.dumps(_faulty(DOC)))
    problems = {}
    for path in (GENERATED / "openapi.json", faulty):
        done = _run_node(
            [
                str(redocly),
                "lint",
                "--extends",
                "recommended",
                "--format",
                "json",
                "--max-problems",
                "1000",
                str(path),
            ]
        )
        start = done.stdout.find("{")
        assert start >= 0, done.stdout + done.stderr
        problems[path.name] = json.loads(done.stdout[start:])["problems"]
    ours = [(p["ruleId"], p["severity"], p["message"]) for p in problems["openapi.json"]]
    assert [p for p in ours if p[0] not in REDOCLY_ACCEPTED] == [], ours
    assert all(severity == "warn" for _, severity, _ in ours), ours
    broken = {p["ruleId"] for p in problems["faulty.json"]}
    assert "no-invalid-media-type-examples" in broken, broken


# --- Schemathesis's command line --------------------------------------------------------------

LISTED = {
    entry["id"]
    for schema in DOC["components"]["schemas"].values()
    for entry in schema.get("x-apimart-rules", ())
}
INTEGER_RULES = integer_type_rules()


def difference(check: str, status: int, body: dict[str, Any]) -> str | None:
    """The README's name for a failure Schemathesis reports, or None when it is not listed."""
    if check != "ST202":
        return None
    error = body.get("error", {})
    if status == 422 and error.get("code") == "idempotency_key_reused":
        return "an Idempotency-Key reused with another body"
    if status != 400:
        return None
    if error.get("param") == "file":
        return "an upload that is no image"
    reasons = set()
    for violation in error.get("violations", ()):
        if violation["rule"] in LISTED:
            reasons.add("a rule in x-apimart-rules")
        elif violation["rule"] in INTEGER_RULES and re.search(
            r"got -?\d+\.0$", violation["message"]
        ):
            reasons.add("an integral float")
        else:
            return None
    return ", ".join(sorted(reasons)) or None


def _failures(report: Path) -> list[tuple[str, str, int, dict[str, Any]]]:
    """(operation, check, status, body) of each failure in Schemathesis's JUnit report."""
    found = []
    for case in ET.parse(report).getroot().iter("testcase"):
        for failure in case.iter("failure"):
            for block in re.split(r"\n\d+\. Test Case ID: ", "\n" + (failure.text or "")):
                checks = re.findall(r"^- (ST\d+)", block, re.MULTILINE)
                answer = re.search(r"^\[(\d{3})\][^\n]*\n\n\s+`(.*)`$", block, re.MULTILINE)
                if not checks:
                    continue
                status = int(answer.group(1)) if answer else 0
                try:
                    body = json.loads(answer.group(2)) if answer else {}
                except json.JSONDecodeError:
                    body = {}
                found += [(case.get("name", ""), check, status, body) for check in checks]
    return found


def test_schemathesis_cli_finds_only_the_listed_differences(
    tmp_path: Path, server: MockServer
) -> None:
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            f"{server.base_url}/openapi.json",
            "--header",
            f"Authorization: Bearer {KEY}",
            "--max-examples",
            "12",
            "--seed",
            "17",
            "--workers",
            "1",
            "--output-truncate",  # answers whole, so each failure's body can be read
            "false",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"},
        cwd=tmp_path,  # its replay cache (.schemathesis/) lands there
        check=False,
    )
    (report,) = tmp_path.glob("junit*.xml")
    failures = _failures(report)
    assert "Tested: 4" in done.stdout, done.stdout[-3000:]
    unlisted = [f for f in failures if difference(f[1], f[2], f[3]) is None]
    assert unlisted == [], done.stdout[-6000:]
    assert done.returncode in (0, 1), done.stdout[-3000:]


def test_the_list_of_differences_names_only_those() -> None:
    """``difference`` can fail: a 400 for a rule the schema says, an ST103, a 500."""
    said = {"path": "/duration", "rule": "wan2.6/duration-enum", "message": "got 7"}
    listed = {"path": "/x", "rule": sorted(LISTED)[0], "message": "m"}
    assert difference("ST202", 400, {"error": {"violations": [said]}}) is None
    assert difference("ST202", 400, {"error": {"violations": [listed, said]}}) is None
    assert difference("ST103", 422, {"error": {"code": "idempotency_key_reused"}}) is None
    assert difference("ST202", 500, {}) is None
    assert difference("ST202", 400, {"error": {"violations": [listed]}}) == (
        "a rule in x-apimart-rules"
    )
    floats = {"path": "/seed", "rule": "wan2.6/seed-type", "message": "got 12.0"}
    assert difference("ST202", 400, {"error": {"violations": [floats]}}) == "an integral float"
    assert difference("ST202", 422, {"error": {"code": "idempotency_key_reused"}})
