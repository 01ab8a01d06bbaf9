"""Conditions: the ``when:`` of rules and the definitions of modes.

A condition is a mapping with one operator key:

* ``present: /path`` / ``absent: /path``: the field is (not) given (null, "", [] are not);
* ``equals: {path, value}``: some value the path reaches equals ``value`` (JSON equality);
* ``matches: {path, pattern}``: some string the path reaches fully matches the regex;
* ``mode: name``: the family's named mode holds;
* ``all: [...]``, ``any: [...]``, ``not: {...}``.

Each operator has an evaluator (used by the rule interpreter) and an emitter (a Python
expression over ``payload`` for the generated validators), looked up in one table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from apimart_codegen.jsonvalue import get, is_present, json_equal, walk
from apimart_codegen.kinds.base import literal
from apimart_codegen.spec.model import Condition, split_path

Modes = Mapping[str, Condition]
ModeNames = Mapping[str, str]
"""Mode name → the Python expression (a local variable) that holds its truth."""

_POINTER = {"type": "string", "pattern": "^/"}
SCHEMA: dict[str, Any] = {
    "$id": "condition",
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "properties": {
        "present": _POINTER,
        "absent": _POINTER,
        "equals": {
            "type": "object",
            "required": ["path", "value"],
            "properties": {"path": _POINTER, "value": {}},
            "additionalProperties": False,
        },
        "matches": {
            "type": "object",
            "required": ["path", "pattern"],
            "properties": {"path": _POINTER, "pattern": {"type": "string"}},
            "additionalProperties": False,
        },
        "mode": {"type": "string"},
        "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
        "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
        "not": {"$ref": "#/$defs/condition"},
    },
    "additionalProperties": False,
}


def parse(raw: Mapping[str, Any], loc: Any) -> Condition:
    """A Condition from its (meta-schema-valid) YAML mapping."""
    ((op, arg),) = raw.items()
    if op in ("present", "absent"):
        return Condition(op, split_path(arg), loc=loc)
    if op == "equals":
        return Condition(op, split_path(arg["path"]), arg["value"], loc=loc)
    if op == "matches":
        return Condition(op, split_path(arg["path"]), arg["pattern"], loc=loc)
    if op == "mode":
        return Condition(op, value=arg, loc=loc)
    if op == "not":
        return Condition(op, parts=(parse(arg, loc),), loc=loc)
    return Condition(op, parts=tuple(parse(part, loc) for part in arg), loc=loc)


Evaluator = Callable[[Condition, object, Modes], bool]
Emitter = Callable[[Condition, ModeNames], str]


def _holds(cond: Condition, payload: object, modes: Modes) -> bool:
    return OPERATORS[cond.op][0](cond, payload, modes)


def _emit(cond: Condition, modes: ModeNames) -> str:
    return OPERATORS[cond.op][1](cond, modes)


def _any_match(cond: Condition, payload: object) -> bool:
    for _, value in walk(payload, cond.path):
        if cond.op == "equals" and json_equal(value, cond.value):
            return True
        if cond.op == "matches" and isinstance(value, str) and re.fullmatch(cond.value, value):
            return True
    return False


def _fetch(path: tuple[str, ...]) -> str:
    """The value at a wildcard-free path: a field of the body, which generated code reads
    once it knows the body is an object, is a plain ``payload.get``."""
    if len(path) == 1:
        return f"payload.get({literal(path[0])})"
    return f"_get(payload, {literal(path)})"


OPERATORS: Mapping[str, tuple[Evaluator, Emitter]] = {
    "present": (
        lambda c, p, m: is_present(get(p, c.path)),
        lambda c, m: f"_is_present({_fetch(c.path)})",
    ),
    "absent": (
        lambda c, p, m: not is_present(get(p, c.path)),
        lambda c, m: f"not _is_present({_fetch(c.path)})",
    ),
    "equals": (
        lambda c, p, m: _any_match(c, p),
        lambda c, m: (
            f"any(_json_equal(v, {literal(c.value)}) for _, v in _walk(payload, {literal(c.path)}))"
        ),
    ),
    "matches": (
        lambda c, p, m: _any_match(c, p),
        lambda c, m: (
            f"any(isinstance(v, str) and _re.fullmatch({literal(c.value)}, v) is not None"
            f" for _, v in _walk(payload, {literal(c.path)}))"
        ),
    ),
    "mode": (
        lambda c, p, m: _holds(m[c.value], p, m),
        lambda c, m: m[c.value],
    ),
    "not": (
        lambda c, p, m: not _holds(c.parts[0], p, m),
        lambda c, m: f"not ({_emit(c.parts[0], m)})",
    ),
    "all": (
        lambda c, p, m: all(_holds(part, p, m) for part in c.parts),
        lambda c, m: " and ".join(f"({_emit(part, m)})" for part in c.parts),
    ),
    "any": (
        lambda c, p, m: any(_holds(part, p, m) for part in c.parts),
        lambda c, m: " or ".join(f"({_emit(part, m)})" for part in c.parts),
    ),
}


def holds(cond: Condition, payload: object, modes: Modes) -> bool:
    """Whether the condition is true of the payload."""
    return _holds(cond, payload, modes)


def emit(cond: Condition, modes: ModeNames) -> str:
    """A Python expression over ``payload`` that is true when the condition holds.

    A ``mode`` reference becomes the name ``modes`` gives it: the generated code computes
    each mode once, up front.
    """
    return _emit(cond, modes)


def mode_names(cond: Condition) -> set[str]:
    """Every mode a condition refers to, for the loader's reference check."""
    names = {cond.value} if cond.op == "mode" else set()
    for part in cond.parts:
        names |= mode_names(part)
    return names


def paths(cond: Condition) -> list[tuple[str, ...]]:
    found = [cond.path] if cond.op in ("present", "absent", "equals", "matches") else []
    for part in cond.parts:
        found += paths(part)
    return found
