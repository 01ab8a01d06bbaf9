"""Shared test helpers: the project's paths, the loaded specs, spec writing, CLI runs and the
mock on a socket for the export tools."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from apimart_codegen.spec.loader import load_specs
from apimart_codegen.spec.model import SpecSet

if TYPE_CHECKING:
    from apimart_codegen.mock import MockServer

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
GENERATED = ROOT / "generated"
DOCS_ROOT = ROOT / "vendor-docs"


@functools.cache
def specs() -> SpecSet:
    return load_specs(SPECS)


def write_spec(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def run_cli(
    *args: str,
    stdin: str | bytes | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``apimart`` as a user would: a separate process, output captured."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    result = subprocess.run(
        [sys.executable, "-m", "apimart_codegen.cli", *args],
        input=data,
        capture_output=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
        check=False,
    )
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
    )


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


# A minimal, valid spec that tests copy and break one piece at a time.
MINIMAL_SPEC = """
doc: docs/tiny.txt
family: tiny
body:
  closed: warning
  source: "Request Parameters"
models:
  tiny-1:
    description: A tiny model.
    endpoint: /v1/videos/generations
    output: video
    response: {code: 200, status: submitted}
parameters:
  model:
    type: string
    required: true
    enum: [tiny-1]
    source: "fixed as tiny-1"
  duration:
    type: integer
    enum: [5, 10]
    default: 5
    source: "Duration 5 or 10"
rules: []
examples:
  - name: smallest
    body: {model: tiny-1}
"""


URL_LINE = re.compile(r"mock listening on (http://127\.0\.0\.1:(\d+))")


class MockProcess:
    """``apimart mock ...`` running in the background, with the URL from its first line."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "apimart_codegen.cli", "mock", "--port", "0", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        match = URL_LINE.fullmatch(first.strip())
        assert match, (first, self.stop())
        self.url = match.group(1)

    def stop(self, sig: signal.Signals = signal.SIGINT) -> tuple[int, str, str]:
        """Send SIGINT (Ctrl-C) and collect the exit code and the rest of the output."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=20)
        return self.process.returncode, out, err


@functools.cache
def integer_type_rules() -> frozenset[str]:
    """The ids of the rules that say a field is an integer (JSON Schema counts 5.0 as one)."""
    return frozenset(
        rule.id
        for model in specs().models
        for rule in model.rules
        if rule.kind == "type" and rule.params["type"] == "integer"
    )


@contextlib.contextmanager
def keyed_mock(*, key: str, seed: int) -> Iterator[MockServer]:
    """The mock over a loopback socket, on a virtual clock, taking only ``key``; webhooks
    (never due on a virtual clock) could not leave anyway."""
    import httpx

    from apimart_codegen.mock import MockAPI, MockServer, VirtualClock

    def nowhere(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200)

    api = MockAPI(
        specs=specs(),
        clock=VirtualClock(),
        seed=seed,
        api_keys=[key],
        webhook_transport=httpx.MockTransport(nowhere),
        async_webhook_transport=httpx.MockTransport(nowhere),
    )
    with MockServer(api) as server:
        yield server
