"""The contract harness with a real key and a real budget, against hostile servers.

Every server here is real and on loopback: a scripted one (``Scripted``) that answers as
a test tells it and records what it received, or the mock itself with one bug put in front
of it (``Buggy``). The key goes only to the base URL's origin, nothing a server sends ends
up printed or written unredacted or raw, what may have been charged never passes
--max-cost, a body is paid once per run, and a server that is slow or endless stops the run
with a message and exit 2.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from apimart_codegen.contract._runner import Options, Runner
from apimart_codegen.contract._targets import (
    Answer,
    Budget,
    HarnessError,
    Target,
    estimate,
    over_http,
)
from apimart_codegen.mock import IN_PROCESS_URL, MockAPI, VirtualClock
from apimart_codegen.mock._server import MockServer
from tests.support import run_cli, specs

KEY = "sk-trust-harness-5e1f0c2b"
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2mp41" + b"\x00" * 64
ENVELOPE_500 = {"error": {"code": 500, "message": "boom", "type": "server_error"}}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    """JSON (dict/list) or bytes."""
    headers: dict[str, str] = field(default_factory=dict)
    chunks: Iterator[bytes] | None = None
    """Sent after the headers without a length, one item at a time, ``pause`` apart."""
    pause: float = 0.0
    raw: bytes | None = None
    """Sent as it is, one byte per ``pause`` (a server that trickles its headers)."""
    delay: float = 0.0


class Scripted:
    """A loopback HTTP server whose answers a function decides; it records every request."""

    def __init__(self, answer: Callable[[Seen], Reply]) -> None:
        self.seen: list[Seen] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.stop = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                seen = Seen(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                with lock:
                    owner.seen.append(seen)
                    owner.in_flight += 1
                    owner.most_in_flight = max(owner.most_in_flight, owner.in_flight)
                try:
                    owner._send(self, answer(seen))
                except OSError:
                    pass
                finally:
                    with lock:
                        owner.in_flight -= 1

            do_GET = do_POST = _any

            def log_message(self, *args: object) -> None:
                pass

        lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay:
            self.stop.wait(reply.delay)
        if reply.raw is not None:
            for byte in reply.raw:
                if self.stop.wait(reply.pause):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            return
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if reply.chunks is not None:
            handler.end_headers()
            for chunk in reply.chunks:
                if self.stop.wait(reply.pause):
                    return
                handler.wfile.write(chunk)
                handler.wfile.flush()
            return
        data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        if not isinstance(reply.body, bytes):
            handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[Seen], Reply]], Scripted]]:
    started: list[Scripted] = []

    def start(answer: Callable[[Seen], Reply]) -> Scripted:
        server = Scripted(answer)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def video_api(
    result: str, *, task_id: str | None = None, delay: float = 0.0
) -> Callable[[Seen], Reply]:
    """A server that accepts every video body and says its task (``task_id``, else a new
    one each time) completed with ``result``."""
    made = iter(range(1, 1_000_000))

    def answer(seen: Seen) -> Reply:
        if seen.method == "POST":
            made_id = task_id or f"task_{next(made)}"
            return Reply(body={"code": 200, "data": [{"status": "submitted", "task_id": made_id}]})
        url = result
        task = {
            "id": seen.path.rsplit("/", 1)[-1],
            "status": "completed",
            "progress": 100,
            "result": {"videos": [{"url": [url]}]},
        }
        return Reply(body={"code": 200, "data": task}, delay=delay)

    return answer


def mp4_files(seen: Seen) -> Reply:
    return Reply(body=MP4, headers={"content-type": "video/mp4"})


ONE_RULE = ["--model", "wan2.6", "--rule", "wan2.6/duration-enum", "--negatives", "1"]


def _env() -> dict[str, str]:
    return {**os.environ, "APIMART_API_KEY": KEY}


# -- secrets ----------------------------------------------------------------------------


def test_the_key_goes_to_the_base_origin_only_and_results_elsewhere_come_without_it(
    serve: Callable[[Callable[[Seen], Reply]], Scripted],
) -> None:
    files = serve(mp4_files)  # another port: another origin, as a CDN is
    api = serve(video_api(files.url + "/r/1.mp4"))
    done = run_cli("contract", "--base-url", api.url, *ONE_RULE, "--seed", "1", env=_env())
    assert "Traceback" not in done.stderr, done.stderr
    assert api.seen and all(s.headers.get("authorization") == f"Bearer {KEY}" for s in api.seen)
    assert files.seen, "no result was downloaded"
    assert all("authorization" not in s.headers for s in files.seen)
    assert KEY not in done.stdout + done.stderr


def test_a_result_url_at_a_link_local_address_is_not_fetched_unless_allowed() -> None:
    requested: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        return httpx.Response(200, content=MP4)

    def target(**options: Any) -> Target:
        return Target(
            name="api",
            base_url="https://api.example.test",
            api_key=KEY,
            transport=httpx.MockTransport(record),
            **options,
        )

    metadata = "http://169.254.169.254/latest/meta-data/"
    with pytest.raises(HarnessError, match=r"link-local address.*--allow-private-results"):
        target().fetch(metadata)
    with pytest.raises(HarnessError, match="the scheme 'file' is not http or https"):
        target(allow_private=True).fetch("file:///etc/passwd")
    assert requested == []
    assert target(allow_private=True).fetch(metadata).status == 200
    assert requested == [metadata]


def test_a_file_result_url_stops_the_run_with_a_message(
    serve: Callable[[Callable[[Seen], Reply]], Scripted],
) -> None:
    api = serve(video_api("file:///etc/passwd"))
    done = run_cli("contract", "--base-url", api.url, *ONE_RULE, "--seed", "1", env=_env())
    assert done.returncode == 2, done.stdout + done.stderr
    assert "a result URL was not fetched: file:///etc/passwd" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_submission_redirected_elsewhere_is_not_sent_there(
    serve: Callable[[Callable[[Seen], Reply]], Scripted],
) -> None:
    elsewhere = serve(lambda seen: Reply(body={"code": 200, "data": [{"task_id": "stolen"}]}))
    api = serve(lambda seen: Reply(307, {}, {"location": elsewhere.url + "/v1/steal"}))
    done = run_cli("contract", "--base-url", api.url, *ONE_RULE, "--seed", "1", env=_env())
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"answered HTTP 307 to {elsewhere.url}/v1/steal" in done.stderr
    assert elsewhere.seen == []
    assert "Traceback" not in done.stderr


def test_an_echoed_key_and_control_characters_are_never_printed_or_written(
    serve: Callable[[Callable[[Seen], Reply]], Scripted], tmp_path: Path
) -> None:
    """The server refuses every body, quoting the Authorization it got, a NUL and an ESC."""

    def echo(seen: Seen) -> Reply:
        message = f"no: {seen.headers.get('authorization')} \x00\x1b[31m red {KEY}"
        return Reply(400, message.encode(), {"content-type": "text/plain"})

    api = serve(echo)
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    done = run_cli(
        "contract",
        "--base-url",
        api.url,
        *ONE_RULE,
        "--seed",
        "1",
        "--report",
        str(report),
        "--junit",
        str(junit),
        env=_env(),
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "refuses what the docs allow" in done.stdout
    written = report.read_text() + junit.read_text()
    for text in (done.stdout, done.stderr, written):
        assert KEY not in text
        assert "\x1b" not in text and "\x00" not in text
    assert "no: *** \\x00\\x1b[31m red ***" in done.stdout
    answers = [f["answer"] for f in json.loads(report.read_text())["findings"]]
    assert answers and all("***" in answer and KEY not in answer for answer in answers)
    failures = [f.text or "" for f in ElementTree.parse(junit).getroot().iter("failure")]
    assert failures and "\\x1b[31m" in failures[0]


def test_a_password_in_the_base_url_is_never_shown(
    serve: Callable[[Callable[[Seen], Reply]], Scripted], tmp_path: Path
) -> None:
    files = serve(mp4_files)
    api = serve(video_api(files.url + "/1.mp4"))
    secret = "pw-hidden-9a8b7c"
    base = api.url.replace("http://", f"http://user:{secret}@")
    report = tmp_path / "r.json"
    done = run_cli(
        "contract", "--base-url", base, *ONE_RULE, "--seed", "1", "--report", str(report)
    )
    shown = api.url.replace("http://", "http://user:***@")
    assert f"contract run against {shown}" in done.stderr
    for text in (done.stdout, done.stderr, report.read_text()):
        assert secret not in text


@pytest.mark.parametrize("task_id", ["../../admin/x", "t?x=1#f"])
def test_task_ids_from_the_server_are_one_path_segment(
    serve: Callable[[Callable[[Seen], Reply]], Scripted], task_id: str
) -> None:
    files = serve(mp4_files)
    api = serve(video_api(files.url + "/1.mp4", task_id=task_id))
    run_cli("contract", "--base-url", api.url, *ONE_RULE, "--seed", "1", env=_env())
    polls = [s.path for s in api.seen if s.method == "GET"]
    assert polls, "no task was polled"
    quoted = "/v1/tasks/" + task_id.replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
    assert set(polls) == {quoted.replace("=", "%3D")}


# -- money ------------------------------------------------------------------------------


def test_a_budget_gives_back_only_what_an_answer_proves_was_not_charged() -> None:
    pro = specs().model("wan2.7-image-pro")
    assert pro is not None
    assert estimate(pro, {"n": 4}) == Decimal("2.00")
    assert estimate(pro, {"n": -3}) == Decimal("0.50")  # a broken n is priced as one image

    def answer(status: int, body: Any) -> Answer:
        return Answer(status, body, "", {})

    refused = answer(400, {"error": {"code": 400, "message": "n must be 1-4", "type": "x"}})
    budget = Budget(max_cost=Decimal("1.00"))
    assert budget.reserve(pro, {"n": 1}, "a") is None
    budget.settle("a", refused)  # the documented refusal: nothing was made
    assert budget.spent == 0
    for key, status, body in [
        ("b", 500, ENVELOPE_500),  # a server error: a task may exist
        ("c", 400, {"detail": "no envelope"}),  # not the documented refusal
    ]:
        assert budget.reserve(pro, {"n": 1}, key) is None
        budget.settle(key, answer(status, body))
    assert budget.spent == Decimal("1.00")
    assert "over --max-cost" in (budget.reserve(pro, {"n": 1}, "d") or "")
    # a retry with the same key reserves nothing more, and a later refusal of that key
    # gives back nothing: its first attempt may have made the task
    assert budget.reserve(pro, {"n": 1}, "b") is None and budget.spent == Decimal("1.00")
    budget.settle("b", refused)
    assert budget.spent == Decimal("1.00")


def test_every_valid_post_answered_500_never_exposes_more_than_max_cost(
    serve: Callable[[Callable[[Seen], Reply]], Scripted],
) -> None:
    api = serve(lambda seen: Reply(500, ENVELOPE_500))
    done = run_cli(
        "contract",
        "--base-url",
        api.url,
        "--model",
        "wan2.7-image-pro",
        "--max-cost",
        "0.6",
        "--negatives",
        "1",
        "--max-examples",
        "3",
        "--no-shrink",
        "--seed",
        "1",
        env=_env(),
    )
    assert "Traceback" not in done.stderr, done.stderr
    pro = specs().model("wan2.7-image-pro")
    assert pro is not None
    keys = {
        s.headers["idempotency-key"]: json.loads(s.body) for s in api.seen if s.method == "POST"
    }
    exposed = sum((estimate(pro, body) or Decimal(0) for body in keys.values()), Decimal(0))
    assert keys and Decimal(0) < exposed <= Decimal("0.6")


def test_a_failing_body_is_sent_once_however_often_hypothesis_replays_it() -> None:
    """A mock that stopped enforcing a rule: each body it accepts becomes one task, not one
    per replay (Hypothesis runs a failing case again while it shrinks and at the end)."""
    rule = "wan2.6/duration-enum"
    mock = MockAPI(specs=specs().without_rules([rule]), clock=VirtualClock(), seed=1)
    accepted: list[bytes] = []
    inner = mock.transport()

    async def record(request: httpx.Request) -> httpx.Response:
        response = await inner.handle_async_request(request)
        if request.method == "POST" and response.status_code == 200:
            accepted.append(await request.aread())
        return response

    target = Target(
        name="a drifted mock",
        base_url="http://127.0.0.1:8000",
        api_url=IN_PROCESS_URL,
        transport=httpx.MockTransport(record),
        api_key="mock-key",
        advance=mock.advance,
    )
    options = Options(models=("wan2.6",), rules=(rule,), negatives=6, seed=2, shrink=True)
    run = Runner(specs(), target, options).execute()
    assert rule in run.detected()
    assert run.reused > 0  # Hypothesis did send some bodies again...
    assert len(mock.tasks) == len(accepted) == len(set(accepted))  # ...and none was paid twice


# -- bounded time and bytes -------------------------------------------------------------


def test_a_server_that_trickles_its_headers_stops_the_run_at_the_deadline(
    serve: Callable[[Callable[[Seen], Reply]], Scripted],
) -> None:
    headers = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X-Slow: 1\r\n" * 400
    api = serve(lambda seen: Reply(raw=headers, pause=0.02))  # ~10 s for the headers
    done = run_cli(
        "contract", "--base-url", api.url, *ONE_RULE, "--timeout", "1", env=_env(), timeout=60
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no whole answer within the overall deadline (--timeout)" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("files", "flags", "needle"),
    [
        (  # endless
            lambda seen: Reply(chunks=iter(lambda: b"\x00" * 65536, None)),
            ["--max-bytes", "100000"],
            "the answer is larger than 100000 bytes (--max-bytes for results)",
        ),
        (  # one byte at a time
            lambda seen: Reply(
                headers={"content-length": "100000"}, chunks=iter(lambda: b"x", None), pause=0.2
            ),
            ["--timeout", "1"],
            "no whole answer within the overall deadline (--timeout)",
        ),
    ],
)
def test_an_endless_or_trickling_download_stops_the_run_with_a_message(
    serve: Callable[[Callable[[Seen], Reply]], Scripted],
    files: Callable[[Seen], Reply],
    flags: list[str],
    needle: str,
) -> None:
    results = serve(files)
    api = serve(video_api(results.url + "/r.mp4"))
    done = run_cli("contract", "--base-url", api.url, *ONE_RULE, *flags, env=_env(), timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert needle in done.stderr
    assert "Traceback" not in done.stderr


# -- usage errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ["--rule", "wan2.6/duration-enun"],
            "no rule 'wan2.6/duration-enun' in the chosen models; "
            "did you mean wan2.6/duration-enum",
        ),
        (["--model", "wan2.6", "--rule", "duration-enun"], "did you mean duration-enum"),
        (["--model", "wan2.7-imag"], "unknown model 'wan2.7-imag'; did you mean wan2.7-image"),
    ],
)
def test_a_misspelt_rule_or_model_is_a_usage_error_naming_the_nearest(
    args: list[str], needle: str
) -> None:
    done = run_cli("contract", *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert needle in done.stderr
    assert "no contract violations" not in done.stdout


def test_a_hypothesis_error_is_a_message_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hypothesis.errors import FlakyStrategyDefinition

    from apimart_codegen import cli

    def flaky(self: Runner) -> None:
        raise FlakyStrategyDefinition("Inconsistent data generation! (from the state machine)")

    monkeypatch.setattr(Runner, "execute", flaky)
    code = cli.main(["contract", "--rule", "wan2.6/duration-enum"])
    err = capsys.readouterr().err
    assert code == 2
    assert "the harness failed: FlakyStrategyDefinition: Inconsistent data generation" in err


# -- concurrency ------------------------------------------------------------------------


def test_accepted_tasks_are_followed_at_once_within_the_concurrency(
    serve: Callable[[Callable[[Seen], Reply]], Scripted],
) -> None:
    files = serve(mp4_files)
    api = serve(video_api(files.url + "/1.mp4", delay=0.3))  # each poll takes a while
    target = over_http(api.url, api_key=KEY, concurrency=3)
    options = Options(models=("wan2.6",), rules=("wan2.6/duration-enum",), negatives=1, seed=1)
    try:
        run = Runner(specs(), target, options).execute()
    finally:
        target.close()
    assert run.stats["wan2.6"]["wan2.6/lifecycle"].kept >= 3
    assert 2 <= api.most_in_flight <= 3


# -- the task's life, against the mock with one bug ---------------------------------------


class Buggy:
    """The mock's ASGI app with one lifecycle bug in front of it."""

    def __init__(self, app: Any, bug: str) -> None:
        self.app, self.bug = app, bug
        self.completed: set[str] = set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        if path.startswith("/results/") and self.bug == "result-404":
            error = {"error": {"code": 404, "message": "gone", "type": "invalid_request_error"}}
            return await _answer(send, 404, json.dumps(error).encode(), b"application/json")
        if path.startswith("/results/") and self.bug == "result-html":
            return await _answer(send, 200, b"<!doctype html><p>a page</p>", b"text/html")
        if path.startswith("/v1/tasks/") and self.bug == "flips-back":
            messages: list[Any] = []

            async def keep(message: Any) -> None:
                messages.append(message)

            await self.app(scope, receive, keep)
            status = next(m["status"] for m in messages if m["type"] == "http.response.start")
            body = json.loads(b"".join(m.get("body", b"") for m in messages[1:]))
            task = body.get("data") or {}
            if task.get("status") == "completed":
                if task["id"] in self.completed:  # once done, it says it is running again
                    task.update(status="processing", progress=99)
                    task.pop("result", None)
                self.completed.add(task["id"])
            return await _answer(send, status, json.dumps(body).encode(), b"application/json")
        return await self.app(scope, receive, send)


async def _answer(send: Any, status: int, body: bytes, kind: bytes) -> None:
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    ("bug", "message"),
    [
        ("flips-back", "ended 'completed', then was 'processing'"),
        ("result-html", "is not a video file: its first bytes are no image or video"),
        ("result-404", "answered HTTP 404"),
    ],
)
def test_a_lifecycle_bug_is_named_as_the_lifecycle_check(bug: str, message: str, seed: int) -> None:
    api = MockAPI(seed=seed, speed=400)
    api.app = Buggy(api.app, bug)  # type: ignore[assignment]
    with MockServer(api) as server:
        target = over_http(server.base_url, api_key="mock-key")
        options = Options(
            models=("wan2.6",),
            rules=("wan2.6/duration-enum",),
            negatives=1,
            seed=seed,
            poll_interval=0.05,
        )
        try:
            run = Runner(specs(), target, options).execute()
        finally:
            target.close()
    named = {(f.rule, f.kind) for f in run.findings}
    assert named == {("wan2.6/lifecycle", "lifecycle")}, run.findings
    assert message in run.findings[0].message


def test_an_honest_mock_over_a_socket_keeps_every_promise_after_the_end() -> None:
    with MockServer(MockAPI(seed=1, speed=400)) as server:
        target = over_http(server.base_url, api_key="mock-key")
        options = Options(
            models=("wan2.7-image",), negatives=1, max_examples=4, seed=1, poll_interval=0.05
        )
        try:
            result = Runner(specs(), target, options).execute()
        finally:
            target.close()
    assert result.findings == []
    followed = result.stats["wan2.7-image"]["wan2.7-image/lifecycle"].kept
    assert followed >= 4  # each accepted positive at least: followed, polled again, downloaded
    downloads = target.sent - result.cases - followed  # at least one more GET per task
    assert downloads > followed
