"""The parts of the OpenAPI document that come from docs/wire-protocol.md, not from a spec.

Envelopes, the task object, uploads, and the error body, with the statuses each operation
answers with. Every shape here is what the mock server sends (the test suite holds it to
that with Schemathesis) and what the vendor's pages show.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

Schema = dict[str, Any]


def ref(name: str, section: str = "schemas") -> Schema:
    return {"$ref": f"#/components/{section}/{name}"}


STATUSES: Final = ["pending", "processing", "completed", "failed", "cancelled", "submitted"]
LANGUAGES: Final = ["en", "zh", "ja", "ko"]

SCHEMAS: Final[Mapping[str, Schema]] = {
    "Violation": {
        "type": "object",
        "description": "One broken rule: a JSON Pointer to the field, its rule id, a sentence.",
        "required": ["path", "rule", "message"],
        "properties": {
            "path": {"type": "string", "examples": ["/duration"]},
            "rule": {"type": "string", "examples": ["wan2.6/duration-enum"]},
            "message": {"type": "string"},
        },
    },
    "Error": {
        "type": "object",
        "description": (
            "Every error answer. Classify by HTTP status; `code` and `type` vary (an unknown "
            'model answers `"code": "get_channel_failed"`, `"type": "apimart_error"`).'
        ),
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "type"],
                "properties": {
                    "code": {"type": ["integer", "string"]},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                    "param": {
                        "type": "string",
                        "description": "The field at fault (the first violation's path).",
                    },
                    "violations": {
                        "type": "array",
                        "description": "Every rule the request body breaks (400 only).",
                        "items": ref("Violation"),
                    },
                },
            }
        },
    },
    "TaskRef": {
        "type": "object",
        "description": "A submitted task: `task_id` (some answers say `id`) and its first status.",
        "properties": {
            "task_id": {"type": "string"},
            "id": {"type": "string"},
            "status": {"type": "string"},
        },
        # Either key (an ``anyOf`` here would read as a union of two types to generators).
        "if": {"not": {"required": ["task_id"], "properties": {"task_id": {}}}},
        "then": {"required": ["id"], "properties": {"id": {}}},
    },
    "MediaResult": {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {
                "description": "The file's URL; a list of one URL, or a plain string.",
                "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            },
            "expires_at": {"type": "integer", "description": "Unix seconds; download before."},
        },
    },
    "Task": {
        "type": "object",
        "description": (
            "A generation task as a poll (or a webhook delivery) shows it. A status not listed "
            "here means the task has not finished."
        ),
        "required": ["id", "status"],
        "properties": {
            "id": {"type": "string"},
            "status": {"enum": STATUSES},
            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
            "created": {"type": "integer", "description": "Unix seconds."},
            "estimated_time": {"type": "integer", "description": "Seconds."},
            "completed": {"type": "integer", "description": "Unix seconds (completed tasks)."},
            "actual_time": {"type": "integer", "description": "Seconds (completed tasks)."},
            "result": {
                "type": "object",
                "description": "Completed tasks: one entry per image or video.",
                "properties": {
                    "images": {"type": "array", "items": ref("MediaResult")},
                    "videos": {"type": "array", "items": ref("MediaResult")},
                },
            },
            "error": {
                "type": "object",
                "description": "Failed tasks: why, in the poll's language.",
                "required": ["message"],
                "properties": {
                    "code": {"type": ["integer", "string"]},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "TaskEnvelope": {
        "type": "object",
        "required": ["code", "data"],
        "properties": {"code": {"const": 200}, "data": ref("Task")},
    },
    "Upload": {
        "type": "object",
        "required": ["url", "filename", "content_type", "bytes", "created_at"],
        "properties": {
            "url": {"type": "string", "description": "Use it in image_urls and similar fields."},
            "filename": {"type": "string"},
            "content_type": {"enum": ["image/jpeg", "image/png", "image/webp", "image/gif"]},
            "bytes": {"type": "integer", "minimum": 1},
            "created_at": {"type": "integer", "description": "Unix seconds."},
        },
    },
}

REQUEST_ID: Final[Schema] = {
    "description": "The request's id (`req_<hex>`); quote it when reporting a problem.",
    "schema": {"type": "string"},
}

ERRORS: Final[Mapping[int, tuple[str, str, str]]] = {
    400: ("BadRequest", "invalid_request_error", "The request is refused; `violations` says why."),
    401: ("Unauthorized", "authentication_error", "Missing or wrong API key."),
    402: ("PaymentRequired", "payment_required", "Insufficient balance."),
    403: ("Forbidden", "permission_error", "The key may not do this."),
    404: ("NotFound", "invalid_request_error", "No such task (or not this key's)."),
    413: ("PayloadTooLarge", "invalid_request_error", "The request body is too large."),
    422: (
        "IdempotencyKeyReused",
        "idempotency_error",
        "The Idempotency-Key was already used with a different request; use a new key.",
    ),
    429: ("RateLimited", "rate_limit_error", "Too many requests; wait `Retry-After` seconds."),
    500: ("ServerError", "server_error", "The server failed; a submission may have been made."),
    502: ("BadGateway", "bad_gateway", "The upstream channel did not answer."),
    503: ("Unavailable", "service_unavailable", "Temporarily unavailable; nothing was made."),
}

SUBMIT_ERRORS: Final = (400, 401, 402, 403, 413, 422, 429, 500, 502, 503)
POLL_ERRORS: Final = (401, 404, 429, 500, 502, 503)
UPLOAD_ERRORS: Final = (400, 401, 413, 429, 500, 502, 503)


def error_responses() -> dict[str, Schema]:
    """``components.responses``: one per error status, each with the error body's example."""
    responses = {}
    for status, (name, type_, description) in ERRORS.items():
        headers: dict[str, Any] = {"X-Request-Id": REQUEST_ID}
        if status == 429:
            headers["Retry-After"] = {
                "description": "Seconds to wait before the next attempt.",
                "schema": {"type": "string"},
            }
        example: Schema = {"code": status, "message": description, "type": type_}
        if status == 422:
            example = {**example, "code": "idempotency_key_reused", "param": "Idempotency-Key"}
        if status == 400:
            example = {
                "code": 400,
                "message": "duration must be one of 5, 10, 15, got 7",
                "type": type_,
                "param": "/duration",
                "violations": [
                    {
                        "path": "/duration",
                        "rule": "wan2.6/duration-enum",
                        "message": "duration must be one of 5, 10, 15, got 7",
                    }
                ],
            }
        responses[name] = {
            "description": description,
            "headers": headers,
            "content": {
                "application/json": {"schema": ref("Error"), "example": {"error": example}}
            },
        }
    return responses


def statuses(codes: tuple[int, ...]) -> dict[str, Schema]:
    return {str(code): ref(ERRORS[code][0], "responses") for code in codes}
