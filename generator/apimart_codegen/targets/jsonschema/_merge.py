"""Combining JSON Schemas so the result means all of them, and reads like one written by hand.

``merge`` adds one schema's constraints to another: properties and items merge field by
field, ``required`` lists join, ``type`` sets intersect, and any other keyword both sides
hold goes into ``allOf``. ``tidy`` drops what a node's own ``type`` makes moot (``null`` in
an enum of a field that cannot be null, ``minItems`` on a string field).

Two rewrites say the same thing in the shape the OpenAPI tools read as meant (each keeps
the verdict of every JSON Schema 2020-12 validator): ``no_union`` turns a body-wide
``anyOf`` into "not none of them", since client generators read a body's ``anyOf`` as a
union of body types (openapi-python-client writes a class per branch, each with only the
branch's fields); ``opened`` says ``additionalProperties: true`` (the default) on a partial
schema (an ``if``, a ``then``, a branch) that names ``properties``, since Redocly reads every
such schema as closed (an implicit ``unevaluatedProperties: false``) unless it is an
``allOf`` item. That the default said aloud changes no verdict holds because no exported
schema uses ``unevaluatedProperties`` (whose reach it would widen); ``opened`` refuses one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from apimart_codegen.kinds.schema import ABSENT, PRESENT

Schema = dict[str, Any]

_PARTIAL = ("not", "if", "then", "else", "contains")
"""Keywords whose value is a schema that says something about a value, not what it is."""
_BRANCHES = ("anyOf", "oneOf", "allOf")

_BY_TYPE = {"minLength": "string", "minItems": "array", "minProperties": "object"}


def merge(into: Schema, extra: Mapping[str, Any]) -> None:
    """Add the constraints of ``extra`` to ``into`` (in place): ``into`` then means both."""
    for key, value in extra.items():
        if key not in into:
            into[key] = copy.deepcopy(value)
        elif key == "properties":
            for name, schema in value.items():
                merge(into["properties"].setdefault(name, {}), schema)
        elif key == "items":
            merge(into["items"], value)
        elif key == "required":
            into["required"] += [name for name in value if name not in into["required"]]
        elif key == "type" and (common := _common_types(into["type"], value)):
            into["type"] = common[0] if len(common) == 1 else common
        elif key == "allOf":
            into["allOf"] += copy.deepcopy(value)
        elif into[key] != value:
            into.setdefault("allOf", []).append({key: copy.deepcopy(value)})


def _types(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _common_types(left: str | list[str], right: str | list[str]) -> list[str]:
    """The JSON types both allow ("integer" is a kind of "number")."""
    common = []
    for a in _types(left):
        for b in _types(right):
            both = a if a == b else "integer" if {a, b} == {"integer", "number"} else None
            if both is not None and both not in common:
                common.append(both)
    return common


def tidy(node: Schema) -> Schema:
    """Drop, in place and below, what the node's own ``type`` already rules out.

    On a typed field, "given" (``not`` an absent value) reads as its plain equivalent: no
    ``null`` in the type, and ``minLength``/``minItems``/``minProperties`` of 1 for the
    types left.
    """
    if "type" in node and _take_given(node):
        types = [name for name in _types(node["type"]) if name != "null"]
        node["type"] = types[0] if len(types) == 1 else types
        for keyword, type_name in _BY_TYPE.items():
            if type_name in types:
                node[keyword] = max(node.get(keyword, 0), 1)
    if "type" in node:
        types = _types(node["type"])
        if "null" not in types and "enum" in node:
            node["enum"] = [value for value in node["enum"] if value is not None]
        for keyword, type_name in _BY_TYPE.items():
            if keyword in node and type_name not in types:
                del node[keyword]
    for schema in node.get("properties", {}).values():
        tidy(schema)
    if isinstance(node.get("items"), dict):
        tidy(node["items"])
    return node


def _take_given(node: Schema) -> bool:
    """Remove ``{"not": ABSENT}`` from the node (or its ``allOf``); whether it was there."""
    if node.get("not") == ABSENT:
        del node["not"]
        return True
    items = node.get("allOf", [])
    if PRESENT in items:
        items.remove(PRESENT)
        if not items:
            del node["allOf"]
        return True
    return False


def no_union(schema: Mapping[str, Any]) -> Schema:
    """``schema`` with a top-level ``anyOf`` as ``not: {allOf: [not ...]}`` (same verdict)."""
    out = copy.deepcopy(dict(schema))
    branches = out.pop("anyOf", None)
    if branches is not None:
        merge(out, {"not": {"allOf": [{"not": branch} for branch in branches]}})
    return out


def opened(node: Any, *, partial: bool = False, item: bool = False) -> Any:
    """``node`` with ``additionalProperties: true`` on each partial schema naming ``properties``.

    A schema is partial below ``not``, ``if``, ``then``, ``else``, ``contains`` and the
    branches of ``anyOf``/``oneOf``/``allOf`` (an ``allOf`` item is itself read as open).
    """
    if not isinstance(node, dict):
        return node
    out: Schema = {}
    for key, value in node.items():
        if key == "unevaluatedProperties":
            raise ValueError("opened() would widen what unevaluatedProperties sees")
        if key in _PARTIAL:
            out[key] = opened(value, partial=True)
        elif key in _BRANCHES and isinstance(value, list):
            out[key] = [opened(branch, partial=True, item=key == "allOf") for branch in value]
        elif key == "properties":
            out[key] = {name: opened(schema, partial=partial) for name, schema in value.items()}
        elif key == "items":
            out[key] = opened(value, partial=partial)
        else:
            out[key] = value
    if partial and not item and "properties" in out:
        out.setdefault("additionalProperties", True)
    return out
