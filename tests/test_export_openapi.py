"""The exported OpenAPI 3.1 document: valid, complete, and served by the mock."""

from __future__ import annotations

import json

import jsonschema
from openapi_spec_validator import validate

from apimart_codegen.mock import MockAPI, VirtualClock
from apimart_codegen.targets.release import release_version
from tests.support import GENERATED, specs

DOC = json.loads((GENERATED / "openapi.json").read_text("utf-8"))


def test_openapi_spec_validator_accepts_the_document() -> None:
    validate(DOC)
    assert DOC["openapi"] == "3.1.0"
    assert DOC["info"]["version"] == release_version(specs())


def test_each_endpoint_takes_its_models_by_discriminator_with_their_examples() -> None:
    models = specs().models
    for endpoint in {model.endpoint for model in models}:
        names = sorted(model.name for model in models if model.endpoint == endpoint)
        body = DOC["paths"][endpoint]["post"]["requestBody"]["content"]["application/json"]
        refs = sorted(item["$ref"].rsplit("/", 1)[1] for item in body["schema"]["oneOf"])
        assert refs == names
        assert body["schema"]["discriminator"]["propertyName"] == "model"
        assert sorted(body["schema"]["discriminator"]["mapping"]) == names
        expected = [
            dict(example.body)
            for model in models
            if model.endpoint == endpoint
            for example in model.examples
        ]
        assert [example["value"] for example in body["examples"].values()] == expected
        for example in body["examples"].values():
            schema = DOC["components"]["schemas"][example["value"]["model"]]
            assert list(jsonschema.Draft202012Validator(schema).iter_errors(example["value"])) == []


def test_the_request_bodies_are_the_exported_schemas() -> None:
    for model in specs().models:
        exported = json.loads((GENERATED / "schemas" / f"{model.name}.schema.json").read_text())
        del exported["$schema"], exported["$id"]
        assert DOC["components"]["schemas"][model.name] == exported


def test_submissions_link_to_the_poll_and_carry_the_webhook() -> None:
    poll = DOC["paths"]["/v1/tasks/{task_id}"]["get"]
    assert poll["operationId"] == "getTask"
    for endpoint in ("/v1/videos/generations", "/v1/images/generations"):
        operation = DOC["paths"][endpoint]["post"]
        link = operation["responses"]["200"]["links"]["getTask"]
        assert link == {
            "operationId": "getTask",
            "parameters": {"task_id": "$response.body#/data/0/task_id"},
            "description": "Poll the task this submission made.",
        }
        callback = operation["callbacks"]["taskFinished"]["{$request.body#/webhook}/callback"]
        assert callback["post"]["requestBody"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Task"
        }
        for status in ("400", "401", "402", "413", "422", "429", "500", "502", "503"):
            assert operation["responses"][status]["$ref"].startswith("#/components/responses/")
    assert "taskFinished" in DOC["webhooks"]
    assert DOC["security"] == [{"bearer": []}]
    assert DOC["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_error_examples_fit_the_error_schema() -> None:
    schemas = {"components": {"schemas": DOC["components"]["schemas"]}}
    validator = jsonschema.Draft202012Validator({"$ref": "#/components/schemas/Error", **schemas})
    for name, response in DOC["components"]["responses"].items():
        example = response["content"]["application/json"]["example"]
        assert list(validator.iter_errors(example)) == [], name
    assert not validator.is_valid({"error": {"message": "no code, no type"}})


def test_the_mock_serves_the_document_naming_itself() -> None:
    mock = MockAPI(specs=specs(), clock=VirtualClock())
    with mock.client(api_key=None) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert served["servers"] == [
        {"url": str(client.base_url).rstrip("/"), "description": "this mock server"}
    ]
    assert {**served, "servers": DOC["servers"]} == DOC
