"""The ``openapi`` target: the whole API as one OpenAPI 3.1 document, ``generated/openapi.json``.

Both generation endpoints take a request body per model (``oneOf`` with a discriminator on
``model``), each the model's exported JSON Schema (see the ``jsonschema`` target), with the
spec's examples. The task endpoint, uploads, every envelope and error body of
docs/wire-protocol.md, bearer auth, the webhook (``webhooks`` and a callback on each
submission) and ``links`` from a submission to its poll complete it. The mock server serves
the same document at ``/openapi.json``, with itself as the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apimart_codegen.kinds.base import RuleKind
from apimart_codegen.spec.model import ModelSpec, SpecSet
from apimart_codegen.targets.base import Files, Target
from apimart_codegen.targets.jsonschema import model_schema, opened, render_json
from apimart_codegen.targets.openapi._wire import (
    LANGUAGES,
    POLL_ERRORS,
    REQUEST_ID,
    SCHEMAS,
    SUBMIT_ERRORS,
    UPLOAD_ERRORS,
    Schema,
    error_responses,
    ref,
    statuses,
)
from apimart_codegen.targets.release import release_version

VENDOR_URL = "https://api.apimart.ai"
MOCK_URL = "http://127.0.0.1:8000"
OPERATIONS = {"video": "submitVideoTask", "image": "submitImageTask"}
DOCS_URL = "https://docs.apimart.ai/en/api"
TAGS = {
    "videos": "Video generation: one request body per model, chosen by `model`.",
    "images": "Image generation: one request body per model, chosen by `model`.",
    "tasks": "A submitted task's status, progress and results.",
    "uploads": "Images stored by the API, to be used as references by URL.",
}
TO_POLL = {
    "getTask": {
        "operationId": "getTask",
        "parameters": {"task_id": "$response.body#/data/0/task_id"},
        "description": "Poll the task this submission made.",
    }
}


def _request_schema(model: ModelSpec, kinds: Mapping[str, RuleKind]) -> Schema:
    """The model's JSON Schema as a component (its ``$id`` and dialect are the document's)."""
    schema = model_schema(model, kinds)
    del schema["$schema"], schema["$id"]
    return schema


def _submission(output: str, models: list[ModelSpec], every: tuple[ModelSpec, ...]) -> Schema:
    """The POST of one endpoint; ``every`` is all models (see the envelope's ``code``)."""
    names = [model.name for model in models]
    examples = {
        f"{model.name}: {example.name}": {
            "summary": f"{model.name}: {example.name}",
            "value": dict(example.body),
        }
        for model in models
        for example in model.examples
    }
    # A reused Idempotency-Key answers with the envelope of the task it first made, which may
    # be another endpoint's: the code is any model's, one branch per value (an enum of mixed
    # types trips client generators).
    codes = sorted({model.response.code for model in every}, key=str)
    envelope: Schema = {
        "type": "object",
        "required": ["code", "data"],
        "properties": {
            "code": {"anyOf": [_constant(code) for code in codes]},
            "message": {"type": "string"},
            "data": {
                "oneOf": [
                    {"type": "array", "minItems": 1, "items": ref("TaskRef")},
                    ref("TaskRef"),
                ]
            },
        },
    }
    first = models[0]
    accepted: Schema = {"code": first.response.code}
    if first.response.message is not None:
        accepted["message"] = first.response.message
    accepted["data"] = [
        {"task_id": "task_01HZX3ZK7Q3S4N5P6R7T8V9W0Y", "status": first.response.status}
    ]
    return {
        "operationId": OPERATIONS[output],
        "tags": [f"{output}s"],
        "summary": f"Submit a {output} generation task",
        "description": (
            f"Models: {', '.join(names)}. The body is judged by the model's rules; a refused "
            "body answers 400 with every violation. Retrying with the same `Idempotency-Key` "
            "returns the task already made."
        ),
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": (
                    "The same key (from the same API key) with the same body returns the task "
                    "it first made; with another body or endpoint it answers 422. An empty "
                    "key is no key."
                ),
                "schema": {"type": "string"},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [ref(name) for name in names],
                        "discriminator": {
                            "propertyName": "model",
                            "mapping": {name: f"#/components/schemas/{name}" for name in names},
                        },
                    },
                    "examples": examples,
                }
            },
        },
        "responses": {
            "200": {
                "description": "The task is made; poll it with GET /v1/tasks/{task_id}.",
                "headers": {"X-Request-Id": REQUEST_ID},
                "content": {"application/json": {"schema": envelope, "example": accepted}},
                "links": TO_POLL,
            },
            **statuses(SUBMIT_ERRORS),
        },
        "callbacks": {
            "taskFinished": {"{$request.body#/webhook}/callback": {"post": _webhook_operation()}}
        },
    }


def _constant(value: Any) -> Schema:
    return {"type": "integer" if isinstance(value, int) else "string", "enum": [value]}


def _webhook_operation() -> Schema:
    return {
        "summary": "A task reached a terminal state",
        "description": (
            "POSTed to `<webhook>/callback` when the task ends; retried after about 10, 30 and "
            "60 s while the receiver does not answer 2xx. Duplicates are possible: dedupe by id."
        ),
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("Task")}}},
        "responses": {
            "200": {"description": "Received; no further attempts."},
            "4XX": {"description": "Not received; the delivery is attempted again."},
            "5XX": {"description": "Not received; the delivery is attempted again."},
        },
    }


def _poll() -> Schema:
    return {
        "operationId": "getTask",
        "tags": ["tasks"],
        "summary": "Get a task's status, progress and results",
        "description": (
            "Poll until the status is `completed`, `failed` or `cancelled` (any other status "
            "means the task has not finished); a completed task's result URLs expire."
        ),
        "parameters": [
            {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}},
            {
                "name": "language",
                "in": "query",
                "required": False,
                "description": (
                    f"The language of a failed task's message: {', '.join(LANGUAGES)}; any "
                    "other value gets the default (English)."
                ),
                "schema": {"type": "string", "examples": LANGUAGES},
            },
        ],
        "responses": {
            "200": {
                "description": "The task as it is now.",
                "headers": {"X-Request-Id": REQUEST_ID},
                "content": {
                    "application/json": {
                        "schema": ref("TaskEnvelope"),
                        "example": {
                            "code": 200,
                            "data": {
                                "id": "task_01HZX3ZK7Q3S4N5P6R7T8V9W0Y",
                                "status": "completed",
                                "progress": 100,
                                "created": 1763800000,
                                "estimated_time": 60,
                                "completed": 1763800058,
                                "actual_time": 58,
                                "result": {
                                    "videos": [
                                        {
                                            "url": ["https://cdn.example.com/result.mp4"],
                                            "expires_at": 1763886458,
                                        }
                                    ]
                                },
                            },
                        },
                    }
                },
            },
            **statuses(POLL_ERRORS),
        },
    }


def _upload() -> Schema:
    return {
        "operationId": "uploadImage",
        "tags": ["uploads"],
        "summary": "Upload an image to use as a reference",
        "description": "JPEG, PNG, WebP or GIF (judged by content), at most 20 MB.",
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "contentMediaType": "image/*"}},
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "Stored; the URL serves the image.",
                "headers": {"X-Request-Id": REQUEST_ID},
                "content": {"application/json": {"schema": ref("Upload")}},
            },
            **statuses(UPLOAD_ERRORS),
        },
    }


def openapi_document(
    specs: SpecSet, kinds: Mapping[str, RuleKind], *, servers: list[Schema] | None = None
) -> Schema:
    """The OpenAPI 3.1 document of the API the specs describe."""
    by_output: dict[str, list[ModelSpec]] = {}
    paths: dict[str, Any] = {}
    for model in specs.models:
        by_output.setdefault(model.output, []).append(model)
    for output, models in by_output.items():
        paths[models[0].endpoint] = {"post": _submission(output, models, specs.models)}
    paths["/v1/tasks/{task_id}"] = {"get": _poll()}
    paths["/v1/uploads/images"] = {"post": _upload()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "APIMart media generation API",
            "version": release_version(specs),
            "description": (
                "Video and image generation tasks: submit, poll, download. Generated by "
                "apimart generate from the project's specs (one per vendor page, every rule "
                "citing the sentence it comes from). Request bodies carry every rule JSON "
                "Schema can say; the rest are listed in each body's x-apimart-rules."
            ),
            "contact": {"name": "APIMart (the vendor's documentation)", "url": DOCS_URL},
        },
        "servers": servers
        or [
            {"url": VENDOR_URL, "description": "the vendor's API (every task is charged)"},
            {"url": MOCK_URL, "description": "apimart mock --port 8000 (offline)"},
        ],
        "security": [{"bearer": []}],
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "paths": paths,
        "webhooks": {
            "taskFinished": {"post": {"operationId": "taskFinished", **_webhook_operation()}}
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Authorization: Bearer <API key>",
                }
            },
            "schemas": {
                **{model.name: _request_schema(model, kinds) for model in specs.models},
                **{name: opened(schema) for name, schema in SCHEMAS.items()},
            },
            "responses": error_responses(),
        },
    }


class OpenApiTarget(Target):
    name = "openapi"
    owns = ()

    def render(self, specs: SpecSet, kinds: Mapping[str, RuleKind]) -> Files:
        return {"openapi.json": render_json(openapi_document(specs, kinds))}


TARGET = OpenApiTarget()
