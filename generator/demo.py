"""The main job (issue-2 stage): every documented example through the generated validators.

Each example is judged twice, by the generated package and by the rule interpreter, and
the two verdicts must agree; a per-model table is printed.
"""

from __future__ import annotations

from generator.interpreter import judge_model
from generator.spec.model import SpecSet


def run(specs: SpecSet) -> int:
    import apimart

    print(f"{'model':<18} {'examples':>8} {'valid':>6} {'warnings':>8} {'rules':>6}  agree")
    failures = 0
    for model in specs.models:
        valid = warnings = 0
        agree = True
        for example in model.examples:
            report = apimart.validate(dict(example.body))
            verdict = judge_model(model, example.body)
            valid += report.valid
            warnings += len(report.warnings)
            mine = [(v.path, v.rule, v.message) for v in report.errors + report.warnings]
            theirs = [(v.path, v.rule, v.message) for v in verdict.errors + verdict.warnings]
            agree &= mine == theirs
            for violation in report.errors:
                print(f"  {model.name}: {example.name}: {violation.path}: {violation.message}")
        failures += (valid != len(model.examples)) + (not agree)
        print(
            f"{model.name:<18} {len(model.examples):>8} {valid:>6} {warnings:>8} "
            f"{len(model.rules):>6}  {'yes' if agree else 'NO'}"
        )
    print("every documented example is valid" if not failures else f"{failures} problem(s)")
    return 0 if not failures else 1
