"""Targets: what ``apimart generate`` writes, registered under ``apimart.targets``."""

from __future__ import annotations

from apimart_codegen.registry import TARGETS_GROUP, Registry
from apimart_codegen.targets.base import Target

TARGETS: Registry[Target] = Registry(
    TARGETS_GROUP, "target", lambda value: isinstance(value, Target)
)

__all__ = ["TARGETS", "Target"]
