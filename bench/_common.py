"""What every benchmark shares: timing, the table it prints, the payloads it validates.

Each ``*_bench.py`` measures one goal of the speed issue against a peer in the same run
and prints one table with a ratio column and the command that reproduces it.
"""

from __future__ import annotations

import copy
import json
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_child(
    argv: Sequence[str], env: Mapping[str, str] | None = None, *, output: bool = False
) -> tuple[float, float, str]:
    """Run ``argv`` once as a fresh process: (wall s, CPU s of the process and its children,
    its standard output, or "" when ``output`` is False and it goes to /dev/null)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        argv,
        env=env,
        stdout=subprocess.PIPE if output else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout or ""


def best_of(run: Callable[[], object], *, rounds: int = 7) -> float:
    """The shortest wall-clock time of ``rounds`` runs, in seconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def table(title: str, command: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A Markdown table under a title, then the command that measured it."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print(f"\n### {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("| " + " | ".join(cells) + " |")
    print(f"\ncommand: `{command}`; Python {platform.python_version()}, {platform.machine()}")
    sys.stdout.flush()


def payloads(specs: Any) -> list[dict[str, Any]]:
    """Every documented example, plus for each a few invalid variants (one broken field each)."""
    found = []
    for model in specs.models:
        for example in model.examples:
            body = json.loads(json.dumps(example.body))
            found.append(body)
            for param in model.parameters:
                broken = copy.deepcopy(body)
                if param.enum is not None and param.name != "model":
                    broken[param.name] = "NOT-AN-OPTION"
                elif param.type == "integer":
                    broken[param.name] = 10**9
                elif param.type == "string" and param.name == "prompt":
                    broken[param.name] = "x" * 6000
                else:
                    continue
                found.append(broken)
    return found


def version(name: str) -> str:
    from importlib.metadata import version as installed

    return installed(name)
