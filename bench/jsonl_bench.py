"""Goal 2: ``apimart validate --jsonl`` against a ``json.loads``-per-line pass, in CPU time.

A JSON Lines file of the benchmark payloads (documented examples and one-field-broken
variants) repeated; each command runs in a fresh process with its output sent to
/dev/null, and is charged the CPU time (user + system) of that process and its children.
``--jobs 2`` is also timed on the wall clock, and run once over 1M lines for its peak
memory (the largest resident set of any of its processes).

Run from the project root: ``make bench`` (or ``.venv/bin/python bench/jsonl_bench.py``).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
from pathlib import Path

from _common import ROOT, payloads, run_child, table

sys.path.insert(0, str(ROOT))

from apimart_codegen.spec.loader import load_specs

COMMAND = ".venv/bin/python bench/jsonl_bench.py"
LINES = int(os.environ.get("BENCH_JSONL_LINES", "200000"))
BIG = int(os.environ.get("BENCH_JSONL_BIG", "1000000"))
ROUNDS = 3

FLOOR = """
import json, sys
with open(sys.argv[1], "rb") as f:
    for line in f:
        json.loads(line)
"""
ORJSON_FLOOR = FLOOR.replace("import json", "import orjson as json")
STDLIB_ONLY = """
import os, sys
import apimart
from apimart_codegen import bulk
with open(os.devnull, "w") as out:
    bulk.validate_lines(sys.argv[1], apimart.validate, out, use_orjson=False)
"""


def measure(argv: list[str]) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds) best of ROUNDS, and the peak resident set in KiB."""
    runs = [run_child(argv) for _ in range(ROUNDS)]
    best_cpu, best_wall = min(run[1] for run in runs), min(run[0] for run in runs)
    return best_cpu, best_wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def write_lines(path: Path, bodies: list[bytes], count: int) -> None:
    with path.open("wb") as out:
        for n in range(count):
            out.write(bodies[n % len(bodies)] + b"\n")


def main() -> None:
    python = sys.executable
    apimart = str(Path(python).with_name("apimart"))
    bodies = [
        json.dumps(p, ensure_ascii=False).encode() for p in payloads(load_specs(ROOT / "specs"))
    ]
    try:
        import orjson  # noqa: F401

        has_orjson = True
    except ImportError:
        has_orjson = False
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bodies.jsonl"
        write_lines(path, bodies, LINES)
        size = path.stat().st_size
        cases = [("json.loads per line (the floor)", [python, "-c", FLOOR, str(path)])]
        if has_orjson:
            cases.append(("orjson.loads per line", [python, "-c", ORJSON_FLOOR, str(path)]))
        cases += [
            (
                "apimart validate --jsonl" + (" (orjson)" if has_orjson else ""),
                [apimart, "validate", "--jsonl", str(path)],
            ),
            ("apimart validate --jsonl, stdlib json", [python, "-c", STDLIB_ONLY, str(path)]),
            (
                "apimart validate --jsonl --jobs 2",
                [apimart, "validate", "--jsonl", "--jobs", "2", str(path)],
            ),
        ]
        results = [(name, *measure(argv)[:2]) for name, argv in cases]
        floor = results[0][1]
        rows = [
            [
                name,
                f"{cpu:.2f}",
                f"{wall:.2f}",
                f"{LINES / wall / 1000:.0f}k",
                f"{cpu / floor:.2f}x",
            ]
            for name, cpu, wall in results
        ]
        table(
            f"Goal 2: validate --jsonl, {LINES:,} lines ({size / LINES:.0f} bytes a line), "
            f"best of {ROUNDS}; {os.cpu_count()} cores",
            COMMAND,
            ["command", "CPU s", "wall s", "lines/s (wall)", "CPU vs json.loads"],
            rows,
        )
        # the same on a file of valid bodies only (the documented examples), the usual batch
        from apimart import validate

        valid = [b for b in bodies if validate(json.loads(b)).valid]
        write_lines(path, valid, LINES)
        size = path.stat().st_size
        mine = "apimart validate --jsonl" + (" (orjson)" if has_orjson else "")
        only = [
            (name, *measure(argv)[:2])
            for name, argv in [
                ("json.loads per line (the floor)", [python, "-c", FLOOR, str(path)]),
                (mine, [apimart, "validate", "--jsonl", str(path)]),
            ]
        ]
        table(
            f"Goal 2, valid bodies only: {LINES:,} lines ({size / LINES:.0f} bytes a line), "
            f"best of {ROUNDS}",
            COMMAND,
            ["command", "CPU s", "CPU vs json.loads"],
            [[name, f"{cpu:.2f}", f"{cpu / only[0][1]:.2f}x"] for name, cpu, _ in only],
        )
        write_lines(path, bodies, BIG)
        argv = [apimart, "validate", "--jsonl", "--jobs", "2", str(path)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        wall = run_child(argv)[0]
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(
            f"{BIG:,} lines ({path.stat().st_size / 2**20:.0f} MiB) with --jobs 2: "
            f"{wall:.1f} s wall, largest resident set of any process "
            f"{peak / 1024:.0f} MiB (the commands above peaked at {before / 1024:.0f} MiB)"
        )


if __name__ == "__main__":
    main()
