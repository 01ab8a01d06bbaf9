"""Rule kinds: how one sort of constraint is declared, checked, emitted and exported.

Each kind is one module exposing ``KIND``, registered under the ``apimart.rule_kinds``
entry-point group. :mod:`apimart_codegen.kinds.base` defines the contract.
"""

from __future__ import annotations

from apimart_codegen.kinds.base import RuleKind
from apimart_codegen.registry import RULE_KINDS_GROUP, Registry

RULE_KINDS: Registry[RuleKind] = Registry(
    RULE_KINDS_GROUP, "rule kind", lambda value: isinstance(value, RuleKind)
)

__all__ = ["RULE_KINDS", "RuleKind"]
