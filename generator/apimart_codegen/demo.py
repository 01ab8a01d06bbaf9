"""The main job: every documented example, end to end, against the mock server.

1. Each example is validated twice, by the generated package and by the rule interpreter,
   and the two verdicts must agree.
2. The mock server starts on loopback (a real uvicorn server), unless ``--base-url`` names
   another server; every example is submitted through the generated ``AsyncClient``,
   waited for with progress shown, and its results downloaded.
3. A per-model table: task ids, status, seconds, files and bytes.

Exit 0 when every example is valid, both validators agree, and every task completed with
the files its request asks for (``n`` images, one video).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apimart_codegen.interpreter import judge_model
from apimart_codegen.magic import HEAD_BYTES, is_kind
from apimart_codegen.spec.model import Example, ModelSpec, SpecSet


@dataclass
class Job:
    model: ModelSpec
    example: Example
    expected_files: int
    task_id: str = ""
    status: str = "not sent"
    progress: int = 0
    seconds: float = 0.0
    files: list[Path] = field(default_factory=list)
    error: str = ""

    @property
    def label(self) -> str:
        return f"{self.model.name}: {self.example.name}"

    @property
    def ok(self) -> bool:
        return (
            self.status == "completed"
            and len(self.files) == self.expected_files
            and all(_is_media(path, self.model.output) for path in self.files)
        )


def _is_media(path: Path, output: str) -> bool:
    with path.open("rb") as file:
        return is_kind(file.read(HEAD_BYTES), output)


def check_examples(specs: SpecSet) -> int:
    """Step 1: every example through both validators; the number of problems."""
    import apimart

    problems = 0
    print("1. every documented example, validated by the generated package and the interpreter")
    print(f"   {'model':<18} {'examples':>8} {'valid':>6} {'rules':>6}  agree")
    for model in specs.models:
        valid, agree = 0, True
        for example in model.examples:
            report = apimart.validate(dict(example.body))
            verdict = judge_model(model, example.body)
            valid += report.valid
            mine = [v.to_dict() for v in report.errors + report.warnings]
            theirs = [v.to_dict() for v in verdict.errors + verdict.warnings]
            agree &= mine == theirs
            for violation in report.errors:
                print(f"   ! {example.name}: {violation.path}: {violation.message}")
        problems += (valid != len(model.examples)) + (not agree)
        print(
            f"   {model.name:<18} {len(model.examples):>8} {valid:>6} {len(model.rules):>6}  "
            f"{'yes' if agree else 'NO'}"
        )
    return problems


class Progress:
    """Progress for people: one rewritten line on a terminal, status changes otherwise."""

    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs
        self.tty = sys.stdout.isatty()

    def update(self, job: Job, status: str, progress: int) -> None:
        changed = status != job.status
        job.status, job.progress = status, progress
        if self.tty:
            done = sum(j.status in ("completed", "failed", "cancelled") for j in self.jobs)
            running = sum(j.status == "processing" for j in self.jobs)
            mean = sum(j.progress for j in self.jobs) // max(1, len(self.jobs))
            line = f"   {done}/{len(self.jobs)} done, {running} processing, mean progress {mean}%"
            print(f"\r{line:<72}", end="", flush=True)
        elif changed:
            print(f"   {job.task_id}  {status:<10} {progress:>3}%  {job.label}")

    def finish(self) -> None:
        if self.tty:
            print()


async def _run_job(client: Any, job: Job, out: Path, progress: Progress) -> None:
    started = time.monotonic()
    try:
        handle = await client.submit(dict(job.example.body))
        job.task_id = handle.id
        progress.update(job, str(handle.status), 0)
        task = await handle.wait(
            poll_interval=0.2,
            timeout=300,
            raise_on_failure=False,
            on_progress=lambda t: progress.update(job, str(t.status), t.progress or 0),
        )
        job.seconds = time.monotonic() - started
        if task.succeeded:
            job.files = await client.download(task, out / job.model.name / job.task_id)
        elif task.error is not None:
            job.error = task.error.message
    except Exception as exc:  # every failure is reported in the table, none stops the others
        job.status, job.error = "error", f"{type(exc).__name__}: {exc}"
        job.seconds = time.monotonic() - started


async def _run_all(jobs: list[Job], base_url: str, api_key: str, out: Path) -> None:
    import apimart

    progress = Progress(jobs)
    async with apimart.AsyncClient(api_key=api_key, base_url=base_url) as client:
        await asyncio.gather(*(_run_job(client, job, out, progress) for job in jobs))
    progress.finish()


def _expected_files(model: ModelSpec, body: Any) -> int:
    if model.output == "video":
        return 1
    n = body.get("n", 1)
    return n if isinstance(n, int) else 1


@contextmanager
def _server(speed: float, seed: int) -> Iterator[str]:
    from apimart_codegen.mock import MockAPI, MockServer

    with MockServer(MockAPI(seed=seed, speed=speed)) as server:
        yield server.base_url


@contextmanager
def _results_folder(out: Path | None) -> Iterator[Path]:
    """``out``, or a temporary folder removed when the demo ends (whatever way it ends)."""
    if out is not None:
        yield out
        return
    with tempfile.TemporaryDirectory(prefix="apimart-demo-") as folder:
        yield Path(folder)


def shown(url: str) -> str:
    """A URL as the demo prints it: password hidden, control characters escaped."""
    from apimart_codegen.netpolicy import printable, shown_url

    return printable(shown_url(url), keep_newlines=False)


def print_table(jobs: list[Job], out: Path) -> None:
    print(f"3. results, downloaded under {out}")
    print(
        f"   {'model':<18} {'example':<42} {'task id':<31} {'status':<10} "
        f"{'secs':>5} {'files':>5} {'bytes':>7}"
    )
    for job in jobs:
        size = sum(path.stat().st_size for path in job.files)
        mark = "" if job.ok else "  <-- " + (job.error or f"expected {job.expected_files} file(s)")
        print(
            f"   {job.model.name:<18} {job.example.name[:42]:<42} {job.task_id:<31} "
            f"{job.status:<10} {job.seconds:>5.1f} {len(job.files):>5} {size:>7}{mark}"
        )


def run(
    specs: SpecSet,
    *,
    speed: float = 40.0,
    seed: int = 7,
    out: Path | None = None,
    base_url: str | None = None,
    api_key: str = "demo-key",
) -> int:
    problems = check_examples(specs)
    jobs = [
        Job(model, example, _expected_files(model, example.body))
        for model in specs.models
        for example in model.examples
    ]
    started = time.monotonic()
    with _results_folder(out) as folder:
        if base_url is None:
            with _server(speed, seed) as url:
                where = f"the mock at {url}"
                print(f"2. {len(jobs)} examples through apimart.AsyncClient against {where}")
                print(f"   (--speed {speed:g}: the mock's task durations are divided by {speed:g})")
                asyncio.run(_run_all(jobs, url, api_key, folder))
        else:
            print(f"2. {len(jobs)} examples through apimart.AsyncClient against {shown(base_url)}")
            asyncio.run(_run_all(jobs, base_url, api_key, folder))
        print_table(jobs, folder)
        failed = [job for job in jobs if not job.ok]  # reads the files: before they go
    if out is None:
        print("   (a temporary folder, removed again: --out DIR keeps the files)")
    total = time.monotonic() - started
    files = sum(len(job.files) for job in jobs)
    print(
        f"{len(jobs) - len(failed)}/{len(jobs)} tasks completed with their files "
        f"({files} files) in {total:.1f} s; "
        + ("every documented example is valid" if not problems else f"{problems} problem(s)")
    )
    return 0 if not problems and not failed else 1
