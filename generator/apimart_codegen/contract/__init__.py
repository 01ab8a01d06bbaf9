"""The contract harness: cases that carry their verdict, and the judges held to it.

``strategies`` builds Hypothesis strategies of cases from the specs; ``Case`` carries the
payload and the violations it was built to have. Rule kinds take part through
``RuleKind.keep`` / ``violate`` (see apimart_codegen.kinds.base), with the plans and the
``Context`` they see from ``apimart_codegen.plans`` (below both the kinds and this package).
The runner (``apimart contract``) and the pytest plugin send the cases to a server.
"""

from __future__ import annotations

from apimart_codegen.contract._cases import Case, CaseBuilder, Expected, NoStrategies
from apimart_codegen.contract._lifecycle import LifecycleBroken, machine as lifecycle_machine
from apimart_codegen.plans import OMIT, Context, Plan, Unsatisfiable, complement, fork, intersect

__all__ = [
    "OMIT",
    "Case",
    "CaseBuilder",
    "Context",
    "Expected",
    "LifecycleBroken",
    "NoStrategies",
    "Plan",
    "Unsatisfiable",
    "complement",
    "fork",
    "intersect",
    "lifecycle_machine",
]
