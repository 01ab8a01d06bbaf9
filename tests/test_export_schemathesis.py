"""Schemathesis, driven by the exported OpenAPI document, against the mock on a loopback socket.

Every response must conform to the document (status, content type, headers, body), no
answer may be a server error, schema-invalid requests must be refused, and the API key must
matter. A schema-valid request the mock refuses is accepted only for a reason written down:

* a rule the document lists in ``x-apimart-rules`` (what JSON Schema cannot say);
* JSON Schema counts 3.0 as an integer, the project does not (an integer ``type`` rule on
  an integral float);
* an upload whose bytes are no JPEG, PNG, WebP or GIF (judged by content; a schema cannot).

Bounded: a fixed number of examples per operation and generation mode, derandomized.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from apimart_codegen.mock import MockServer
from tests.support import GENERATED, integer_type_rules, keyed_mock, specs

KEY = "schemathesis-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
DOC = json.loads((GENERATED / "openapi.json").read_text("utf-8"))
LISTED = {
    entry["id"]
    for name, schema in DOC["components"]["schemas"].items()
    for entry in schema.get("x-apimart-rules", ())
}
INTEGER_TYPE_RULES = integer_type_rules()
EXAMPLES = 30


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    """Only KEY is accepted."""
    with keyed_mock(key=KEY, seed=11) as server:
        yield server


def _value_at(body: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        body = body[int(token)] if isinstance(body, list) else body[token]
    return body


def excused(case: schemathesis.Case, response: schemathesis.Response) -> str | None:
    """The written-down reason a schema-valid request was refused, or None."""
    error = json.loads(response.content)["error"]
    if case.operation.path == "/v1/uploads/images":
        return "not an image" if error.get("param") == "file" else None
    reasons = set()
    for violation in error.get("violations", ()):
        if violation["rule"] in LISTED:
            reasons.add("listed in x-apimart-rules")
        elif violation["rule"] in INTEGER_TYPE_RULES and isinstance(
            _value_at(case.body, violation["path"]), float
        ):
            reasons.add("an integral float")
        else:
            return None
    return ", ".join(sorted(reasons)) or None


def _narrowed(name: str) -> dict[str, Any]:
    """The document with one model's body where the endpoint's oneOf was (for a focused run)."""
    doc = copy.deepcopy(DOC)
    endpoint = next(model.endpoint for model in specs().models if model.name == name)
    content = doc["paths"][endpoint]["post"]["requestBody"]["content"]["application/json"]
    content["schema"] = {"$ref": f"#/components/schemas/{name}"}
    return doc


def _run(
    server: MockServer,
    label: str,
    mode: GenerationMode,
    *,
    doc: dict[str, Any] = DOC,
    examples: int = EXAMPLES,
) -> Counter[int]:
    schema = schemathesis.openapi.from_dict(doc)
    schema.config.update(base_url=server.base_url)
    operation = schema.find_operation_by_label(label)
    assert operation is not None
    seen: Counter[int] = Counter()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def check(case: schemathesis.Case) -> None:
        # A reused Idempotency-Key returns the task it first made, whatever the body: each
        # case gets a key of its own, so one case's verdict does not answer another's.
        headers = {**AUTH, "Idempotency-Key": str(uuid.uuid4())}
        response = case.call(headers=headers)
        seen[response.status_code] += 1
        case.validate_response(
            response, headers=headers, excluded_checks=[positive_data_acceptance]
        )
        if mode is GenerationMode.POSITIVE and response.status_code == 400:
            assert excused(case, response), (case.body, response.content[:600])

    check()
    return seen


@pytest.mark.parametrize("label", ["POST /v1/videos/generations", "POST /v1/images/generations"])
def test_submissions(server: MockServer, label: str) -> None:
    accepted = _run(server, label, GenerationMode.POSITIVE)
    assert accepted[200] > 0, accepted
    assert 500 not in accepted
    # Negative cases whose only broken part is a header this test sets itself can pass;
    # the negative_data_rejection check judges each case by what was really sent.
    refused = _run(server, label, GenerationMode.NEGATIVE)
    assert refused[400] > 0, refused
    assert all(status < 500 for status in refused), refused


@pytest.mark.parametrize("name", [model.name for model in specs().models])
def test_each_model_body(server: MockServer, name: str) -> None:
    """One model's body at a time, so each model's rules get examples of their own."""
    doc = _narrowed(name)
    endpoint = next(model.endpoint for model in specs().models if model.name == name)
    label = f"POST {endpoint}"
    accepted = _run(server, label, GenerationMode.POSITIVE, doc=doc, examples=25)
    assert accepted[200] > 0, accepted
    refused = _run(server, label, GenerationMode.NEGATIVE, doc=doc, examples=25)
    assert refused[400] > 0, refused
    assert all(status < 500 for status in refused), refused


def test_polls_and_uploads(server: MockServer) -> None:
    polls = _run(server, "GET /v1/tasks/{task_id}", GenerationMode.POSITIVE)
    assert set(polls) <= {200, 404}, polls
    polls = _run(server, "GET /v1/tasks/{task_id}", GenerationMode.NEGATIVE)
    assert set(polls) <= {401, 404}, polls
    uploads = _run(server, "POST /v1/uploads/images", GenerationMode.POSITIVE)
    assert set(uploads) <= {200, 400}, uploads


def test_every_documented_example_is_accepted_and_conforms(server: MockServer) -> None:
    schema = schemathesis.openapi.from_dict(DOC)
    schema.config.update(base_url=server.base_url)
    sent = 0
    for path, item in DOC["paths"].items():
        for method, operation_doc in item.items():
            body = operation_doc.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            operation = schema.find_operation_by_label(f"{method.upper()} {path}")
            assert operation is not None
            for example in body["examples"].values():
                case = operation.Case(body=example["value"], media_type="application/json")
                headers = {**AUTH, "Idempotency-Key": str(uuid.uuid4())}
                response = case.call(headers=headers)
                assert response.status_code == 200, response.content
                case.validate_response(response, headers=headers)
                sent += 1
    assert sent == sum(len(model.examples) for model in specs().models)


def test_only_the_written_down_reasons_excuse_a_refusal(server: MockServer) -> None:
    """The excuse can fail: a refusal citing a rule the schema says is not excused."""
    schema = schemathesis.openapi.from_dict(DOC)
    reasons = {}
    for label, body in [
        ("POST /v1/videos/generations", {"model": "wan2.6", "prompt": "p", "duration": 7}),
        ("POST /v1/videos/generations", {"model": "wan2.6", "prompt": "p", "duration": 5.0}),
        (
            "POST /v1/images/generations",
            {
                "model": "wan2.7-image",
                "prompt": "p",
                "image_urls": ["https://x.example/a.png"],
                "bbox_list": [],
            },
        ),
    ]:
        operation = schema.find_operation_by_label(label)
        assert operation is not None
        case = operation.Case(body=body, media_type="application/json")
        response = case.call(base_url=server.base_url, headers=AUTH)
        assert response.status_code == 400
        reasons[json.dumps(body)] = excused(case, response)
    assert list(reasons.values()) == [
        None,
        "an integral float",
        "listed in x-apimart-rules",
    ]


def _excluded(case: schemathesis.Case) -> list[Any]:
    """The checks a stateful step is not judged by. A step whose only negative parts are its
    headers (which get_call_kwargs sets anew) or unknown query parameters (which the API,
    like most, ignores: see the README's differences) proves nothing by being accepted."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return [positive_data_acceptance]
    judged = (ParameterLocation.BODY, ParameterLocation.PATH)
    if any(meta.is_negative_at(location) for location in judged):
        return [positive_data_acceptance]
    return [positive_data_acceptance, negative_data_rejection]


def test_stateful_submit_then_poll_by_the_link(server: MockServer) -> None:
    """Schemathesis follows the links: each task a submission makes can be polled."""
    schema = schemathesis.openapi.from_dict(DOC)
    schema.config.update(base_url=server.base_url)
    polled: Counter[int] = Counter()

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": {**AUTH, "Idempotency-Key": str(uuid.uuid4())}}

        def validate_response(
            self, response: schemathesis.Response, case: schemathesis.Case, **kwargs: Any
        ) -> None:
            if case.operation.path == "/v1/tasks/{task_id}":
                polled[response.status_code] += 1
            case.validate_response(response, headers=AUTH, excluded_checks=_excluded(case))
            positive = case.meta is not None and case.meta.generation.mode.is_positive
            if response.status_code == 400 and positive:
                assert excused(case, response), (case.body, response.content[:600])

    Machine.run(
        settings=settings(
            max_examples=15,
            stateful_step_count=4,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert polled[200] > 0, polled
