"""Mock server speed: requests/s against a uvicorn floor and against Prism, in one run.

Rows: ``POST /v1/{videos,images}/generations`` (every documented example in turn, each
judged by the rule interpreter and creating a task; no Idempotency-Key, so none is
replayed) and ``GET /v1/tasks/{id}`` (polling one task). Each is measured against

- the floor: a hello-world ASGI app (``bench/_floor.py``) on the same server stack
  (uvicorn, httptools, one process), which answers without doing any work;
- Prism (``@stoplight/prism-cli``) mocking ``generated/openapi.json``: installed here into
  ``bench/.npm`` with npm on the first run; the rows are skipped, with the reason, when npm
  or the install fails.

Load comes from wrk when it is installed (Debian's ``wrk``), else from ``bench/_load.py``;
each server runs in its own process on 127.0.0.1, ports 18531-18539. The machine's cores are
shared with the load generator (and anything else running), so read the ratios, which are
taken in one run, rather than the absolute figures.

Run from the project root: ``make bench`` (or ``.venv/bin/python bench/mock_bench.py``).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from apimart_codegen.paths import specs_dir  # noqa: E402
from apimart_codegen.spec.loader import load_specs  # noqa: E402
from bench._load import request_bytes, run_load  # noqa: E402

HOST = "127.0.0.1"
FLOOR_PORT, MOCK_PORT, PRISM_PORT = 18531, 18532, 18533
API_KEY = "sk-bench"
CONNECTIONS = 16
SECONDS = float(os.environ.get("MOCK_BENCH_SECONDS", "3"))
ROUNDS = 3
"""Floor and mock take turns this many times; each keeps its best round, so a burst of
other work on the machine costs a round, not the row."""
WARMUP_SECONDS = 1.0
NPM_DIR = ROOT / "bench" / ".npm"
PRISM_PACKAGE = "@stoplight/prism-cli"
COMMAND = "make bench"
GOALS = {"floor": 0.8, "prism": 3.0}
"""The issue's goals: mock req/s at least this many times the peer's."""


@dataclass(frozen=True, slots=True)
class Load:
    """What one row sends: raw HTTP/1.1 requests, cycled through."""

    name: str
    requests: tuple[bytes, ...]


def submissions() -> Load:
    """Every documented example, POSTed to its model's endpoint with a bearer key."""
    specs = load_specs(specs_dir())
    requests = []
    for model in specs.models:
        for example in model.examples:
            body = json.dumps(example.body, ensure_ascii=False).encode()
            headers = [("Authorization", f"Bearer {API_KEY}"), ("Content-Type", "application/json")]
            requests.append(
                request_bytes("POST", model.endpoint, host=HOST, headers=headers, body=body)
            )
    return Load("POST submit", tuple(requests))


def polls(task_id: str) -> Load:
    headers = [("Authorization", f"Bearer {API_KEY}")]
    return Load(
        "GET task poll",
        (request_bytes("GET", f"/v1/tasks/{task_id}", host=HOST, headers=headers),),
    )


# -- servers ---------------------------------------------------------------------------------


@contextmanager
def serving(command: Sequence[str], port: int, *, timeout: float = 60.0) -> Iterator[int]:
    """Run a server process until the block ends; wait until it answers HTTP on ``port``."""
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + timeout
        while not _answers(port):
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited: {process.stderr.read()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(command)} did not answer within {timeout} s")
            time.sleep(0.1)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(request_bytes("GET", "/v1/tasks/none", host=HOST))
            return sock.recv(16).startswith(b"HTTP/1.1")
    except OSError:
        return False


def first_task_id(port: int) -> str:
    """Submit the first documented example to the mock; the id of the task it made."""
    request = submissions().requests[0]
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        while b"task_" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    found = re.search(rb'"task_id":"(task_[0-9A-Z]+)"', answer)
    if found is None:
        raise RuntimeError(f"the mock made no task: {answer[:300]!r}")
    return found.group(1).decode()


def prism_command() -> tuple[list[str] | None, str]:
    """The command serving Prism's mock, installing it first; or None and why not."""
    prism = NPM_DIR / "node_modules" / ".bin" / "prism"
    if not prism.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None, "npm is not installed"
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(NPM_DIR), PRISM_PACKAGE],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0 or not prism.exists():
            return None, f"npm install {PRISM_PACKAGE} failed: {done.stderr.strip()[-300:]}"
    document = str(ROOT / "generated" / "openapi.json")
    command = [str(prism), "mock", document, "--host", HOST, "--port", str(PRISM_PORT)]
    return [*command, "--errors", "false"], _prism_version()


def _prism_version() -> str:
    package = NPM_DIR / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
    try:
        return json.loads(package.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "?"


# -- load ----------------------------------------------------------------------------------


def wrk_script(requests: Sequence[bytes]) -> str:
    """A wrk Lua script cycling through raw requests (bytes as decimal escapes)."""
    literals = ['"' + "".join(f"\\{byte}" for byte in request) + '"' for request in requests]
    return (
        "local requests = {" + ",\n".join(literals) + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #requests + 1\n"
        "  return requests[i]\n"
        "end\n"
    )


@dataclass(frozen=True, slots=True)
class Sample:
    """One timed run: answers per second, how many were not 2xx, and the server's CPU time
    (user + system, from /proc) per answer in microseconds (None where /proc is missing)."""

    rate: float
    not_ok: int
    cpu_us: float | None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(port: int, pid: int, load: Load, *, warm_up: bool) -> Sample:
    """Load the server on ``port`` (process ``pid``) for SECONDS, after a warm-up if asked."""
    wrk = shutil.which("wrk")
    if wrk is None:
        if warm_up:
            run_load(HOST, port, load.requests, connections=CONNECTIONS, seconds=WARMUP_SECONDS)
        before = cpu_seconds(pid)
        result = run_load(HOST, port, load.requests, connections=CONNECTIONS, seconds=SECONDS)
        return Sample(result.rate, result.not_ok, _per_answer(before, pid, result.answers))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(load.requests))
    try:
        url = f"http://{HOST}:{port}/"
        for seconds in (WARMUP_SECONDS, SECONDS) if warm_up else (SECONDS,):
            before = cpu_seconds(pid)
            out = subprocess.run(
                [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "-s", script.name, url],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
    finally:
        os.unlink(script.name)
    rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
    answers = re.search(r"(\d+) requests in", out)
    not_ok = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    if rate is None or answers is None:
        raise RuntimeError(f"wrk printed no rate:\n{out}")
    cpu = _per_answer(before, pid, int(answers.group(1)))
    return Sample(float(rate.group(1)), int(not_ok.group(1)) if not_ok else 0, cpu)


def _per_answer(before: float | None, pid: int, answers: int) -> float | None:
    after = cpu_seconds(pid)
    if before is None or after is None or not answers:
        return None
    return (after - before) / answers * 1e6


# -- the table -----------------------------------------------------------------------------


def main() -> int:
    python = sys.executable
    floor = [python, str(ROOT / "bench" / "_floor.py"), str(FLOOR_PORT)]
    mock = [python, "-m", "apimart_codegen.cli", "mock", "--port", str(MOCK_PORT)]
    mock += ["--api-key", API_KEY]
    post = submissions()
    best: dict[tuple[str, str], Sample] = {}
    problems: list[str] = []

    def record(server: str, load: Load, port: int, pid: int, *, warm_up: bool) -> None:
        sample = measure(port, pid, load, warm_up=warm_up)
        if (server, load.name) not in best or sample.rate > best[server, load.name].rate:
            best[server, load.name] = sample
        if sample.not_ok:
            problems.append(f"{server} {load.name}: {sample.not_ok} answer(s) were not 2xx")

    with serving(floor, FLOOR_PORT) as floor_pid, serving(mock, MOCK_PORT) as mock_pid:
        get = polls(first_task_id(MOCK_PORT))
        for round_ in range(ROUNDS):
            for load in (post, get):
                record("floor", load, FLOOR_PORT, floor_pid, warm_up=round_ == 0)
                record("mock", load, MOCK_PORT, mock_pid, warm_up=round_ == 0)
    prism, prism_note = prism_command()
    if prism is not None:
        with serving(prism, PRISM_PORT, timeout=120) as prism_pid:
            for load in (post, get):
                record("prism", load, PRISM_PORT, prism_pid, warm_up=True)

    print_table(best, prism_note if prism is not None else None)
    if prism is None:
        print(f"Prism rows skipped: {prism_note}")
    for problem in problems:
        print(f"error: {problem}")
    return 1 if any(problem.startswith("mock") for problem in problems) else 0


def print_table(best: dict[tuple[str, str], Sample], prism_version: str | None) -> None:
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in ("uvicorn", "httptools")
    )
    client = "wrk" if shutil.which("wrk") else "bench/_load.py"
    print(
        f"\nmock server: {CONNECTIONS} keep-alive connections, load from {client}, best of "
        f"{ROUNDS} rounds of {SECONDS:g} s taken in turns with the floor (Prism: one round); "
        f"Python {platform.python_version()}, {versions}"
        + (f", Prism {prism_version}" if prism_version else "")
    )
    rows = [("row", "req/s", "peer req/s", "ratio", "goal", "server CPU µs/req (mock, peer)")]
    for peer, label in (("floor", "uvicorn floor"), ("prism", "Prism")):
        for load in ("POST submit", "GET task poll"):
            if (peer, load) not in best:
                continue
            mine, theirs = best["mock", load], best[peer, load]
            ratio = mine.rate / theirs.rate
            verdict = "met" if ratio >= GOALS[peer] else "missed"
            rows.append(
                (
                    f"mock {load} vs {label}",
                    f"{mine.rate:,.0f}",
                    f"{theirs.rate:,.0f}",
                    f"{ratio:.2f}x",
                    f">= {GOALS[peer]:g}x: {verdict}",
                    f"{_us(mine.cpu_us)}, {_us(theirs.cpu_us)}",
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        cells = [
            cell.rjust(width) if column in (1, 2, 3) else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("| " + " | ".join(cells) + " |")
        if index == 0:
            print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    print(f"reproduce: {COMMAND}")


def _us(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}"


if __name__ == "__main__":
    sys.exit(main())
