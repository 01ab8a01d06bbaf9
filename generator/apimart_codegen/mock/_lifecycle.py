"""The task lifecycle: a task is planned once, at creation; its state is read off the clock.

A task is ``pending`` for the first tenth of its run, then ``processing`` with progress
rising linearly from 0 to 99, then ``completed`` (progress 100, with results) or ``failed``
(progress frozen where it failed, with an error). Nothing runs in the background: every poll
computes the state from the clock, so a virtual clock moves tasks as fast as a test likes.

How long a task runs, in seconds at speed 1 (the vendor's pages give no figures; these are
of the order its pages suggest, minutes for video and seconds for images):

- video: ``20 + 4 x seconds x (lines / 720)^2``; ``seconds`` is ``duration`` (5 when absent
  or 0, "the whole source video"), ``lines`` comes from ``resolution`` (``720p``, ``1080P``);
  so 5 s at 720p takes 40 s and 15 s at 1080p takes 155 s;
- image: ``8 + 6 x n x scale``; ``scale`` is the tier (``1K`` 1, ``2K`` 2, ``4K`` 4) or
  ``sqrt(width x height) / 1024`` for pixel sizes; an aspect-ratio size counts as 2K.

The result is multiplied by a jitter drawn from the task's seeded generator (0.9-1.1) and
divided by the mock's speed. A task fails when the ``fail`` fault asks for it, or with the
probability ``failure_rate``; it then fails at a drawn point 30-90 % of the way through.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from apimart_codegen.jsonvalue import MISSING, is_int, is_number
from apimart_codegen.mock import _ids
from apimart_codegen.mock._messages import FAILURE_REASONS, FailureReason
from apimart_codegen.spec.model import ModelSpec

PENDING_SHARE: Final = 0.1
"""The share of a task's run spent ``pending`` before it starts ``processing``."""
RESULT_TTL: Final = 24 * 3600
"""Result URLs expire this many seconds after completion, as on most of the vendor's pages."""
VIDEO_BASE, VIDEO_PER_SECOND = 20.0, 4.0
IMAGE_BASE, IMAGE_PER_IMAGE = 8.0, 6.0
DEFAULT_VIDEO_SECONDS: Final = 5.0
_TIERS: Final = {"1K": 1.0, "2K": 2.0, "4K": 4.0}
_LINES: Final = re.compile(r"(\d+)[pP]")
_PIXELS: Final = re.compile(r"(\d+)[x*](\d+)")

Status = Literal["pending", "processing", "completed", "failed"]


@dataclass(frozen=True, slots=True)
class Task:
    """Everything about a task, fixed when it is created.

    Times are clock seconds: ``run`` is the planned run (what progress is measured against)
    and ``ends_after`` when the task reaches its terminal state (``run`` unless it fails).
    """

    id: str
    index: int
    model: str
    output: Literal["video", "image"]
    owner: str
    base_url: str
    created_at: float
    run: float
    ends_after: float
    results: int
    video_seconds: float
    failure: FailureReason | None
    webhook: str | None

    @property
    def ends_at(self) -> float:
        return self.created_at + self.ends_after

    @property
    def completed_at(self) -> int:
        """The ``completed`` timestamp: whole seconds, ``created`` + ``actual_time``."""
        return int(self.created_at) + round(self.ends_after)

    @property
    def expires_at(self) -> int:
        return self.completed_at + RESULT_TTL

    @property
    def extension(self) -> str:
        return "mp4" if self.output == "video" else "png"

    def result_path(self, index: int) -> str:
        return f"/results/{self.id}/{index}.{self.extension}"


@dataclass(frozen=True, slots=True)
class TaskState:
    status: Status
    progress: int

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "failed")


class TaskLifecycle:
    """Plans tasks (reproducibly from the seed) and tells their state at any moment."""

    def __init__(
        self, *, seed: int, speed: float, failure_rate: float, run: bytes | None = None
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be greater than 0, got {speed}")
        if not 0 <= failure_rate <= 1:
            raise ValueError(f"failure_rate must be between 0 and 1, got {failure_rate}")
        self.seed = seed
        self.run = run if run is not None else _ids.run_token()
        self.speed = speed
        self.failure_rate = failure_rate

    def plan(
        self,
        *,
        index: int,
        model: ModelSpec,
        body: Mapping[str, Any],
        owner: str,
        base_url: str,
        now: float,
        fail: bool = False,
    ) -> Task:
        """The ``index``-th task of this mock; the same seed and index give the same task.

        Only the id differs between two mocks: it comes from the mock's run token.
        """
        rng = _ids.stream(self.seed, "task", index)
        task_id = _ids.task_id(index, self.run)
        jitter = rng.uniform(0.9, 1.1)
        fails = rng.random() < self.failure_rate or fail
        reason = rng.choice(FAILURE_REASONS)
        failure_point = rng.uniform(0.3, 0.9)
        run = nominal_seconds(model, body) * jitter / self.speed
        webhook = body.get("webhook")
        return Task(
            id=task_id,
            index=index,
            model=model.name,
            output=model.output,
            owner=owner,
            base_url=base_url,
            created_at=now,
            run=run,
            ends_after=run * failure_point if fails else run,
            results=image_count(model, body) if model.output == "image" else 1,
            video_seconds=video_seconds(model, body),
            failure=reason if fails else None,
            webhook=webhook if isinstance(webhook, str) and webhook else None,
        )

    def state(self, task: Task, now: float) -> TaskState:
        elapsed = now - task.created_at
        if elapsed >= task.ends_after:
            if task.failure is None:
                return TaskState("completed", 100)
            return TaskState("failed", _progress(task, task.ends_after))
        if elapsed < task.run * PENDING_SHARE:
            return TaskState("pending", 0)
        return TaskState("processing", _progress(task, elapsed))

    def view(self, task: Task, now: float, *, language: str | None = None) -> dict[str, object]:
        """The task object of ``GET /v1/tasks/{id}`` (and of webhook deliveries) at ``now``."""
        state = self.state(task, now)
        data: dict[str, object] = {
            "id": task.id,
            "status": state.status,
            "progress": state.progress,
            "created": int(task.created_at),
            "estimated_time": max(1, math.ceil(task.run)),
        }
        if state.status == "completed":
            kind = "videos" if task.output == "video" else "images"
            expires_at = task.expires_at
            data["completed"] = task.completed_at
            data["actual_time"] = round(task.ends_after)
            data["result"] = {
                kind: [
                    {"url": [task.base_url + task.result_path(i)], "expires_at": expires_at}
                    for i in range(task.results)
                ]
            }
        elif state.status == "failed" and task.failure is not None:
            data["error"] = {"code": task.failure.code, "message": task.failure.message(language)}
        return data


def _progress(task: Task, elapsed: float) -> int:
    start = task.run * PENDING_SHARE
    share = (elapsed - start) / (task.run - start) if task.run > start else 1.0
    return max(0, min(99, int(share * 100)))


# -- how long a task runs ------------------------------------------------------------------


def nominal_seconds(model: ModelSpec, body: Mapping[str, Any]) -> float:
    """The run time at speed 1, before jitter (see the module docstring)."""
    if model.output == "video":
        lines = _resolution_lines(_value(model, body, "resolution"))
        return VIDEO_BASE + VIDEO_PER_SECOND * video_seconds(model, body) * (lines / 720) ** 2
    return IMAGE_BASE + IMAGE_PER_IMAGE * image_count(model, body) * _image_scale(model, body)


def video_seconds(model: ModelSpec, body: Mapping[str, Any]) -> float:
    seconds = _value(model, body, "duration")
    if is_number(seconds) and seconds > 0:
        return float(seconds)
    return DEFAULT_VIDEO_SECONDS


def image_count(model: ModelSpec, body: Mapping[str, Any]) -> int:
    """``n`` from the body, else the spec's default, else 1."""
    n = _value(model, body, "n")
    return n if is_int(n) and n >= 1 else 1


def _value(model: ModelSpec, body: Mapping[str, Any], name: str) -> object:
    if name in body:
        return body[name]
    parameter = model.parameter(name)
    return parameter.default if parameter is not None and parameter.has_default else MISSING


def _resolution_lines(resolution: object) -> int:
    match = _LINES.fullmatch(resolution) if isinstance(resolution, str) else None
    return int(match.group(1)) if match else 720


def _image_scale(model: ModelSpec, body: Mapping[str, Any]) -> float:
    for value in (body.get("size"), body.get("resolution"), _value(model, body, "size")):
        scale = _scale_of(value)
        if scale is not None:
            return scale
    return _TIERS["2K"]


def _scale_of(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    if value in _TIERS:
        return _TIERS[value]
    match = _PIXELS.fullmatch(value)
    if match:
        return math.sqrt(int(match.group(1)) * int(match.group(2))) / 1024
    return None
