"""The contract harness against servers: the mock passes, drifted servers fail by name.

The sensitivity test is the test of the tests: for every rule of every model, a mock that
stops enforcing that one rule must make the suite fail and name it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from apimart_codegen.contract._report import replay, summary
from apimart_codegen.contract._runner import Finding, Options, RuleStats, Run, Runner
from apimart_codegen.contract._sensitivity import accept_all, sensitivity
from apimart_codegen.contract._targets import Answer, Budget, Target, estimate, in_process
from apimart_codegen.spec.model import ModelSpec
from tests.support import ROOT, MockProcess, run_cli, specs

QUICK = Options(max_examples=20, negatives=2, seed=7, shrink=False)


SENT: list[tuple[str, Any, bool]] = []
"""Every body the clean run submitted: (model, payload, accepted)."""


@pytest.fixture(scope="module")
def clean_run() -> Runner:
    target = in_process(specs=specs())
    submit = target.submit

    def recording(model: ModelSpec, payload: Any, key: str | None = None) -> Any:
        answer = submit(model, payload, key)
        SENT.append((model.name, payload, getattr(answer, "ok", False)))
        return answer

    target.submit = recording  # type: ignore[method-assign]
    runner = Runner(specs(), target, QUICK)
    runner.execute()
    return runner


def test_the_mock_passes_with_every_rule_kept_and_broken(clean_run: Runner) -> None:
    run = clean_run.run
    assert run.findings == []
    for model in specs().models:
        for rule in model.rules:
            stats = run.stats[model.name][rule.id]
            assert stats.kept > 0, f"no positive case kept {rule.id}"
            assert stats.broke > 0, f"no case broke {rule.id}"
            if rule.severity == "error":
                assert stats.refused == stats.broke  # every case that broke it was refused
    for model in specs().models:
        positives = run.stats[model.name][f"{model.name}/positive"]
        assert positives.accepted == positives.kept == QUICK.max_examples
    assert run.stats["lifecycle"]["apimart/lifecycle"].kept > 0


def test_every_option_and_every_edge_is_sent_and_accepted(clean_run: Runner) -> None:
    """Each enum option, and each range's ends, reach the server in a body it accepts."""
    accepted: dict[str, list[Any]] = {}
    for model, payload, ok in SENT:
        if ok:
            accepted.setdefault(model, []).append(payload)
    missing = []
    for model in specs().models:
        for rule in model.rules:
            top = rule.path[0] if len(rule.path) == 1 else None
            if top is None:
                continue
            if rule.kind == "enum":
                wanted = list(rule.params["values"])
            elif rule.kind == "range":
                wanted = [rule.params[end] for end in ("min", "max") if end in rule.params]
            else:
                continue
            given = [body.get(top) for body in accepted[model.name] if isinstance(body, dict)]
            missing += [(rule.id, v) for v in wanted if not any(g == v for g in given)]
    assert missing == []


def test_every_rule_dropped_from_the_mock_is_named() -> None:
    result = sensitivity(specs(), seed=3)
    every = [rule.id for model in specs().models for rule in model.rules]
    assert result.rules == len(every)
    assert result.missed == []
    assert sorted(result.detected) == sorted(every)
    assert result.misnamed == {}


def test_a_server_that_accepts_everything_fails_on_every_refusing_rule() -> None:
    runner = Runner(
        specs(),
        accept_all(specs()),
        Options(negatives=1, max_examples=3, shrink=False, lifecycle=False, poll=0),
    )
    run = runner.execute()
    errors = {r.id for m in specs().models for r in m.rules if r.severity == "error"}
    named = {f.rule for f in run.findings if f.kind == "accepts-forbidden"}
    assert errors <= named
    finding = next(f for f in run.findings if f.rule == "wan2.7-r2v/duration-with-video")
    assert finding.status == 200 and finding.payload["video_urls"]
    assert "$APIMART_API_KEY" in finding.curl and "/v1/videos/generations" in finding.curl


def test_a_forgetful_server_breaks_the_lifecycle() -> None:
    """A server that ignores Idempotency-Key makes a second task: the state machine says so."""
    mock = in_process(specs=specs())
    inner = mock.transport
    assert isinstance(inner, httpx.AsyncBaseTransport)

    async def forget(request: httpx.Request) -> httpx.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() != "idempotency-key"}
        stripped = httpx.Request(
            request.method, request.url, headers=headers, content=await request.aread()
        )
        response = await inner.handle_async_request(stripped)
        await response.aread()
        return response

    target = Target(
        name="forgetful",
        base_url="http://x",
        api_url=mock.url,
        transport=httpx.MockTransport(forget),
        api_key="mock-key",
        advance=mock.advance,
    )
    findings = Runner(specs(), target, Options(seed=1)).lifecycle(examples=10)
    # its first submission's key, sent with another body, makes a second task
    assert findings and "sent with another body answered HTTP 200 with task" in findings[0].message


def test_replay_lines_and_the_summary_name_what_broke() -> None:
    run = Run(target="http://127.0.0.1:9", seed=5, target_flags="--base-url http://127.0.0.1:9")
    for model, rule in [
        ("wan2.6", "wan2.6/duration-enum"),
        ("wan2.6", "wan2.6/positive"),
        ("lifecycle", "apimart/lifecycle"),
    ]:
        run.stats.setdefault(model, {})[rule] = RuleStats(rule)
        run.findings.append(Finding(model, rule, "refuses-allowed", "x"))
    base = "apimart contract --base-url http://127.0.0.1:9 --seed 5"
    assert replay(run, "wan2.6", "wan2.6/duration-enum") == (
        f"{base} --model wan2.6 --rule wan2.6/duration-enum"
    )
    assert replay(run, "wan2.6", "wan2.6/positive") == f"{base} --model wan2.6"
    assert replay(run, "lifecycle", "apimart/lifecycle") == base
    assert summary(run).endswith(
        ": 1 rule, 1 with contract violations; also broken: bodies that keep every rule, "
        "the task lifecycle"
    )


def test_budgets_are_hard_limits() -> None:
    pro = specs().model("wan2.7-image-pro")
    video = specs().model("wan2.6")
    assert pro is not None and video is not None
    assert estimate(pro, {"n": 4}) == Decimal("2.00")
    assert estimate(video, {}) is None  # the page states no amount
    budget = Budget(max_cost=Decimal("1.00"))
    assert budget.reserve(pro, {"n": 2}, "k") is None
    assert "over --max-cost" in (budget.reserve(pro, {}) or "")
    refused = Answer(
        400, {"error": {"code": 400, "message": "no", "type": "invalid_request_error"}}, "", {}
    )
    budget.settle("k", refused)  # refused in the documented envelope: nothing was charged
    assert budget.reserve(pro, {}) is None and budget.spent == Decimal("0.50")
    assert "states no price" in (budget.reserve(video, {}) or "")
    counted = Budget(allow_unpriced=True, max_requests=1)
    assert counted.reserve(video, {}) is None
    assert "--max-requests 1" in (counted.reserve(video, {}) or "")


# -- the command, as a user runs it ------------------------------------------------------


def test_the_command_writes_a_report_and_junit(tmp_path: Path) -> None:
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    done = run_cli(
        "contract",
        "--model",
        "wan2.6",
        "--max-examples",
        "5",
        "--negatives",
        "1",
        "--seed",
        "11",
        "--report",
        str(report),
        "--junit",
        str(junit),
    )
    assert done.returncode == 0, done.stderr
    assert "no contract violations" in done.stdout
    data = json.loads(report.read_text())
    rules = data["models"]["wan2.6"]
    assert rules["wan2.6/duration-enum"]["verdict"] == "enforced as documented"
    assert rules["wan2.6/duration-enum"]["refused"] >= 1
    assert data["seed"] == 11 and data["cases"] > 0 and data["findings"] == []
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "wan2.6"
    names = {case.get("name") for case in suite.iter("testcase")}
    assert {rule.id for rule in specs().model("wan2.6").rules} <= names  # type: ignore[union-attr]
    assert suite.get("failures") == "0"


def test_one_rule_chosen_is_the_only_row(tmp_path: Path) -> None:
    report = tmp_path / "one.json"
    done = run_cli("contract", "--rule", "duration-enum", "--seed", "3", "--report", str(report))
    assert done.returncode == 0, done.stderr
    data = json.loads(report.read_text())
    # the rule's row, and the tasks of the bodies it accepted, followed to their end
    assert {model: list(rows) for model, rows in data["models"].items()} == {
        "wan2.6": ["wan2.6/duration-enum", "wan2.6/lifecycle"]
    }
    row = data["models"]["wan2.6"]["wan2.6/duration-enum"]
    assert (row["kept"], row["accepted"], row["refused"]) == (6, 6, 3)  # 5, 10, 15 twice each
    assert done.stdout.rstrip().endswith(": 1 rule, no contract violations")


def test_a_mock_that_drops_a_rule_over_a_socket_exits_1_naming_it(tmp_path: Path) -> None:
    mock = MockProcess("--speed", "1000", "--drop-rule", "wan2.6/duration-enum")
    try:
        junit = tmp_path / "j.xml"
        done = run_cli(
            "contract",
            "--base-url",
            mock.url,
            "--model",
            "wan2.6",
            "--max-examples",
            "3",
            "--negatives",
            "2",
            "--seed",
            "2",
            "--junit",
            str(junit),
            "--quiet",
        )
    finally:
        mock.stop()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "wan2.6/duration-enum: the API accepts what the docs forbid" in done.stdout
    assert (
        f"replay: apimart contract --base-url {mock.url} --seed 2 --model wan2.6 "
        "--rule wan2.6/duration-enum" in done.stdout
    )
    failed = [
        case
        for case in ElementTree.parse(junit).getroot().iter("testcase")
        if case.find("failure") is not None
    ]
    assert [case.get("name") for case in failed] == ["wan2.6/duration-enum"]
    evidence = (failed[0].findtext("failure") or "").splitlines()
    assert [line.split(":")[0] for line in evidence] == ["payload", "answer", "reproduce", "replay"]
    assert evidence[-1].startswith(f"replay: apimart contract --base-url {mock.url} --seed 2")


class _AcceptAll(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self._answer({"code": 200, "data": [{"task_id": "task_1", "status": "submitted"}]})

    def do_GET(self) -> None:
        self._answer({"code": 200, "data": {"id": "task_1", "status": "processing", "progress": 5}})

    def _answer(self, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def accepting_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AcceptAll)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_server_that_accepts_everything_exits_1_and_keeps_the_key_out(
    accepting_server: str,
) -> None:
    secret = "sk-contract-secret-1234"
    env = {**os.environ, "APIMART_API_KEY": secret}
    done = run_cli(
        "contract",
        "--base-url",
        accepting_server,
        "--model",
        "viduq3",
        "--max-examples",
        "2",
        "--negatives",
        "1",
        "--no-shrink",
        "--poll",
        "1",
        "--poll-timeout",
        "0.3",
        env=env,
    )
    assert done.returncode == 1
    assert "viduq3/duration-range: the API accepts what the docs forbid" in done.stdout
    assert secret not in done.stdout + done.stderr


def test_a_server_that_only_rate_limits_stops_the_run_with_exit_2() -> None:
    """A 429 judges no body: after the retries it is not counted as a refusal."""
    mock = MockProcess("--fault", "429")
    try:
        done = run_cli("contract", "--base-url", mock.url, "--model", "wan2.6", "--negatives", "1")
    finally:
        mock.stop()
    assert done.returncode == 2, done.stdout + done.stderr
    assert "still rate limited (HTTP 429) after 4 attempts" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--live"], "needs the APIMART_API_KEY environment variable"),
        (["--model", "sora-2"], "unknown model 'sora-2'"),
        (["--base-url", "http://127.0.0.1:9"], "ConnectError"),
        (["--max-cost", "-1"], "must be an amount of 0 or more"),
        (["--max-examples", "0"], "must be at least 1"),
        (["--sensitivity", "--base-url", "http://127.0.0.1:9"], "takes no --base-url"),
        (["--sensitivity", "--model", "sora-2"], "unknown model 'sora-2'"),
        (["--sensitivity", "--rule", "no-such-rule"], "no rule 'no-such-rule'"),
    ],
)
def test_usage_and_harness_errors_exit_2(args: list[str], needle: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "APIMART_API_KEY"}
    done = run_cli("contract", *args, env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert needle in done.stderr
    assert "Traceback" not in done.stderr


def test_a_dry_run_sends_nothing_and_prices_what_it_would_send() -> None:
    done = run_cli(
        "contract",
        "--live",
        "--dry-run",
        "--model",
        "wan2.7-image",
        "--max-examples",
        "2",
        "--negatives",
        "1",
        env={**os.environ, "APIMART_API_KEY": "sk-unused"},
    )
    assert done.returncode == 0, done.stderr
    posts = [line for line in done.stdout.splitlines() if line.startswith("POST ")]
    priced = [Decimal(line.split("(")[1].split()[0]) for line in posts if "CNY)" in line]
    assert posts and priced
    assert all(line.startswith("POST /v1/images/generations (") for line in posts)
    assert f"dry run: {len(posts)} request(s) not sent" in done.stdout
    assert f"estimated cost if all accepted: {sum(priced)}" in done.stdout
    assert "wan2.7-image/n-standard" in done.stdout and "not broken by any case" not in done.stdout
    assert "Traceback" not in done.stderr


def test_the_sensitivity_command_scores_each_model() -> None:
    done = run_cli("contract", "--sensitivity", "--model", "wan2.6", "--seed", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    rules = len(next(m for m in specs().models if m.name == "wan2.6").rules)
    assert f"sensitivity: {rules}/{rules} rules detected" in done.stdout
    assert done.stdout.splitlines()[1].split() == ["wan2.6", str(rules), str(rules), "-"]


def test_sensitivity_takes_a_rule_by_its_bare_name_like_a_run_does() -> None:
    done = run_cli("contract", "--sensitivity", "--rule", "duration-enum", "--seed", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[1].split() == ["wan2.6", "1", "1", "-"]
    assert "sensitivity: 1/1 rules detected" in done.stdout


def test_a_rule_the_suite_cannot_tell_apart_lowers_the_score(tmp_path: Path) -> None:
    """Two rules that refuse the same thing: dropping either changes nothing a client sees."""
    copy = tmp_path / "specs"
    shutil.copytree(ROOT / "specs", copy)
    page = copy / "wan2.6.yaml"
    text = page.read_text(encoding="utf-8")
    twin = (
        "  - id: aspect-ratio-twice\n"
        "    kind: disallowed\n"
        "    path: /aspect_ratio\n"
        "    when: {mode: image-to-video}\n"
        "    message: aspect_ratio again\n"
        '    source: "Default: 16:9 Not supported in image-to-video mode"\n'
    )
    anchor = "  - id: audio-ignored-with-audio-url\n"
    page.write_text(text.replace(anchor, twin + anchor), encoding="utf-8")
    done = run_cli(
        "contract", "--sensitivity", "--specs", str(copy), "--model", "wan2.6", "--seed", "1"
    )
    assert done.returncode == 1, done.stdout + done.stderr
    missed = done.stdout.splitlines()[1].split(None, 3)[3]
    assert missed == "wan2.6/aspect-ratio-image-to-video, wan2.6/aspect-ratio-twice"


def test_the_pytest_suite_fails_on_a_drifted_server_naming_the_rule() -> None:
    """contract_tests/ run by pytest over a socket: one failing test per drifted rule."""
    mock = MockProcess("--speed", "1000", "--drop-rule", "wan2.6/duration-enum")
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                str(ROOT / "contract_tests"),
                "-p",
                "no:cacheprovider",
                "-p",
                "no:randomly",
                "--apimart-base-url",
                mock.url,
                "--apimart-model",
                "wan2.6",
                "--apimart-rule",
                "wan2.6/duration-enum",
                "--apimart-rule",
                "wan2.6/resolution-enum",
                "--apimart-max-examples",
                "2",
                "--apimart-negatives",
                "2",
                "--apimart-seed",
                "4",
                "-rA",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
    finally:
        mock.stop()
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    test = "contract_tests/test_contract.py::test_each_rule_is_enforced_as_documented"
    assert f"FAILED {test}[wan2.6/duration-enum]" in out, out
    assert f"PASSED {test}[wan2.6/resolution-enum]" in out, out
    assert "1 failed, 5 passed" in out, out  # two rules, positives, wire, 5xx, lifecycle
    assert "wan2.6/duration-enum: the API accepts what the docs forbid" in out
    assert f"replay: apimart contract --base-url {mock.url} --seed 4 --model wan2.6" in out


def test_reports_get_the_users_umask_and_a_bad_target_is_exit_2(tmp_path: Path) -> None:
    report = tmp_path / "run.json"
    old = os.umask(0o022)
    try:
        done = run_cli("contract", "--rule", "wan2.6/duration-enum", "--report", str(report))
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert report.stat().st_mode & 0o777 == 0o644
    folder = tmp_path / "a-folder"
    folder.mkdir()
    done = run_cli("contract", "--rule", "wan2.6/duration-enum", "--junit", str(folder))
    assert done.returncode == 2 and "cannot write" in done.stderr
    assert "Traceback" not in done.stderr and folder.is_dir()
