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
    """Problems with a 4xx/5xx body: ``{"error": {"message": str, ...}}``."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return [f"the error answer has no error object: {_short(body)}"]
    if not isinstance(error.get("message"), str):
        return [f"error.message is not a string: {_short(error)}"]
    return []


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
