"""Re-derive the five stored pages' specs with `apimart docs scaffold` and compare them rule
by rule with the hand-written specs (see apimart_codegen.scaffold._compare).

    .venv/bin/python bench/scaffold_bench.py [--verbose]
"""

from __future__ import annotations

import sys
from pathlib import Path

from apimart_codegen.scaffold._compare import compare
from apimart_codegen.spec.loader import load_specs

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    docs = ROOT / "vendor-docs"
    rows = []
    for spec in load_specs(ROOT / "specs").files:
        rows.append(compare(spec, (docs / spec.doc).read_text(encoding="utf-8"), docs))
    print(
        "| page | single-field rules | reproduced, same values | cross-field rules | drafted "
        "| contradictions |"
    )
    print("|---|---|---|---|---|---|")
    for row in rows:
        same = f"{row.single_same} ({row.single_same / max(row.single, 1):.0%})"
        drafted = f"{row.cross_drafted} ({row.cross_drafted / max(row.cross, 1):.0%})"
        print(
            f"| {row.family} | {row.single} | {same} | {row.cross} | {drafted} "
            f"| {len(row.contradictions)} |"
        )
    single, same_all = sum(r.single for r in rows), sum(r.single_same for r in rows)
    cross, drafted_all = sum(r.cross for r in rows), sum(r.cross_drafted for r in rows)
    contradictions = sum(len(r.contradictions) for r in rows)
    print(
        f"| all | {single} | {same_all} ({same_all / single:.0%}) | {cross} "
        f"| {drafted_all} ({drafted_all / cross:.0%}) | {contradictions} |"
    )
    for row in rows:
        for line in row.contradictions:
            print(f"contradiction: {line}")
        if "--verbose" in sys.argv:
            for rule in row.missed:
                print(f"missed: {rule}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
