"""Goal 3: start-up, in CPU time (user + system) of a fresh process, against ``python -c pass``.

Bytecode caching is on for the measurement (PYTHONDONTWRITEBYTECODE is removed from the
children's environment, and one warm-up run writes the caches), as on a user's machine;
this machine sets PYTHONDONTWRITEBYTECODE, under which every import compiles again.

Run from the project root: ``make bench`` (or ``.venv/bin/python bench/startup_bench.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import run_child, table

COMMAND = ".venv/bin/python bench/startup_bench.py"
RUNS = 15


def cpu_ms(argv: list[str], env: dict[str, str]) -> float:
    """The median CPU time of RUNS fresh processes running ``argv``, in milliseconds."""
    run_child(argv, env)  # warm the caches
    times = sorted(run_child(argv, env)[1] * 1000 for _ in range(RUNS))
    return times[len(times) // 2]


def main() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    python = sys.executable
    apimart = str(Path(python).with_name("apimart"))
    with tempfile.TemporaryDirectory() as folder:
        body = Path(folder) / "small.json"
        body.write_text('{"model": "wan2.6", "prompt": "a red kite over a grey sea"}')
        floor = cpu_ms([python, "-c", "pass"], env)
        cases = [
            ("python -c pass (the floor)", [python, "-c", "pass"]),
            ("python -c 'import apimart'", [python, "-c", "import apimart"]),
            ("python -c 'import httpx' (for scale)", [python, "-c", "import httpx"]),
            ("apimart validate small.json", [apimart, "validate", str(body)]),
            ("apimart --help", [apimart, "--help"]),
        ]
        rows = []
        for name, argv in cases:
            ms = floor if argv == [python, "-c", "pass"] else cpu_ms(argv, env)
            rows.append([name, f"{ms:.1f}", f"{ms / floor:.2f}x"])
        probe = subprocess.run(
            [python, "-c", "import sys, apimart; print('httpx' in sys.modules)"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    table(
        f"Goal 3: start-up, CPU ms per process (median of {RUNS}, bytecode caching on)",
        COMMAND,
        ["command", "CPU ms", "vs python -c pass"],
        rows,
    )
    print(f"httpx imported by `import apimart`: {probe}")


if __name__ == "__main__":
    main()
