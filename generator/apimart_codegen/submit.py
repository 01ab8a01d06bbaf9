"""``apimart submit``: validate a request body, submit it, optionally wait and download;
``apimart wait``: follow a task already submitted (resume after an interruption).

    apimart submit body.json --wait --out results/
    apimart submit - --format json < body.json
    apimart submit body.json --idempotency-key KEY   # resubmit: the server returns the same task
    apimart wait task_01... --out results/

The key comes from APIMART_API_KEY only (an argument would land in shell histories); it is
never printed. Exit codes: 0 accepted (with ``--wait``: completed), 1 rejected (locally or by
the server) or failed, 2 usage errors, unreadable input, an unknown model, a missing key or a
connection failure. ``--format json`` prints exactly one object:
``{"task_id", "status", "progress", "results", "files", "error"}``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, TextIO, TypeVar

from apimart_codegen.payloads import PayloadError, read_one

if TYPE_CHECKING:
    import apimart

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

T = TypeVar("T")


class Stop(Exception):
    """Ends the command with an exit code; ``outcome.error`` says why."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Outcome:
    """What ``--format json`` prints, field for field."""

    task_id: str | None = None
    status: str | None = None
    progress: int | None = None
    results: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    error: str | None = None

    def seen(self, task: apimart.Task) -> None:
        self.task_id, self.status, self.progress = task.id, str(task.status), task.progress


class Progress:
    """Task progress on stderr: one rewritten line on a terminal, plain lines otherwise."""

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.live = enabled and stream.isatty()
        self.width = 0

    def __call__(self, task: apimart.Task) -> None:
        if not self.enabled:
            return
        percent = "" if task.progress is None else f" {task.progress}%"
        line = shown(f"{task.id}: {task.status}{percent}", keep_newlines=False)
        if self.live:
            self.stream.write("\r" + line.ljust(self.width))
            self.width = max(self.width, len(line))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self.live and self.width:
            self.stream.write("\n")
            self.stream.flush()
            self.width = 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``apimart submit`` and ``apimart wait`` on the command's subparsers."""
    sub = commands.add_parser(
        "submit",
        help="validate a request body, submit it, optionally wait and download the results",
        description="Validate a request body, submit it (key: APIMART_API_KEY), optionally "
        "wait for the task and download its results.",
    )
    sub.add_argument("file", metavar="FILE|-", help="a JSON body, or - for standard input")
    _connection_options(sub)
    sub.add_argument("--wait", action="store_true", help="poll until the task ends")
    sub.add_argument(
        "--no-validate",
        action="store_true",
        help="send the body without checking it against the model's rules",
    )
    sub.add_argument(
        "--idempotency-key",
        metavar="KEY",
        type=_idempotency_key,
        help="the submission's Idempotency-Key (default: a new one); resubmitting the same "
        "body with the key an error named returns the task already made",
    )
    _wait_options(sub)
    sub.set_defaults(run=run)

    wait = commands.add_parser(
        "wait",
        help="follow a submitted task until it ends, optionally download its results",
        description="Poll a task (key: APIMART_API_KEY) until it ends, riding out connection "
        "errors within --timeout, then optionally download its results.",
    )
    wait.add_argument("task_id", metavar="TASK_ID", type=_task_id, help="the task to follow")
    _connection_options(wait)
    _wait_options(wait)
    wait.set_defaults(run=run, file=None, wait=True, no_validate=False, idempotency_key=None)


def _connection_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--base-url", metavar="URL", help="default: APIMART_BASE_URL, else https://api.apimart.ai"
    )
    command.add_argument("--format", choices=("text", "json"), default="text")


def _wait_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--out", metavar="DIR", help="download the results into DIR (implies --wait)"
    )
    command.add_argument(
        "--timeout",
        type=_seconds,
        default=1800.0,
        metavar="SECONDS",
        help="give up waiting after SECONDS (default: %(default)g)",
    )
    command.add_argument(
        "--poll-interval",
        type=_seconds,
        default=3.0,
        metavar="SECONDS",
        help="seconds between two polls (default: %(default)g)",
    )


def _seconds(text: str) -> float:
    """A finite number of seconds greater than 0 (``0``, ``-1``, ``nan``, ``inf`` refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a number of seconds greater than 0, got {text}")
    return value


def _idempotency_key(text: str) -> str:
    if not text.strip() or len(text) > 255 or not text.isprintable():
        raise argparse.ArgumentTypeError("an idempotency key is 1-255 printable characters")
    return text


def _task_id(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("a task id cannot be empty")
    return text


def open_client(*, api_key: str, base_url: str | None) -> apimart.Client:
    """The client the command uses (tests replace it to talk to an in-memory server)."""
    import apimart

    return apimart.Client(api_key=api_key, base_url=base_url)


def run(args: argparse.Namespace) -> int:
    outcome = Outcome()
    progress = Progress(sys.stderr, enabled=args.format == "text" or sys.stderr.isatty())
    try:
        with _terminate_cleanly():
            code = _submit(args, outcome, progress)
    except Stop as stop:
        code = stop.code
    finally:
        progress.end()
    if outcome.error:
        outcome.error = shown(outcome.error)  # it may quote the server
        print(f"apimart {args.command}: {outcome.error}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(asdict(outcome), ensure_ascii=False))
    return code


def _submit(args: argparse.Namespace, outcome: Outcome, progress: Progress) -> int:
    import apimart

    key = os.environ.get("APIMART_API_KEY", "").strip()
    if not key:
        outcome.error = "no API key: set the APIMART_API_KEY environment variable"
        return EXIT_USAGE
    payload: object = None
    if args.file is not None:
        try:
            payload = read_one(args.file)
        except PayloadError as exc:
            outcome.error = str(exc)
            return EXIT_USAGE
        if not isinstance(payload, dict):
            outcome.error = "the request body must be a JSON object"
            return EXIT_USAGE
    try:
        client = open_client(api_key=key, base_url=args.base_url)
    except (ValueError, apimart.APIMartError) as exc:
        outcome.error = str(exc)
        return EXIT_USAGE
    text = args.format == "text"
    with client:
        if isinstance(payload, dict):
            body = payload
            handle = _guard(
                outcome,
                lambda: client.submit(
                    body, validate=not args.no_validate, idempotency_key=args.idempotency_key
                ),
            )
            task_id = handle.id
            outcome.task_id, outcome.status = handle.id, str(handle.status)
            if text:
                print(shown(f"submitted {handle.id} ({handle.model}): {handle.status}"))
                _print_warnings(handle.report)
            if not (args.wait or args.out):
                return EXIT_OK
        else:
            task_id = outcome.task_id = args.task_id
        task = _guard(
            outcome,
            lambda: client.wait(
                task_id,
                timeout=args.timeout,
                poll_interval=args.poll_interval,
                on_progress=progress,
                raise_on_failure=False,
            ),
        )
        progress.end()
        outcome.seen(task)
        if not task.succeeded:
            reason = f": {task.error.message}" if task.error and task.error.message else ""
            outcome.error = f"task {task.id} ended {task.status}{reason}"
            return EXIT_FAILED
        outcome.results = list(task.urls)
        if text:
            for url in task.urls:
                print(shown(f"result: {url}", keep_newlines=False))
        if args.out:
            paths = _guard(outcome, lambda: client.download(task, args.out))
            outcome.files = [str(path) for path in paths]
            if text:
                for path in paths:
                    print(shown(f"saved: {path}", keep_newlines=False))
    return EXIT_OK


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """SIGTERM ends the command the way Ctrl-C does: as an exception, so a download under
    way removes its temporary file (exit 143, 128 + SIGTERM)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def shown(text: str, *, keep_newlines: bool = True) -> str:
    """What a server sent, as it may be printed: the key masked, control characters
    (ESC, NUL, bidi overrides) escaped."""
    from apimart_codegen.netpolicy import printable, redact

    key = os.environ.get("APIMART_API_KEY", "").strip()
    return printable(redact(text, [key]), keep_newlines=keep_newlines)


def _guard(outcome: Outcome, call: Callable[[], T]) -> T:
    """Run one client call; turn every error it can raise into ``outcome.error`` and an exit."""
    import apimart

    try:
        return call()
    except apimart.ValidationError as exc:
        outcome.error = str(exc)
        raise Stop(EXIT_USAGE if exc.report.model is None else EXIT_FAILED) from None
    except apimart.WaitTimeoutError as exc:
        if exc.task is not None:
            outcome.seen(exc.task)
        outcome.error = f"{exc}; resume with: apimart wait {exc.task_id}"
        raise Stop(EXIT_FAILED) from None
    except apimart.APIConnectionError as exc:
        outcome.error = str(exc) + _resubmit_hint(exc)
        raise Stop(EXIT_USAGE) from None
    except apimart.APIMartError as exc:
        outcome.error = str(exc) + _resubmit_hint(exc)  # a BadRequestError lists violations
        raise Stop(EXIT_FAILED) from None
    except OSError as exc:
        outcome.error = f"cannot write the results: {exc.strerror or exc}"
        raise Stop(EXIT_USAGE) from None


def _resubmit_hint(exc: apimart.APIMartError) -> str:
    """How to resubmit without a duplicate, after a POST that may have made the task."""
    import apimart

    if exc.idempotency_key and isinstance(
        exc, apimart.APIConnectionError | apimart.InternalServerError
    ):
        return f"\n  resubmit safely with: --idempotency-key {exc.idempotency_key}"
    return ""


def _print_warnings(report: apimart.Report | None) -> None:
    for warning in report.warnings if report is not None else ():
        print(
            f"  warning {warning.path or '/'}: {warning.message} [{warning.rule}]", file=sys.stderr
        )
