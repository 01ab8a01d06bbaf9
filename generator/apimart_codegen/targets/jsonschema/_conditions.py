"""A rule's ``when`` (apimart_codegen.conditions) in JSON Schema: the ``if`` of its ``if``/``then``.

Each operator has one translation, looked up in a table, exact to the interpreter's
meaning: ``present`` is "given" (not missing, null, "", [] or {}), ``equals`` and
``matches`` hold when some value the path reaches does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from apimart_codegen.kinds.schema import Schema, anchored, given, reaches
from apimart_codegen.spec.model import Condition

Modes = Mapping[str, Condition]


def condition_schema(cond: Condition, modes: Modes) -> Schema:
    """A body schema that holds exactly when ``cond`` holds."""
    return _OPERATORS[cond.op](cond, modes)


def condition_text(cond: Condition) -> Any:
    """The condition as the spec writes it (``{"mode": "editing"}``), for comments and lists."""
    pointer = "".join("/" + segment for segment in cond.path)
    if cond.op in ("present", "absent"):
        return {cond.op: pointer}
    if cond.op == "equals":
        return {"equals": {"path": pointer, "value": cond.value}}
    if cond.op == "matches":
        return {"matches": {"path": pointer, "pattern": cond.value}}
    if cond.op == "mode":
        return {"mode": cond.value}
    if cond.op == "not":
        return {"not": condition_text(cond.parts[0])}
    return {cond.op: [condition_text(part) for part in cond.parts]}


_OPERATORS: Mapping[str, Callable[[Condition, Modes], Schema]] = {
    "present": lambda c, m: given(c.path),
    "absent": lambda c, m: {"not": given(c.path)},
    "equals": lambda c, m: reaches(c.path, {"const": c.value}),
    "matches": lambda c, m: reaches(c.path, {"type": "string", "pattern": anchored(c.value)}),
    "mode": lambda c, m: condition_schema(m[c.value], m),
    "not": lambda c, m: {"not": condition_schema(c.parts[0], m)},
    "all": lambda c, m: {"allOf": [condition_schema(part, m) for part in c.parts]},
    "any": lambda c, m: {"anyOf": [condition_schema(part, m) for part in c.parts]},
}
