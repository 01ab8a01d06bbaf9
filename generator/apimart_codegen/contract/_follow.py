"""An accepted task followed to its end, and after: the promises a task's life keeps.

Polled until it ends, a task's status never goes back, its progress never falls and each
answer has the documented shape. Once it has ended it is polled again: a terminal status
stays what it was, and a completed task keeps its results. Then each result is downloaded
and judged: the task holds as many as its request asked for, each answers 200 and is a file
of the model's kind by its first bytes (PNG, JPEG, GIF, WebP, BMP for images; an ISO-BMFF
``ftyp`` box or WebM for videos), whatever its Content-Type says.

Each follow-up is a coroutine on the harness's loop (``Target.spawn``): over a socket they
all run at once, as the cases that made them go on; in process each runs to its end at once
(the mock's virtual clock is shared, so the run stays the same for the same seed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Final, Literal

from apimart_codegen.contract import _checks
from apimart_codegen.contract._targets import Answer, Target
from apimart_codegen.kinds.media_type import _signature
from apimart_codegen.spec.model import ModelSpec

VIRTUAL_STEP: Final = 15.0
"""Seconds of the in-process mock's clock between two polls."""
VIRTUAL_LIMIT: Final = 24 * 3600.0
"""How long a task may run on the in-process mock's clock before it counts as stuck."""


@dataclass(frozen=True, slots=True)
class Broken:
    """A promise a followed task did not keep."""

    kind: Literal["lifecycle", "shape"]
    message: str
    answer: Answer | None = None


def file_kind(head: bytes) -> str | None:
    """ "image" or "video" by a file's magic bytes, or None for anything else."""
    if _signature(head[:16]) is not None:
        return "image"
    if head[4:8] == b"ftyp" or head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video"
    return None


async def follow(
    target: Target,
    model: ModelSpec,
    payload: Any,
    task_id: str,
    *,
    timeout: float,
    interval: float,
) -> Broken | None:
    """Follow one task: polled to its end, polled again, its results downloaded."""
    expected = _checks.results_expected(model, payload)
    step = interval if target.advance is None else VIRTUAL_STEP
    deadline = time.monotonic() + timeout
    last_rank, last_progress, waited = -1, -1.0, 0.0
    while True:
        answer = await target.atask(task_id)
        task, broken = _task(model, task_id, answer, expected)
        if broken is not None:
            return broken
        status = task.get("status")
        rank = _checks.STATUS_ORDER.get(str(status), last_rank)
        progress = task.get("progress")
        if rank < last_rank:
            return Broken("lifecycle", f"task {task_id} went back to {status!r}", answer)
        if isinstance(progress, int | float) and progress < last_progress:
            return Broken("lifecycle", f"task {task_id} progress fell to {progress}", answer)
        last_rank = rank
        if isinstance(progress, int | float):
            last_progress = float(progress)
        if status in _checks.TERMINAL:
            break
        if target.advance is None and time.monotonic() > deadline:
            message = f"task {task_id} still {status!r} after {timeout:g} s"
            return Broken("lifecycle", message, answer)
        if target.advance is not None and waited > VIRTUAL_LIMIT:
            message = f"task {task_id} still {status!r} after a virtual day"
            return Broken("lifecycle", message, answer)
        waited += step
        await target.asleep(step)
    await target.asleep(step)
    return await _after_the_end(target, model, task_id, task, expected) or await _results(
        target, model, task_id, task
    )


def _task(
    model: ModelSpec, task_id: str, answer: Answer, expected: int
) -> tuple[dict[str, Any], Broken | None]:
    if not answer.ok:
        message = f"polling task {task_id} answered HTTP {answer.status}"
        return {}, Broken("lifecycle", message, answer)
    task = answer.body.get("data") if isinstance(answer.body, dict) else None
    problems = _checks.task_object(model, task, expected_results=expected)
    if problems:
        return {}, Broken("shape", problems[0], answer)
    assert isinstance(task, dict)
    return task, None


async def _after_the_end(
    target: Target, model: ModelSpec, task_id: str, ended: dict[str, Any], expected: int
) -> Broken | None:
    """Polled once more after it ended: the same terminal status, the same results."""
    status = ended.get("status")
    answer = await target.atask(task_id)
    if not answer.ok:
        message = f"task {task_id} ended {status!r}, then polling it answered HTTP {answer.status}"
        return Broken("lifecycle", message, answer)
    task = answer.body.get("data") if isinstance(answer.body, dict) else None
    later = task.get("status") if isinstance(task, dict) else None
    if later != status:
        message = f"task {task_id} ended {status!r}, then was {later!r}"
        return Broken("lifecycle", message, answer)
    _, broken = _task(model, task_id, answer, expected)
    if broken is not None:
        message = f"task {task_id} ended {status!r}, then: {broken.message}"
        return Broken("lifecycle", message, answer)
    return None


async def _results(
    target: Target, model: ModelSpec, task_id: str, task: dict[str, Any]
) -> Broken | None:
    """A completed task's results, downloaded: each answers 200 and is a file of its kind."""
    if task.get("status") != "completed":
        return None
    key = "images" if model.output == "image" else "videos"
    urls = [
        url
        for item in task["result"][key]
        for url in (item["url"] if isinstance(item["url"], list) else [item["url"]])
    ]
    for index, url in enumerate(urls, start=1):
        fetched = await target.afetch(url)
        where = f"result {index} of {len(urls)} of task {task_id} ({target.shown(url)})"
        if fetched.status != 200:
            return Broken("lifecycle", f"{where} answered HTTP {fetched.status}")
        kind = file_kind(fetched.content)
        if kind != model.output:
            declared = target.shown(fetched.headers.get("content-type", "no Content-Type"))
            found = "no image or video" if kind is None else f"a {kind}"
            message = (
                f"{where} is not a {model.output} file: its first bytes are {found} "
                f"({fetched.content[:12]!r}, {declared})"
            )
            return Broken("lifecycle", message)
    return None
