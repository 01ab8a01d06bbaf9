"""Combining JSON Schemas so the result means all of them, and reads like one written by hand.

``merge`` adds one schema's constraints to another: properties and items merge field by
field, ``required`` lists join, ``type`` sets intersect, and any other keyword both sides
hold goes into ``allOf``. ``tidy`` drops what a node's own ``type`` makes moot (``null`` in
an enum of a field that cannot be null, ``minItems`` on a string field).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

Schema = dict[str, Any]

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
    """Drop, in place and below, what the node's own ``type`` already rules out."""
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
