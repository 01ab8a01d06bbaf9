"""An in-memory APIMart for httpx.MockTransport, following docs/wire-protocol.md, and the
unit tests of the client's wire-level pieces (envelopes, tasks, webhooks, Retry-After).

The other tests/test_client_*.py modules import FakeAPI from here (tests/ is on sys.path).
"""

from __future__ import annotations

import email.utils
import itertools
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import apimart
import httpx
import pytest
from apimart import _wire
from apimart._retry import RetryPolicy, parse_retry_after

KEY = "sk-test-0123456789abcdef-SECRET"
BASE = "https://api.apimart.test"
FILES = "https://files.apimart-cdn.test"

PNG_HEAD = b"\x89PNG\r\n\x1a\n"
MP4_HEAD = b"\x00\x00\x00\x18ftypisom"


def result_bytes(path: str) -> bytes:
    """What the fake CDN serves at ``path``: the file type's magic bytes, then the path."""
    return (MP4_HEAD if path.endswith(".mp4") else PNG_HEAD) + b"BYTES:" + path.encode()


FAULT_STATUSES = {"429": 429, "402": 402, "500": 500, "502": 502, "503": 503, "504": 504}


def error_body(status: int, message: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "type": kind, **extra}}


class BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that sends one chunk, then loses the connection."""

    def __iter__(self) -> Iterator[bytes]:
        yield b"first chunk"
        raise httpx.ReadError("connection lost mid-body")

    async def __aiter__(self) -> Any:
        yield b"first chunk"
        raise httpx.ReadError("connection lost mid-body")


@dataclass
class FakeTask:
    id: str
    model: str
    output: str
    polls: int = 0


@dataclass
class FakeAPI:
    """The server side of the wire protocol, in memory.

    ``envelope``: "spec" (per endpoint, as the model pages show), or "legacy" (``data`` as one
    object naming the task ``id``). ``url_shape``: "list" or "string". ``outcome``: how tasks
    end ("completed", "failed", "cancelled", or any other status, which then never ends).
    ``faults[(method, path)]``: fault names applied to the next attempts, one per attempt.
    """

    envelope: str = "spec"
    url_shape: str = "list"
    outcome: str = "completed"
    polls_to_finish: int = 2
    images_per_task: int = 1
    echo_key_in_errors: bool = False
    faults: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    tasks: dict[str, FakeTask] = field(default_factory=dict)
    by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    file_routes: dict[str, httpx.Response] = field(default_factory=dict)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    sleeps: list[float] = field(default_factory=list)

    # -- wiring ---------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self, **options: Any) -> apimart.Client:
        options.setdefault("api_key", KEY)
        options.setdefault("base_url", BASE)
        client = apimart.Client(transport=self.transport(), **options)
        client._sleep = self.sleeps.append
        return client

    def async_client(self, **options: Any) -> apimart.AsyncClient:
        options.setdefault("api_key", KEY)
        options.setdefault("base_url", BASE)
        client = apimart.AsyncClient(transport=self.transport(), **options)

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        client._sleep = sleep
        return client

    def fault(self, method: str, path: str, *names: str) -> None:
        self.faults.setdefault((method, path), []).extend(names)

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    # -- the server -----------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        headers = {"X-Request-Id": f"req_{len(self.requests):04x}"}
        if request.url.host == httpx.URL(FILES).host:
            return self.file(request)
        if request.headers.get("authorization") != f"Bearer {KEY}":
            message = "invalid api key"
            if self.echo_key_in_errors:
                message += f": {request.headers.get('authorization', '')}"
            return httpx.Response(
                401, json=error_body(401, message, "authentication_error"), headers=headers
            )
        queue = self.faults.get((request.method, request.url.path), [])
        fault = queue.pop(0) if queue else None
        if fault == "drop":
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        if fault == "connect":
            raise httpx.ConnectError("connection refused")
        if fault == "read-timeout":
            raise httpx.ReadTimeout("timed out")
        if fault in FAULT_STATUSES:
            status = FAULT_STATUSES[fault]
            if status == 429:
                headers["Retry-After"] = "1"
            kinds = {429: "rate_limit_error", 402: "payment_required"}
            message = f"injected {status}"
            if self.echo_key_in_errors:
                message += f" for key {KEY}"
            body = error_body(status, message, kinds.get(status, "server_error"))
            return httpx.Response(status, json=body, headers=headers)
        if fault and fault.startswith("retry-after="):
            headers["Retry-After"] = fault.removeprefix("retry-after=")
            body = error_body(429, "slow down", "rate_limit_error")
            return httpx.Response(429, json=body, headers=headers)
        response = self.route(request)
        if fault == "drop-after":
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        response.headers.update(headers)
        return response

    def route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path in (
            "/v1/videos/generations",
            "/v1/images/generations",
        ):
            return self.submit(request)
        if request.method == "GET" and path.startswith("/v1/tasks/"):
            return self.poll(path.removeprefix("/v1/tasks/"))
        if request.method == "POST" and path == "/v1/uploads/images":
            return self.upload(request)
        return httpx.Response(404, json=error_body(404, "no such route", "invalid_request_error"))

    def submit(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("idempotency-key")
        if key in self.by_key:
            return httpx.Response(200, json=self.by_key[key])
        try:
            body = json.loads(request.content)
        except ValueError:
            return httpx.Response(400, json=error_body(400, "not JSON", "invalid_request_error"))
        info = apimart.MODELS.get(body.get("model"))
        if info is None:
            message = f"no available channel for model {body.get('model')}"
            return httpx.Response(
                400,
                json={
                    "error": {
                        "code": "get_channel_failed",
                        "message": message,
                        "type": "apimart_error",
                    }
                },
            )
        if info.endpoint != request.url.path:
            return httpx.Response(
                400, json=error_body(400, "wrong endpoint", "invalid_request_error", param="model")
            )
        report = apimart.validate(body)
        if report.errors:
            first = report.errors[0]
            violations = [v.to_dict() for v in report.errors]
            return httpx.Response(
                400,
                json=error_body(
                    400,
                    first.message,
                    "invalid_request_error",
                    param=first.path,
                    violations=violations,
                ),
            )
        task = FakeTask(f"task_{next(self.ids):06d}", info.name, info.output)
        self.tasks[task.id] = task
        if self.envelope == "legacy":
            envelope: dict[str, Any] = {"code": 200, "data": {"id": task.id, "status": "submitted"}}
        elif info.output == "image":
            envelope = {
                "code": "success",
                "message": "",
                "data": [{"task_id": task.id, "status": "processing"}],
            }
        else:
            envelope = {"code": 200, "data": [{"status": "submitted", "task_id": task.id}]}
        if key:
            self.by_key[key] = envelope
        return httpx.Response(200, json=envelope)

    def poll(self, task_id: str) -> httpx.Response:
        task = self.tasks.get(task_id)
        if task is None:
            return httpx.Response(
                404, json=error_body(404, "task not found", "invalid_request_error")
            )
        task.polls += 1
        data: dict[str, Any] = {"id": task.id, "created": 1763000000, "estimated_time": 60}
        if task.polls < self.polls_to_finish:
            data.update(
                status="processing", progress=min(99, 100 * task.polls // self.polls_to_finish)
            )
        elif self.outcome == "completed":
            kind = "images" if task.output == "image" else "videos"
            ext = "png" if task.output == "image" else "mp4"
            entries = []
            for n in range(self.images_per_task):
                url = f"{FILES}/{task.id}/out-{n}.{ext}"
                entries.append(
                    {
                        "url": [url] if self.url_shape == "list" else url,
                        "expires_at": 1763174708,
                        "thumbnail_url": url + ".jpg",
                    }
                )
            data.update(
                status="completed",
                progress=100,
                completed=1763000060,
                actual_time=58,
                result={kind: entries, "credits_cost": 12},
            )
        elif self.outcome == "failed":
            data.update(
                status="failed",
                progress=0,
                error={"code": "", "message": "content policy violation"},
            )
        else:
            data.update(status=self.outcome, progress=10)
        return httpx.Response(200, json={"code": 200, "data": data})

    def upload(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        if b'name="file"' not in content:
            return httpx.Response(
                400, json=error_body(400, "no file field", "invalid_request_error")
            )
        if len(content) > 2000:
            return httpx.Response(
                413, json=error_body(413, "file too large", "invalid_request_error")
            )
        return httpx.Response(
            200,
            json={
                "url": f"{FILES}/uploads/photo.png",
                "filename": "photo.png",
                "content_type": "image/png",
                "bytes": len(content),
                "created_at": 1743436800,
            },
        )

    def file(self, request: httpx.Request) -> httpx.Response:
        if request.url.path in self.file_routes:
            return self.file_routes[request.url.path]
        kind = "video/mp4" if request.url.path.endswith(".mp4") else "image/png"
        return httpx.Response(
            200, content=result_bytes(request.url.path), headers={"Content-Type": kind}
        )


def response(status: int, body: Any, *, method: str = "POST", path: str = "/x") -> httpx.Response:
    request = httpx.Request(method, BASE + path)
    if isinstance(body, bytes | str):
        return httpx.Response(status, content=body, request=request)
    return httpx.Response(status, json=body, request=request)


# -- envelopes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "task_id", "status"),
    [
        (
            {"code": 200, "data": [{"status": "submitted", "task_id": "task_a"}]},
            "task_a",
            "submitted",
        ),
        (
            {
                "code": "success",
                "message": "",
                "data": [{"task_id": "task_b", "status": "processing"}],
            },
            "task_b",
            "processing",
        ),
        ({"code": 200, "data": {"id": "task_c", "status": "submitted"}}, "task_c", "submitted"),
        ({"task_id": "task_d"}, "task_d", ""),
        ({"code": "200", "data": [{"id": "task_e", "status": "queued"}]}, "task_e", "queued"),
    ],
)
def test_every_documented_submission_envelope_is_accepted(
    body: dict[str, Any], task_id: str, status: str
) -> None:
    accepted = _wire.accepted(response(200, body), idempotency_key="k", secret=KEY)
    assert (accepted.task_id, accepted.status) == (task_id, status)


@pytest.mark.parametrize(
    "body",
    [
        {"code": 200, "data": []},
        {"code": 200, "data": [{"status": "submitted"}]},
        {"code": 500, "message": "upstream busy"},
        [1, 2],
        b"<html>gateway</html>",
    ],
)
def test_unreadable_submission_answers_raise_unexpected_response(body: Any) -> None:
    with pytest.raises(apimart.UnexpectedResponseError) as caught:
        _wire.accepted(response(200, body), idempotency_key="key-1", secret=KEY)
    assert caught.value.idempotency_key == "key-1"
    assert caught.value.status == 200


def test_a_non_success_code_in_a_200_answer_is_reported_with_its_message_redacted() -> None:
    body = {"code": 500, "message": f"bad key {KEY}"}
    with pytest.raises(apimart.UnexpectedResponseError) as caught:
        _wire.accepted(response(200, body), idempotency_key=None, secret=KEY)
    assert "bad key [redacted]" in str(caught.value)
    assert KEY not in str(caught.value)


# -- tasks -----------------------------------------------------------------------------------


def test_a_completed_task_reads_urls_as_list_or_string_and_keeps_extras() -> None:
    task = apimart.Task.from_dict(
        {
            "id": "task_1",
            "status": "completed",
            "progress": 100,
            "created": 1763000000.0,
            "completed": "1763000060",
            "actual_time": 58,
            "result": {
                "images": [
                    {"url": ["https://x.test/a.png", "https://x.test/b.png"], "expires_at": 5},
                    {"url": "https://x.test/c.png", "cost": 0.2},
                ],
                "credits_cost": 3,
            },
        }
    )
    assert task.status is apimart.TaskStatus.COMPLETED
    assert task.done and task.succeeded
    assert task.urls == ("https://x.test/a.png", "https://x.test/b.png", "https://x.test/c.png")
    assert task.result is not None
    assert task.result.images[0].expires_at == 5
    assert task.result.images[1].url == "https://x.test/c.png"
    assert task.result.images[1].extra == {"cost": 0.2}
    assert task.result.extra == {"credits_cost": 3}
    assert (task.created, task.completed, task.actual_time) == (1763000000, 1763000060, 58)


@pytest.mark.parametrize(
    ("raw", "expected", "done"),
    [
        ("pending", apimart.TaskStatus.PENDING, False),
        ("submitted", apimart.TaskStatus.SUBMITTED, False),
        ("PROCESSING", apimart.TaskStatus.PROCESSING, False),
        ("failed", apimart.TaskStatus.FAILED, True),
        ("cancelled", apimart.TaskStatus.CANCELLED, True),
        ("in_queue", "in_queue", False),
        (None, "", False),
    ],
)
def test_statuses_known_ones_typed_unknown_ones_kept_as_strings(
    raw: object, expected: str, done: bool
) -> None:
    task = apimart.Task.from_dict({"id": "t", "status": raw})
    assert task.status == expected
    assert type(task.status) is (str if expected in ("in_queue", "") else apimart.TaskStatus)
    assert task.done is done


@pytest.mark.parametrize("code", [1001, "content_filter", "", None])
def test_a_failed_task_error_code_may_be_anything(code: int | str | None) -> None:
    task = apimart.Task.from_dict(
        {"id": "t", "status": "failed", "error": {"code": code, "message": "blocked"}}
    )
    assert task.error == apimart.TaskError("blocked", code or None)


def test_webhook_bodies_as_bytes_text_mapping_or_envelope_give_the_same_task() -> None:
    bare = {
        "id": "task_9",
        "status": "completed",
        "progress": 100,
        "result": {"videos": [{"url": "https://x.test/v.mp4"}]},
    }
    forms: list[Any] = [
        json.dumps(bare).encode(),
        json.dumps(bare),
        bare,
        {"code": 200, "data": bare},
    ]
    tasks = [apimart.parse_webhook(form) for form in forms]
    assert {task.id for task in tasks} == {"task_9"}
    assert all(task.urls == ("https://x.test/v.mp4",) for task in tasks)


@pytest.mark.parametrize("body", [b"not json", "[1]", {"status": "completed"}, b"\xff"])
def test_a_webhook_body_without_a_task_is_a_value_error(body: Any) -> None:
    with pytest.raises(ValueError):
        apimart.parse_webhook(body)


# -- errors and retry timing -----------------------------------------------------------------


def test_a_400_body_with_violations_becomes_bad_request_with_violations() -> None:
    body = error_body(
        400,
        "duration must be 2-10",
        "invalid_request_error",
        param="/duration",
        violations=[{"path": "/duration", "rule": "r/d", "message": "too long"}],
    )
    error = _wire.status_error(response(400, body), idempotency_key="k", secret=KEY)
    assert isinstance(error, apimart.BadRequestError)
    assert error.violations == (apimart.Violation("/duration", "r/d", "too long"),)
    assert (error.message, error.param, error.code, error.type) == (
        "duration must be 2-10",
        "/duration",
        400,
        "invalid_request_error",
    )


def test_an_error_body_that_is_not_json_gives_its_text_as_message() -> None:
    error = _wire.status_error(
        response(502, b"<h1>Bad gateway</h1>"), idempotency_key=None, secret=KEY
    )
    assert isinstance(error, apimart.InternalServerError)
    assert error.message == "<h1>Bad gateway</h1>"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 7, usegmt=True)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(date, now=now) == 7.0
    assert parse_retry_after(email.utils.formatdate(now - 60, usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_grows_exponentially_within_the_jitter_band() -> None:
    policy = RetryPolicy(max_retries=5)
    for attempt, ceiling in enumerate([0.5, 1.0, 2.0, 4.0, 8.0, 8.0]):
        delays = [policy.backoff(attempt) for _ in range(50)]
        assert all(ceiling * 0.75 <= delay <= ceiling for delay in delays)


@pytest.mark.parametrize(
    ("method", "status", "retried"),
    [
        ("GET", 429, True),
        ("GET", 500, True),
        ("GET", 502, True),
        ("GET", 503, True),
        ("GET", 504, True),
        ("GET", 400, False),
        ("GET", 404, False),
        ("POST", 429, True),
        ("POST", 503, True),
        ("POST", 500, False),
        ("POST", 502, False),
        ("POST", 504, False),
        ("POST", 400, False),
        ("POST", 402, False),
    ],
)
def test_which_statuses_are_retried(method: str, status: int, retried: bool) -> None:
    assert (RetryPolicy().after_status(method, status, None, 0) is not None) is retried


@pytest.mark.parametrize(
    ("method", "exc", "retried"),
    [
        ("POST", httpx.ConnectError("x"), True),
        ("POST", httpx.ConnectTimeout("x"), True),
        ("POST", httpx.PoolTimeout("x"), True),
        ("POST", httpx.ReadTimeout("x"), False),
        ("POST", httpx.WriteTimeout("x"), False),
        ("POST", httpx.RemoteProtocolError("x"), False),
        ("POST", httpx.ReadError("x"), False),
        ("GET", httpx.ReadTimeout("x"), True),
        ("GET", httpx.RemoteProtocolError("x"), True),
        ("GET", httpx.ReadError("x"), True),
        ("GET", httpx.UnsupportedProtocol("x"), False),
    ],
)
def test_which_transport_errors_are_retried(
    method: str, exc: httpx.TransportError, retried: bool
) -> None:
    assert (RetryPolicy().after_exception(method, exc, 0) is not None) is retried


def test_the_fake_creates_nothing_twice_for_one_idempotency_key() -> None:
    api = FakeAPI()
    with api.client() as client:
        key = str(uuid.uuid4())
        first = client.wan2_6(prompt="a kite", idempotency_key=key)
        second = client.wan2_6(prompt="a kite", idempotency_key=key)
    assert first.id == second.id
    assert len(api.tasks) == 1


def test_str_of_a_bad_request_lists_every_violation_up_to_a_bound() -> None:
    violations = [{"path": f"/image_urls/{i}", "rule": "r/url", "message": "bad"} for i in range(3)]
    body = error_body(400, "bad", "invalid_request_error", violations=violations)
    text = str(_wire.status_error(response(400, body), idempotency_key=None, secret=KEY))
    assert [line.strip() for line in text.splitlines()[1:]] == [
        "/image_urls/0: bad [r/url]",
        "/image_urls/1: bad [r/url]",
        "/image_urls/2: bad [r/url]",
    ]
    many = [{"path": f"/f{i}", "rule": "r", "message": "m"} for i in range(100)]
    body = error_body(400, "bad", "invalid_request_error", violations=many, more_violations=7)
    error = _wire.status_error(response(400, body), idempotency_key=None, secret=KEY)
    assert isinstance(error, apimart.BadRequestError)
    lines = str(error).splitlines()
    assert len(error.violations) == 100 and error.more_violations == 7
    assert len(lines) == 1 + 20 + 1
    assert lines[-1].strip() == "... and 87 more violation(s)"


def test_422_is_an_idempotency_key_reused_error() -> None:
    body = error_body(422, "key used with another body", "idempotency_error")
    error = _wire.status_error(response(422, body), idempotency_key="k-1", secret=KEY)
    assert isinstance(error, apimart.IdempotencyKeyReusedError)
    assert (error.status, error.idempotency_key) == (422, "k-1")


def test_redaction_masks_the_key_where_it_stands_not_inside_other_words() -> None:
    short = "ab"  # a short key must not mangle "about", "cab", "tab"
    body = error_body(401, "invalid key: Bearer ab (about keys: see the tab)", "auth")
    error = _wire.status_error(response(401, body), idempotency_key=None, secret=short)
    assert error.message == "invalid key: Bearer [redacted] (about keys: see the tab)"
    plain = _wire.status_error(response(502, b"cab ab abc"), idempotency_key=None, secret=short)
    assert plain.message == "cab [redacted] abc"
    echoed = error_body(400, "bad", "invalid_request_error", param="ab", extra="Bearer ab")
    error = _wire.status_error(response(400, echoed), idempotency_key=None, secret=short)
    assert error.param == "[redacted]"
    assert error.body == {
        "error": {
            "code": 400,
            "message": "bad",
            "type": "invalid_request_error",
            "param": "[redacted]",
            "extra": "Bearer [redacted]",
        }
    }


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"model": "wan2.6", "prompt": "\ud800"}, "/prompt"),
        ({"model": "wan2.6", "prompt": "p", "seed": float("inf")}, "/seed"),
        ({"model": "wan2.6", "prompt": "p", "seed": float("nan")}, "/seed"),
    ],
    ids=["lone-surrogate", "inf", "nan"],
)
def test_a_body_json_cannot_carry_is_a_validation_error_even_unvalidated(
    body: dict[str, Any], path: str
) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(500))
    client = apimart.Client(api_key=KEY, transport=transport)
    with client, pytest.raises(apimart.ValidationError) as caught:
        client.submit(body, validate=False)
    (violation,) = caught.value.report.errors
    assert (violation.path, violation.rule) == (path, "apimart/json")
    assert sent == []
