"""The ``jsonschema`` target: one JSON Schema (2020-12) per model in ``generated/schemas/``.

Every error rule JSON Schema can say is in the schema: per-field rules on their field,
cross-field rules on the body, and a rule with a ``when`` as ``if``/``then`` (rules sharing a
condition share one). Absence means what the project means by it: a field that is null, "",
[] or {} is not given, so an optional field accepts null and a required one refuses all four;
a null item of an array is a wrong type. What JSON Schema cannot say (a ratio sum, a length
equal to another list's, corners in order) and the warnings (which never refuse a request)
are listed in ``x-apimart-rules`` with rule ids, messages and sources. The spec's examples
are the schema's ``examples``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from apimart_codegen.kinds.base import RuleKind
from apimart_codegen.kinds.schema import Schema, at_path
from apimart_codegen.spec.model import ModelSpec, Parameter, Rule, SpecSet
from apimart_codegen.targets.base import Files, Target
from apimart_codegen.targets.jsonschema._conditions import Modes, condition_schema, condition_text
from apimart_codegen.targets.jsonschema._merge import merge, no_union, opened, tidy

DIALECT = "https://json-schema.org/draft/2020-12/schema"
EXTENSION = "x-apimart-rules"


def file_name(model: ModelSpec) -> str:
    """``omni-flash-ext.schema.json`` for ``Omni-Flash-Ext``: named by the model's slug."""
    return f"{model.slug}.schema.json"


def schema_id(model: ModelSpec) -> str:
    """The project's own identifier for a model's schema; it ends in the schema's file name."""
    return f"urn:apimart-codegen:schemas:{file_name(model)}"


def _described(param: Parameter) -> Schema:
    node: Schema = {}
    if param.description:
        node["description"] = param.description
    if param.has_default:
        node["default"] = param.default
    if param.properties:
        node["properties"] = {child.name: _described(child) for child in param.properties}
    if param.items is not None:
        node["items"] = _described(param.items)
    return node


def listed(rule: Rule, kind: RuleKind, modes: Modes) -> Schema:
    """A rule's entry in ``x-apimart-rules``: what it checks, where, and the page's words."""
    entry: Schema = {
        "id": rule.id,
        "kind": rule.kind,
        "severity": rule.severity,
        "path": rule.pointer,
        "message": kind.message(rule),
    }
    if rule.params:
        entry["params"] = dict(rule.params)
    if rule.when is not None:
        entry["when"] = condition_text(rule.when)
        entry["if"] = condition_schema(rule.when, modes)
    entry["source"] = {"doc": rule.source.doc, "quote": rule.source.quote}
    entry["spec"] = f"{rule.loc.file}:{rule.loc.line}"
    return entry


def model_schema(model: ModelSpec, kinds: Mapping[str, RuleKind]) -> Schema:
    """The request body of one model as a standalone JSON Schema document."""
    modes = {mode.name: mode.when for mode in model.modes}
    body: Schema = {"type": "object", **_described(model.body)}
    body.pop("description", None)
    conditional: dict[str, Schema] = {}
    unsaid: list[Schema] = []
    for rule in model.rules:
        kind = kinds[rule.kind]
        fragment = kind.json_schema(rule) if rule.severity == "error" else None
        if fragment is None:
            entry = listed(rule, kind, modes)
            unsaid.append(entry)
            fragment = kind.json_schema_part(rule) if rule.severity == "error" else None
            if fragment is None:
                continue
            entry["said"] = "in part"
        said = at_path(rule.path, dict(fragment)) if kind.per_value else no_union(fragment)
        if rule.when is None:
            merge(body, said)
            continue
        test = condition_schema(rule.when, modes)
        key = json.dumps(test, sort_keys=True)
        if key not in conditional:
            when = json.dumps(condition_text(rule.when), ensure_ascii=False)
            conditional[key] = {"$comment": f"when {when}:", "if": test, "then": {}}
        conditional[key]["$comment"] += f" {rule.id}"
        merge(conditional[key]["then"], said)
    tidy(body)
    if conditional:
        body.setdefault("allOf", []).extend(conditional.values())
    body = opened(body)
    warnings = sum(entry["severity"] == "warning" for entry in unsaid)
    schema: Schema = {
        "$schema": DIALECT,
        "$id": schema_id(model),
        "title": f"{model.name} request body",
        "description": model.description,
        "$comment": (
            f"Generated from {model.spec_path} by apimart generate. "
            f"{len(model.rules) - len(unsaid)} of {len(model.rules)} rules are said here; "
            f"the other {len(unsaid)} ({warnings} warnings, which never refuse a request, and "
            f"{len(unsaid) - warnings} errors JSON Schema cannot say) are listed in "
            f"{EXTENSION} and checked by the generated validators and the mock server."
        ),
        **body,
        "examples": [json.loads(json.dumps(example.body)) for example in model.examples],
        EXTENSION: unsaid,
    }
    return schema


def render_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


class JsonSchemaTarget(Target):
    name = "jsonschema"
    owns = ("schemas",)

    def render(self, specs: SpecSet, kinds: Mapping[str, RuleKind]) -> Files:
        return {
            f"schemas/{file_name(model)}": render_json(model_schema(model, kinds))
            for model in specs.models
        }


TARGET = JsonSchemaTarget()
