"""The spec format's meta-schema (JSON Schema 2020-12), completed by the registered rule kinds.

The fixed part describes files, models, modes, parameters and examples; every rule kind adds
the keys of its ``rules:`` entries and its parameter keywords, so a plugin's kind is checked
with the same rigour as a built-in one. ``apimart lint --meta-schema`` prints the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apimart_codegen import conditions
from apimart_codegen.kinds.base import RuleKind

NAME = r"^[a-z][a-z0-9_]*$"
FAMILY = r"^[a-z0-9][a-z0-9.\-]*$"
MODEL_NAME = r"^[A-Za-z0-9][A-Za-z0-9.\-]*$"
"""A model's name exactly as the API takes it in ``"model"`` (its case included); the names
derived from it (file names, Python names) are ``ModelSpec.slug`` and ``ModelSpec.identifier``."""
RULE_ID = r"^[a-z0-9][a-z0-9._\-\[\]]*$"
POINTER = {"type": "string", "pattern": r"^(/[a-z0-9_*]+)*$"}


def build(kinds: Iterable[RuleKind]) -> dict[str, Any]:
    kinds = list(kinds)
    keywords: dict[str, Any] = {}
    for kind in kinds:
        keywords.update(kind.keywords)
    source = {
        "oneOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "object",
                "required": ["doc", "quote"],
                "properties": {
                    "doc": {"type": "string", "minLength": 1},
                    "quote": {"type": "string", "minLength": 1},
                },
                "additionalProperties": False,
            },
        ]
    }
    parameter = {
        "type": "object",
        "properties": {
            "description": {"type": "string"},
            "source": {"$ref": "#/$defs/source"},
            "cite": {"type": "object", "additionalProperties": {"$ref": "#/$defs/source"}},
            "decision": {"type": "string"},
            "default": {},
            "items": {"$ref": "#/$defs/parameter"},
            "properties": {
                "type": "object",
                "propertyNames": {"pattern": NAME},
                "additionalProperties": {"$ref": "#/$defs/parameter"},
            },
            **keywords,
        },
        "additionalProperties": False,
    }
    rule_common = {
        "id": {"type": "string", "pattern": RULE_ID},
        "kind": {"enum": sorted(kind.name for kind in kinds)},
        "path": POINTER,
        "when": {"$ref": "#/$defs/condition"},
        "severity": {"enum": ["error", "warning"]},
        "message": {"type": "string", "minLength": 1},
        "source": {"$ref": "#/$defs/source"},
        "decision": {"type": "string"},
        "models": {"type": "array", "minItems": 1, "items": {"type": "string"}},
    }
    rule = {
        "type": "object",
        "required": ["id", "kind", "source"],
        "properties": rule_common,
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind.name}}, "required": ["kind"]},
                "then": {
                    "properties": dict(kind.rule_schema),
                    "required": list(kind.rule_required),
                },
            }
            for kind in kinds
        ],
        "unevaluatedProperties": False,
    }
    model = {
        "type": "object",
        "required": ["description", "endpoint", "output", "response"],
        "properties": {
            "description": {"type": "string"},
            "endpoint": {"enum": ["/v1/videos/generations", "/v1/images/generations"]},
            "output": {"enum": ["video", "image"]},
            "response": {
                "type": "object",
                "required": ["code", "status"],
                "properties": {
                    "code": {"type": ["integer", "string"]},
                    "status": {"type": "string"},
                    "message": {"type": "string"},
                },
                "additionalProperties": False,
            },
            "price": {
                "type": "object",
                "required": ["per", "source"],
                "properties": {
                    "per": {"enum": ["image", "second"]},
                    "amount": {"type": "string", "pattern": r"^[0-9]+\.[0-9]+$"},
                    "currency": {"type": "string"},
                    "source": {"$ref": "#/$defs/source"},
                },
                "additionalProperties": False,
            },
            "parameters": {
                "type": "object",
                "propertyNames": {"pattern": NAME},
                "additionalProperties": {"$ref": "#/$defs/parameter"},
            },
        },
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "APIMart model family spec",
        "type": "object",
        "required": ["doc", "family", "body", "models", "parameters", "examples"],
        "properties": {
            "doc": {"type": "string", "minLength": 1},
            # where the page lives on the vendor's site (`apimart docs pull` fetches it)
            "url": {"type": "string", "pattern": r"^https?://[^\s]+$"},
            "family": {"type": "string", "pattern": FAMILY},
            "body": {
                "type": "object",
                "required": ["source", "closed"],
                "properties": {
                    "source": {"$ref": "#/$defs/source"},
                    "closed": {"enum": ["error", "warning"]},
                },
                "additionalProperties": False,
            },
            "models": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": MODEL_NAME},
                "additionalProperties": model,
            },
            "modes": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["when", "description"],
                    "properties": {
                        "when": {"$ref": "#/$defs/condition"},
                        "description": {"type": "string"},
                        "source": {"$ref": "#/$defs/source"},
                    },
                    "additionalProperties": False,
                },
            },
            "parameters": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": NAME},
                "additionalProperties": {"$ref": "#/$defs/parameter"},
            },
            "rules": {"type": "array", "items": rule},
            "examples": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "body"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "source": {"$ref": "#/$defs/source"},
                        "body": {"type": "object", "required": ["model"]},
                        "substitute": {"type": "object"},
                        "note": {"type": "string"},
                    },
                    "additionalProperties": False,
                },
            },
            "unchecked": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["source", "reason"],
                    "properties": {
                        "source": {"$ref": "#/$defs/source"},
                        "reason": {"type": "string", "minLength": 1},
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
        "$defs": {
            "source": source,
            "parameter": parameter,
            "condition": {
                **{k: v for k, v in conditions.SCHEMA.items() if k != "$id"},
            },
        },
    }
