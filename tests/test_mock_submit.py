"""Submitting to the mock in process: envelopes, refusals, auth, idempotency, request ids."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from apimart_codegen.interpreter import Interpreter
from apimart_codegen.mock import MockAPI, VirtualClock
from apimart_codegen.spec.model import ModelSpec
from tests.support import specs

TASK_ID = re.compile(r"task_[0-9A-HJKMNP-TV-Z]{26}")
REQUEST_ID = re.compile(r"req_[0-9a-f]{16}")
MODELS = specs().models


def example_body(model: ModelSpec) -> dict[str, Any]:
    return dict(model.examples[0].body)


@pytest.fixture
def mock() -> MockAPI:
    return MockAPI(specs=specs(), clock=VirtualClock(), seed=7)


@pytest.fixture
def client(mock: MockAPI) -> Iterator[httpx.Client]:
    with mock.client() as client:
        yield client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_each_model_gets_the_envelope_of_its_page(client: httpx.Client, model: ModelSpec) -> None:
    response = client.post(model.endpoint, json=example_body(model))
    assert response.status_code == 200
    body = response.json()
    task_id = body["data"][0]["task_id"]
    assert TASK_ID.fullmatch(task_id)
    expected: dict[str, object] = {"code": model.response.code}
    if model.response.message is not None:
        expected["message"] = model.response.message
    expected["data"] = [{"task_id": task_id, "status": model.response.status}]
    assert body == expected


def test_video_and_image_envelopes_are_the_documented_ones(client: httpx.Client) -> None:
    video = client.post("/v1/videos/generations", json={"model": "wan2.6", "prompt": "a cat"})
    image = client.post("/v1/images/generations", json={"model": "wan2.7-image", "prompt": "a cat"})
    assert video.json()["code"] == 200 and video.json()["data"][0]["status"] == "submitted"
    assert "message" not in video.json()
    assert image.json()["code"] == "success" and image.json()["message"] == ""
    assert image.json()["data"][0]["status"] == "processing"


@pytest.mark.parametrize(
    "body",
    [
        {"model": "wan2.6", "prompt": "p", "duration": 7},
        {"model": "wan2.6", "duration": 12, "resolution": "480p"},
        {"model": "wan2.7-image", "prompt": "p", "n": 30, "size": "9000x10"},
        {
            "model": "wan2.7-r2v",
            "prompt": "p",
            "duration": 12,
            "video_urls": ["https://x.test/v.mp4"],
        },
    ],
)
def test_invalid_bodies_get_the_interpreters_violations(
    client: httpx.Client, mock: MockAPI, body: dict[str, Any]
) -> None:
    model = specs().model(body["model"])
    assert model is not None
    verdict = Interpreter(specs()).judge(body)
    assert verdict.errors
    response = client.post(model.endpoint, json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["violations"] == [v.to_dict() for v in verdict.errors]
    assert error["message"] == verdict.errors[0].message
    assert error["param"] == verdict.errors[0].path
    assert mock.tasks == ()


def test_warnings_never_refuse(client: httpx.Client) -> None:
    body = {"model": "wan2.6", "prompt": "p", "resoluton": "720p"}
    assert Interpreter(specs()).judge(body).warnings
    assert client.post("/v1/videos/generations", json=body).status_code == 200


def test_unknown_model_answers_like_the_gateway(client: httpx.Client) -> None:
    response = client.post("/v1/videos/generations", json={"model": "sora-9", "prompt": "p"})
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "get_channel_failed",
            "message": "no available channel for model sora-9",
            "type": "apimart_error",
            "param": "/model",
            "violations": [
                {
                    "path": "/model",
                    "rule": "apimart/model",
                    "message": 'unknown model "sora-9"; known models: viduq3, viduq3-mix, wan2.6, '
                    "wan2.7-image, wan2.7-image-pro, wan2.7-r2v, wan2.7-videoedit",
                }
            ],
        }
    }


def test_a_model_on_the_other_endpoint_is_refused_on_model(client: httpx.Client) -> None:
    response = client.post("/v1/images/generations", json={"model": "wan2.6", "prompt": "p"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", "model")
    assert "/v1/videos/generations" in error["message"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b"\xff\xfe", "not valid JSON"),
        (b'{"model": NaN}', "not valid JSON"),
    ],
)
def test_unreadable_bodies_are_invalid_requests(
    client: httpx.Client, content: bytes, needle: str
) -> None:
    response = client.post("/v1/videos/generations", content=content)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert needle in error["message"]


def test_a_missing_model_is_a_violation(client: httpx.Client) -> None:
    response = client.post("/v1/videos/generations", json={"prompt": "p"})
    assert response.status_code == 400
    assert response.json()["error"]["violations"] == [
        {"path": "/model", "rule": "apimart/model", "message": "model is required"}
    ]


def test_missing_or_malformed_key_is_401(mock: MockAPI) -> None:
    body = {"model": "wan2.6", "prompt": "p"}
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}):
        with mock.client(api_key=None, headers=headers) as client:
            for response in (
                client.post("/v1/videos/generations", json=body),
                client.get("/v1/tasks/task_x"),
                client.post("/v1/uploads/images", files={"file": b"x"}),
            ):
                assert response.status_code == 401
                assert response.json()["error"]["type"] == "authentication_error"
                assert response.json()["error"]["code"] == 401
    assert mock.tasks == ()


def test_named_keys_are_the_only_ones_accepted() -> None:
    mock = MockAPI(specs=specs(), clock=VirtualClock(), api_keys=["good", "also-good"])
    body = {"model": "wan2.6", "prompt": "p"}
    with mock.client(api_key="bad") as client:
        assert client.post("/v1/videos/generations", json=body).status_code == 401
    for key in ("good", "also-good"):
        with mock.client(api_key=key) as client:
            assert client.post("/v1/videos/generations", json=body).status_code == 200


def test_an_idempotency_key_replays_the_first_envelope(client: httpx.Client, mock: MockAPI) -> None:
    body = {"model": "wan2.7-image", "prompt": "p", "n": 2}
    headers = {"Idempotency-Key": "order-1"}
    first = client.post("/v1/images/generations", json=body, headers=headers)
    again = client.post("/v1/images/generations", json=body, headers=headers)
    other = client.post("/v1/images/generations", json=body, headers={"Idempotency-Key": "order-2"})
    assert first.json() == again.json()
    assert other.json()["data"][0]["task_id"] != first.json()["data"][0]["task_id"]
    assert len(mock.tasks) == 2


def test_idempotency_keys_belong_to_their_key_holder(mock: MockAPI) -> None:
    body = {"model": "wan2.6", "prompt": "p"}
    headers = {"Idempotency-Key": "same"}
    with mock.client(api_key="alice") as alice, mock.client(api_key="bob") as bob:
        a = alice.post("/v1/videos/generations", json=body, headers=headers).json()
        b = bob.post("/v1/videos/generations", json=body, headers=headers).json()
    assert a["data"][0]["task_id"] != b["data"][0]["task_id"]
    assert len(mock.tasks) == 2


def test_an_idempotency_key_reused_for_another_request_is_refused_with_422(
    client: httpx.Client, mock: MockAPI
) -> None:
    body = {"model": "wan2.7-image", "prompt": "p"}
    headers = {"Idempotency-Key": "order-1"}
    first = client.post("/v1/images/generations", json=body, headers=headers)
    same = client.post(
        "/v1/images/generations",
        content=b'{ "prompt": "p",  "model": "wan2.7-image" }',  # same value, other bytes
        headers=headers,
    )
    assert first.status_code == same.status_code == 200
    assert same.json() == first.json()
    others: list[tuple[str, dict[str, Any]]] = [
        ("/v1/images/generations", {"json": {**body, "prompt": "another"}}),
        ("/v1/images/generations", {"json": {**body, "model": "wan2.7-image-pro"}}),
        ("/v1/videos/generations", {"json": body}),
        ("/v1/images/generations", {"content": b"not json"}),
        ("/v1/images/generations", {"json": {"model": "wan2.7-image"}}),  # invalid as well
    ]
    for path, options in others:
        response = client.post(path, headers=headers, **options)
        assert response.status_code == 422, (path, options)
        error = response.json()["error"]
        assert (error["type"], error["code"], error["param"]) == (
            "idempotency_error",
            "idempotency_key_reused",
            "Idempotency-Key",
        )
    assert len(mock.tasks) == 1


@pytest.mark.parametrize(
    ("raw", "message", "param"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nests deeper than 64 levels", None),
        (b'{"model": "wan2.6", "prompt": "\\ud800"}', "lone surrogate (\\ud800)", "/prompt"),
        (b'{"model": "wan2.6", "prompt": "p", "seed": 1e400}', "too large", "/seed"),
        (b'{"model": "wan2.6", "prompt": "p", "\\udc00": 1}', "a key holds", "/"),
        (b'{"model": "wan2.6", "metadata": ' + b"[" * 65 + b"]" * 65 + b"}", "nests deeper", None),
        (b'{"model": "wan2.6", "seed": [1, ' + b"9" * 400 + b".5]}", "too large", "/seed/1"),
        (b'{"model": "wan2.6", "seed": -2E+0308}', "too large", "/seed"),
    ],
    ids=[
        "100000-deep",
        "lone-surrogate",
        "1e400",
        "surrogate-key",
        "66-deep",
        "400-digits",
        "-2E+0308",
    ],
)
def test_bodies_json_cannot_carry_are_refused_with_400(
    client: httpx.Client, raw: bytes, message: str, param: str | None
) -> None:
    response = client.post("/v1/videos/generations", content=raw)
    assert response.status_code == 400
    error = response.json()["error"]
    assert message in error["message"]
    assert error.get("param") == param


def test_a_400_lists_at_most_100_violations_and_counts_the_rest(client: httpx.Client) -> None:
    body = {"model": "wan2.7-image", "prompt": "p", "image_urls": ["not a url"] * 150}
    response = client.post("/v1/images/generations", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert len(error["violations"]) == 100
    assert error["more_violations"] == 151 - 100  # 150 bad URLs and one too many images


def test_a_refused_body_does_not_claim_the_idempotency_key(client: httpx.Client) -> None:
    headers = {"Idempotency-Key": "k"}
    bad = client.post("/v1/videos/generations", json={"model": "wan2.6"}, headers=headers)
    good = client.post(
        "/v1/videos/generations", json={"model": "wan2.6", "prompt": "p"}, headers=headers
    )
    assert (bad.status_code, good.status_code) == (400, 200)


def test_every_response_has_its_own_request_id(client: httpx.Client) -> None:
    responses = [
        client.post("/v1/videos/generations", json={"model": "wan2.6", "prompt": "p"}),
        client.post("/v1/videos/generations", json={"model": "nope"}),
        client.get("/v1/tasks/task_unknown"),
        client.get("/nowhere"),
    ]
    ids = [response.headers["x-request-id"] for response in responses]
    assert all(REQUEST_ID.fullmatch(value) for value in ids)
    assert len(set(ids)) == len(ids)


def test_unknown_routes_and_methods(client: httpx.Client) -> None:
    assert client.get("/v1/nothing").status_code == 404
    response = client.get("/v1/videos/generations")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_task_ids_never_repeat_across_restarts_while_the_rest_follows_the_seed() -> None:
    def run(seed: int) -> list[dict[str, Any]]:
        mock = MockAPI(specs=specs(), clock=VirtualClock(), seed=seed)
        with mock.client() as client:
            ids = [
                client.post(
                    "/v1/videos/generations", json={"model": "wan2.6", "prompt": "p"}
                ).json()["data"][0]["task_id"]
                for _ in range(50)
            ]
            return [client.get(f"/v1/tasks/{task_id}").json()["data"] for task_id in ids]

    first, again = run(1), run(1)  # the same mock, restarted with the same seed
    assert len({task["id"] for task in first}) == 50
    assert all(TASK_ID.fullmatch(task["id"]) for task in first + again)
    assert not {task["id"] for task in first} & {task["id"] for task in again}
    assert [{**task, "id": None} for task in first] == [{**task, "id": None} for task in again]
    with MockAPI(specs=specs(), clock=VirtualClock(), seed=1).client() as restarted:
        assert restarted.get(f"/v1/tasks/{first[0]['id']}").status_code == 404
