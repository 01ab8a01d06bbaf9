"""Goal 1: the generated validators against JSON Schema validators, valid and invalid apart.

Every documented example plus one-field-broken variants, each validator given the payloads
the generated validators judge valid, then those they judge invalid. The peers get the JSON
Schema the ``jsonschema`` target exports: fastjsonschema (compiled Python, stops at the
first error), jsonschema-rs (Rust, every error) and jsonschema (pure Python, every error);
the rule interpreter is measured too. The generated validators check every rule (the
schemas cannot say the cross-field ones) and build every message.

Run from the project root: ``make bench`` (or ``.venv/bin/python bench/validators_bench.py``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from _common import ROOT, best_of, payloads, table, version

sys.path.insert(0, str(ROOT))

import apimart

from apimart_codegen.interpreter import Interpreter
from apimart_codegen.spec.loader import load_specs

COMMAND = ".venv/bin/python bench/validators_bench.py"


def per_payload_us(check: Callable[[Any], object], data: list[Any], *, rounds: int = 7) -> float:
    repeat = max(1, 20_000 // len(data))

    def run() -> None:
        for _ in range(repeat):
            for payload in data:
                check(payload)

    return best_of(run, rounds=rounds) / (repeat * len(data)) * 1e6


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
    rust = {name: jsonschema_rs.validator_for(schema) for name, schema in schemas.items()}
    slow = {name: jsonschema.Draft202012Validator(schema) for name, schema in schemas.items()}
    interpreter = Interpreter(specs)

    def fastjsonschema_check(payload: dict[str, Any]) -> object:
        try:
            return fast[payload["model"]](payload)
        except fastjsonschema.JsonSchemaValueException as exc:
            return exc

    contenders: list[tuple[str, Callable[[Any], object], int]] = [
        ("apimart (generated validators)", apimart.validate, 7),
        ("fastjsonschema (first error only)", fastjsonschema_check, 7),
        ("jsonschema-rs (all errors)", lambda p: list(rust[p["model"]].iter_errors(p)), 7),
        ("rule interpreter", interpreter.judge, 3),
        ("jsonschema (all errors)", lambda p: list(slow[p["model"]].iter_errors(p)), 3),
    ]
    valid = [p for p in data if apimart.validate(p).valid]
    invalid = [p for p in data if not apimart.validate(p).valid]
    rows = []
    results = {}
    for name, check, rounds in contenders:
        results[name] = (
            per_payload_us(check, valid, rounds=rounds),
            per_payload_us(check, invalid, rounds=rounds),
        )
    ours = results[contenders[0][0]]
    for name, (good, bad) in results.items():
        rows.append(
            [
                name,
                f"{good:.2f}",
                f"{good / ours[0]:.2f}x",
                f"{bad:.2f}",
                f"{bad / ours[1]:.2f}x",
            ]
        )
    rules = sum(len(m.rules) for m in specs.models)
    table(
        f"Goal 1: validators, µs per payload ({len(valid)} valid, {len(invalid)} invalid "
        f"payloads, {len(specs.models)} models, {rules} rules)",
        COMMAND,
        ["validator", "valid µs", "vs apimart", "invalid µs", "vs apimart"],
        rows,
    )
    print(
        f"versions: fastjsonschema {fastjsonschema.VERSION}, jsonschema-rs "
        f"{version('jsonschema-rs')}, jsonschema {version('jsonschema')}; "
        "a ratio above 1.00x is slower than apimart"
    )


if __name__ == "__main__":
    main()
