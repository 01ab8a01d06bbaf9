"""What a server's answer must look like, and what it means when it does not.

Every check returns the problems it found as sentences (empty: the answer conforms). The
runner turns them into findings: per rule, "enforced as documented", "the API accepts what
the docs forbid" or "the API refuses what the docs allow".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from apimart_codegen.spec.model import ModelSpec

STATUS_ORDER: Final[Mapping[str, int]] = {
    "submitted": 0,
    "pending": 0,
    "processing": 1,
    "completed": 2,
    "failed": 2,
    "cancelled": 2,
}
"""How far along each documented status is; a task never moves to a smaller number."""
TERMINAL: Final = frozenset({"completed", "failed", "cancelled"})


def submission(model: ModelSpec, body: Any) -> tuple[str | None, list[str]]:
    """(task id, problems) of a 2xx submission answer, against the model's documented envelope."""
    problems: list[str] = []
    if not isinstance(body, dict):
        return None, [f"the submission answer is not a JSON object: {_short(body)}"]
    code = body.get("code")
    if code != model.response.code:
        problems.append(f"code is {_short(code)}, the page documents {model.response.code!r}")
    data = body.get("data")
    entry = data[0] if isinstance(data, list) and data else data
    if not isinstance(entry, dict):
        return None, [*problems, f"data holds no task: {_short(data)}"]
    task_id = entry.get("task_id", entry.get("id"))
    if not isinstance(task_id, str) or not task_id:
        problems.append(f"data has no task_id: {_short(entry)}")
        task_id = None
    status = entry.get("status")
    if status != model.response.status:
        problems.append(f"status is {_short(status)}, the page documents {model.response.status!r}")
    return task_id, problems


def error_body(body: Any) -> list[str]:
    """Problems with a 4xx/5xx body, against the wire protocol's error envelope:
    ``{"error": {"code": int|str, "message": str, "type": str, ...}}``, and its
    ``violations`` (when given) a list of ``{"path", "rule", "message"}`` strings."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return [f"the error answer has no error object: {_short(body)}"]
    problems = []
    if not isinstance(error.get("message"), str):
        problems.append(f"error.message is not a string: {_short(error)}")
    if not isinstance(error.get("type"), str):
        problems.append(f"error.type is not a string: {_short(error)}")
    code = error.get("code")
    if isinstance(code, bool) or not isinstance(code, int | str):
        problems.append(f"error.code is not a number or a string: {_short(error)}")
    violations = error.get("violations")
    if violations is not None and not (
        isinstance(violations, list)
        and all(
            isinstance(v, dict) and all(isinstance(v.get(k), str) for k in VIOLATION_KEYS)
            for v in violations
        )
    ):
        problems.append(f"error.violations is not a list of {VIOLATION_KEYS}: {_short(violations)}")
    return problems


VIOLATION_KEYS: Final = ("path", "rule", "message")
JSON_MEDIA_TYPE: Final = "application/json"
REFUSED: Final = 400
"""The status of a refused body (docs/wire-protocol.md); 422 is for a reused key only."""
ACCEPTED: Final = 200


def wire(status: int, headers: Mapping[str, str], body: Any, *, invalid: bool) -> list[str]:
    """Problems with a submission's answer against the wire protocol (docs/wire-protocol.md):
    a JSON content type and a JSON body, 200 for an accepted body, 400 and the error
    envelope for a refused one (``invalid``: the case breaks a rule). 5xx answers are server
    errors, judged elsewhere."""
    if status >= 500:
        return []
    problems = []
    declared = headers.get("content-type", "")
    if declared.split(";")[0].strip().lower() != JSON_MEDIA_TYPE:
        problems.append(f"Content-Type is {declared or 'missing'!r}, not {JSON_MEDIA_TYPE}")
    if body is None:
        return [*problems, "the answer is not JSON"]
    if 200 <= status < 300:
        if status != ACCEPTED:
            problems.append(f"an accepted body got HTTP {status}; the wire protocol answers 200")
        return problems
    if invalid and status != REFUSED:
        problems.append(
            f"an invalid body was refused with HTTP {status}; the wire protocol refuses it "
            f"with {REFUSED}"
        )
    return problems + error_body(body)


def named_rules(body: Any) -> list[str]:
    """The rule ids an error answer names (the mock's ``violations``; others name none)."""
    error = body.get("error") if isinstance(body, dict) else None
    violations = error.get("violations") if isinstance(error, dict) else None
    if not isinstance(violations, list):
        return []
    return [v["rule"] for v in violations if isinstance(v, dict) and isinstance(v.get("rule"), str)]


def task_object(model: ModelSpec, task: Any, *, expected_results: int) -> list[str]:
    """Problems with a polled task object (``data`` of GET /v1/tasks/{id})."""
    if not isinstance(task, dict):
        return [f"the task is not a JSON object: {_short(task)}"]
    problems = []
    status = task.get("status")
    if not isinstance(status, str):
        problems.append(f"status is not a string: {_short(status)}")
    progress = task.get("progress")
    if progress is not None and not (
        isinstance(progress, int | float)
        and not isinstance(progress, bool)
        and 0 <= progress <= 100
    ):
        problems.append(f"progress is not 0-100: {_short(progress)}")
    if status == "completed":
        problems += _results(model, task.get("result"), expected_results)
    if status == "failed" and not isinstance(task.get("error"), dict):
        problems.append("a failed task has no error object")
    return problems


def _results(model: ModelSpec, result: Any, expected: int) -> list[str]:
    key = "images" if model.output == "image" else "videos"
    items = result.get(key) if isinstance(result, dict) else None
    if not isinstance(items, list):
        return [f"a completed {model.output} task has no result.{key} list: {_short(result)}"]
    problems = []
    if len(items) != expected:
        problems.append(f"result.{key} holds {len(items)} item(s), expected {expected}")
    for index, item in enumerate(items):
        url = item.get("url") if isinstance(item, dict) else None
        urls = url if isinstance(url, list) else [url]
        if not urls or not all(isinstance(u, str) and u for u in urls):
            problems.append(f"result.{key}[{index}].url is not a URL (list): {_short(url)}")
    return problems


def results_expected(model: ModelSpec, payload: Mapping[str, Any]) -> int:
    """How many results a completed task of this payload holds: n images, or one video."""
    if model.output == "video":
        return 1
    n = payload.get("n")
    if isinstance(n, int) and not isinstance(n, bool):
        return n
    param = model.parameter("n")
    return int(param.default) if param is not None and param.has_default else 1


def _short(value: Any) -> str:
    from apimart_codegen.jsonvalue import show

    return show(value)
