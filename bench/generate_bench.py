"""Goal 4: ``apimart generate`` for every target under one second; the contract suite's
throughput, as it reports it itself.

``generate`` runs into an empty folder (every file written) in a fresh process, charged
its wall and CPU time; ``python -c pass`` is measured in the same run for scale. The
contract suite runs one model in process with a fixed seed; its own summary line gives the
cases per second.

Run from the project root: ``make bench`` (or ``.venv/bin/python bench/generate_bench.py``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import run_child, table

COMMAND = ".venv/bin/python bench/generate_bench.py"
ROUNDS = 3
BUDGET = 1.0


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall s, CPU s) best of ROUNDS, and the last run's output."""
    runs = [run_child(argv, env, output=True) for _ in range(ROUNDS)]
    return min(r[0] for r in runs), min(r[1] for r in runs), runs[-1][2]


def main() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    python = sys.executable
    apimart = str(Path(python).with_name("apimart"))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        floor = run([python, "-c", "pass"], env)
        generate = [apimart, "generate", "--out", str(Path(folder) / "out")]
        subprocess.run(generate, env=env, capture_output=True, check=True)  # warm caches
        timed = []
        for n in range(ROUNDS):  # into an empty folder each time: every file written
            argv = [apimart, "generate", "--out", str(Path(folder) / f"run{n}")]
            timed.append(run_child(argv, env, output=True))
        wall, cpu = min(t[0] for t in timed), min(t[1] for t in timed)
        summary = timed[-1][2].strip().splitlines()[-1]
    rows.append(["python -c pass (for scale)", f"{floor[0]:.3f}", f"{floor[1]:.3f}", "-"])
    rows.append(
        ["apimart generate (every target)", f"{wall:.3f}", f"{cpu:.3f}", f"{wall / BUDGET:.2f}x"]
    )
    contract = [apimart, "contract", "--model", "wan2.6", "--seed", "1"]
    c_wall, _, out = run(contract, env)
    line = next(x for x in out.splitlines() if "cases (" in x)
    rate = re.search(r"\(([0-9.]+)/s\)", line)
    rows.append(["apimart contract --model wan2.6 --seed 1", f"{c_wall:.3f}", "-", "-"])
    table(
        f"Goal 4: generate, best of {ROUNDS} (budget {BUDGET:.0f} s; ratio = wall / budget)",
        COMMAND,
        ["command", "wall s", "CPU s", "vs budget"],
        rows,
    )
    print(f"generate: {summary}")
    print(f"contract: {line.strip()}  →  {rate.group(1) if rate else '?'} cases/s, as it reports")


if __name__ == "__main__":
    main()
