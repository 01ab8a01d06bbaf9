"""The ``jsonschema`` target: one JSON Schema (2020-12) per model in ``generated/schemas/``.

Every unconditional per-field rule whose kind can say it in JSON Schema is exported
(types, enums, bounds, lengths, item counts, formats, required fields). Cross-field and
mode-dependent rules are not: the schema's ``$comment`` counts what it leaves to the
generated validators. Null is accepted wherever a field is optional, as the validators
treat null as absent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from generator.jsonvalue import EACH
from generator.kinds.base import RuleKind
from generator.spec.model import ModelSpec, Parameter, SpecSet
from generator.targets.base import Files, Target


def _node(schema: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = schema
    for segment in path:
        if segment == EACH:
            node = node.setdefault("items", {})
        else:
            node = node.setdefault("properties", {}).setdefault(segment, {})
    return node


def _describe(schema: dict[str, Any], param: Parameter) -> None:
    node = _node(schema, param.path)
    if param.description:
        node["description"] = param.description
    if param.has_default:
        node["default"] = param.default
    for child in param.properties:
        _describe(schema, child)
    if param.items is not None:
        _describe(schema, param.items)


def model_schema(model: ModelSpec, kinds: Mapping[str, RuleKind]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://apimart.ai/schemas/{model.name}.json",
        "title": f"{model.name} request body",
    }
    _describe(schema, model.body)
    left = 0
    for rule in model.rules:
        fragment = None if rule.when is not None else kinds[rule.kind].json_schema(rule)
        if rule.kind == "required" and rule.when is None:
            parent = _node(schema, rule.path[:-1])
            parent.setdefault("required", []).append(rule.path[-1])
        elif fragment is not None and rule.severity == "error":
            _node(schema, rule.path).update(fragment)
        else:
            left += 1
    schema["$comment"] = (
        f"Generated from {model.spec_path} by apimart generate. {len(model.rules) - left} of "
        f"{len(model.rules)} rules are expressed here; the other {left} (cross-field, "
        "mode-dependent and warning rules) are checked by the generated validators only."
    )
    body = schema.get("type")
    if body == ["object", "null"]:
        schema["type"] = "object"
    return schema


class JsonSchemaTarget(Target):
    name = "jsonschema"
    owns = ("schemas",)

    def render(self, specs: SpecSet, kinds: Mapping[str, RuleKind]) -> Files:
        return {
            f"schemas/{model.name}.schema.json": json.dumps(
                model_schema(model, kinds), indent=2, ensure_ascii=False
            )
            + "\n"
            for model in specs.models
        }


TARGET = JsonSchemaTarget()
