"""Validation speed: the generated validators against JSON Schema validators, same payloads.

Peers, each given the JSON Schema the ``jsonschema`` target exports for the model:
fastjsonschema (compiled Python; stops at the first error), jsonschema (pure Python; all
errors) and jsonschema-rs (Rust; all errors). The rule interpreter is measured too. The
peers check fewer rules than the generated validators (a schema cannot say the cross-field
and mode-dependent ones), so the comparison is generous to them.

Run from the project root: ``make bench`` (or ``.venv/bin/python bench/validate_bench.py``).
"""

from __future__ import annotations

import copy
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import apimart  # noqa: E402

from generator.interpreter import Interpreter  # noqa: E402
from generator.spec.loader import load_specs  # noqa: E402

ROUNDS = 7


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


def per_payload_us(check: Callable[[dict[str, Any]], object], data: list[dict[str, Any]]) -> float:
    """Best-of-ROUNDS mean time per payload, in microseconds."""
    repeat = max(1, 20_000 // len(data))
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(repeat):
            for payload in data:
                check(payload)
        times.append((time.perf_counter() - start) / (repeat * len(data)))
    return min(times) * 1e6


def main() -> None:
    import fastjsonschema
    import jsonschema
    import jsonschema_rs

    specs = load_specs(ROOT / "specs")
    data = payloads(specs)
    schemas = {
        m.name: json.loads((ROOT / f"generated/schemas/{m.name}.schema.json").read_text())
        for m in specs.models
    }
    fast = {name: fastjsonschema.compile(schema) for name, schema in schemas.items()}
    slow = {name: jsonschema.Draft202012Validator(schema) for name, schema in schemas.items()}
    rust = {name: jsonschema_rs.validator_for(schema) for name, schema in schemas.items()}
    interpreter = Interpreter(specs)

    def fastjsonschema_check(payload: dict[str, Any]) -> object:
        try:
            return fast[payload["model"]](payload)
        except fastjsonschema.JsonSchemaValueException as exc:
            return exc

    contenders: list[tuple[str, Callable[[dict[str, Any]], object]]] = [
        ("apimart (generated validators)", apimart.validate),
        ("rule interpreter", interpreter.judge),
        ("fastjsonschema (first error only)", fastjsonschema_check),
        ("jsonschema-rs (all errors)", lambda p: list(rust[p["model"]].iter_errors(p))),
        ("jsonschema (all errors)", lambda p: list(slow[p["model"]].iter_errors(p))),
    ]
    invalid = sum(not apimart.validate(p).valid for p in data)
    rules = sum(len(m.rules) for m in specs.models)
    print(
        f"{len(data)} payloads ({invalid} invalid), {len(specs.models)} models, {rules} rules; "
        f"Python {platform.python_version()}, {platform.machine()}"
    )
    print(
        f"versions: fastjsonschema {fastjsonschema.VERSION}, jsonschema "
        f"{_version('jsonschema')}, jsonschema-rs {_version('jsonschema-rs')}\n"
    )
    results = [(name, per_payload_us(check, data)) for name, check in contenders]
    ours = results[0][1]
    print(f"| {'validator':<34} | µs per payload | time vs apimart |")
    print(f"|{'-' * 36}|----------------|-----------------|")
    for name, micros in results:
        print(f"| {name:<34} | {micros:>14.2f} | {micros / ours:>14.2f}x |")
    spread = statistics.pstdev([per_payload_us(apimart.validate, data) for _ in range(3)])
    print(f"\n(apimart run-to-run spread: ±{spread:.2f} µs)")


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    main()
