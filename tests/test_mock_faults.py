"""Fault injection in process: every fault, counting per request, standing faults."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from apimart_codegen.mock import FAULT_NAMES, Fault, FaultSpecError, MockAPI, VirtualClock
from apimart_codegen.mock._faults import parse_faults
from tests.support import specs

BODY = {"model": "wan2.6", "prompt": "p"}
SUBMIT = "/v1/videos/generations"


@pytest.fixture
def mock() -> MockAPI:
    return MockAPI(specs=specs(), clock=VirtualClock())


@pytest.fixture
def client(mock: MockAPI) -> Iterator[httpx.Client]:
    with mock.client() as client:
        yield client


def test_fault_specs_parse() -> None:
    assert Fault.parse("429") == Fault("429", None)
    assert Fault.parse(" drop-after*3 ") == Fault("drop-after", 3)
    assert str(Fault("slow", 2)) == "slow*2"
    assert parse_faults(["500*1, slow", "fail"]) == (Fault("500", 1), Fault("slow"), Fault("fail"))
    assert set(FAULT_NAMES) == {
        "429",
        "500",
        "502",
        "503",
        "402",
        "slow",
        "drop",
        "drop-after",
        "fail",
    }


@pytest.mark.parametrize("text", ["404", "drop*0", "slow*", "500*x", "500*-1", "", "fail*1.5"])
def test_bad_fault_specs_are_refused(text: str) -> None:
    with pytest.raises(FaultSpecError):
        Fault.parse(text)


@pytest.mark.parametrize(
    ("name", "error_type"),
    [
        ("429", "rate_limit_error"),
        ("500", "server_error"),
        ("502", "bad_gateway"),
        ("503", "service_unavailable"),
        ("402", "payment_required"),
    ],
)
def test_status_faults_answer_with_their_status(
    client: httpx.Client, mock: MockAPI, name: str, error_type: str
) -> None:
    response = client.post(SUBMIT, json=BODY, headers={"X-Mock-Fault": name})
    assert response.status_code == int(name)
    error = response.json()["error"]
    assert (error["code"], error["type"]) == (int(name), error_type)
    assert response.headers["x-request-id"].startswith("req_")
    assert response.headers.get("retry-after") == ("1" if name == "429" else None)
    assert mock.tasks == ()


def test_the_query_parameter_works_like_the_header(client: httpx.Client) -> None:
    assert client.get("/v1/tasks/task_x", params={"mock_fault": "503"}).status_code == 503


def test_times_counts_attempts_of_the_same_method_and_path(client: httpx.Client) -> None:
    fault = {"X-Mock-Fault": "500*2"}
    codes = [client.get("/v1/tasks/task_a", headers=fault).status_code for _ in range(4)]
    assert codes == [500, 500, 404, 404]
    assert client.get("/v1/tasks/task_b", headers=fault).status_code == 500


def test_times_counts_per_idempotency_key(client: httpx.Client, mock: MockAPI) -> None:
    def attempt(key: str) -> int:
        headers = {"X-Mock-Fault": "429*1", "Idempotency-Key": key}
        return client.post(SUBMIT, json=BODY, headers=headers).status_code

    assert [attempt("a"), attempt("a"), attempt("b"), attempt("b"), attempt("a")] == [
        429,
        200,
        429,
        200,
        200,
    ]
    assert len(mock.tasks) == 2


def test_standing_faults_apply_to_every_request() -> None:
    mock = MockAPI(specs=specs(), clock=VirtualClock(), faults=["503*1", Fault("429", 1)])
    with mock.client() as client:
        codes = [client.post(SUBMIT, json=BODY).status_code for _ in range(3)]
        assert codes == [503, 200, 200]  # both hit the first attempt; the first listed decides
        assert client.get("/v1/tasks/task_x").status_code == 503


def test_drop_closes_without_an_answer_and_does_nothing(
    client: httpx.Client, mock: MockAPI
) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(SUBMIT, json=BODY, headers={"X-Mock-Fault": "drop"})
    assert mock.tasks == ()


def test_drop_after_does_the_work_and_a_retry_gets_the_same_task(
    client: httpx.Client, mock: MockAPI
) -> None:
    headers = {"X-Mock-Fault": "drop-after*1", "Idempotency-Key": "retry-me"}
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(SUBMIT, json=BODY, headers=headers)
    assert len(mock.tasks) == 1
    retry = client.post(SUBMIT, json=BODY, headers=headers)
    assert retry.status_code == 200
    assert retry.json()["data"][0]["task_id"] == mock.tasks[0].id
    assert len(mock.tasks) == 1


def test_slow_answers_later_on_the_mock_clock(client: httpx.Client, mock: MockAPI) -> None:
    before = mock.clock.now()
    response = client.post(SUBMIT, json=BODY, headers={"X-Mock-Fault": "slow"})
    assert response.status_code == 200
    assert mock.clock.now() - before == mock.options.slow_seconds
    assert mock.tasks[0].created_at == before + mock.options.slow_seconds


def test_slow_is_scaled_by_speed() -> None:
    mock = MockAPI(specs=specs(), clock=VirtualClock(), speed=10, faults=["slow"])
    before = mock.clock.now()
    with mock.client() as client:
        client.get("/v1/tasks/task_x")
    assert mock.clock.now() - before == pytest.approx(mock.options.slow_seconds / 10)


def test_slow_combines_with_a_status_fault(client: httpx.Client, mock: MockAPI) -> None:
    before = mock.clock.now()
    response = client.get("/v1/tasks/task_x", headers={"X-Mock-Fault": "slow,502"})
    assert response.status_code == 502
    assert mock.clock.now() > before


def test_fail_creates_a_task_that_ends_failed(client: httpx.Client, mock: MockAPI) -> None:
    response = client.post(SUBMIT, json=BODY, headers={"X-Mock-Fault": "fail"})
    assert response.status_code == 200
    task_id = response.json()["data"][0]["task_id"]
    mock.advance(10_000)
    data = client.get(f"/v1/tasks/{task_id}").json()["data"]
    assert data["status"] == "failed"
    assert data["error"]["message"]


def test_a_bad_fault_header_is_a_400(client: httpx.Client, mock: MockAPI) -> None:
    response = client.post(SUBMIT, json=BODY, headers={"X-Mock-Fault": "teapot"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "X-Mock-Fault"
    assert "teapot" in response.json()["error"]["message"]
    assert mock.tasks == ()


@pytest.mark.anyio
async def test_the_async_client_sees_the_same_faults(mock: MockAPI) -> None:
    async with mock.async_client() as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post(SUBMIT, json=BODY, headers={"X-Mock-Fault": "drop"})
        before = mock.clock.now()
        slow = await client.post(SUBMIT, json=BODY, headers={"X-Mock-Fault": "slow"})
        assert slow.status_code == 200 and mock.clock.now() > before
        limited = await client.get("/v1/tasks/task_x", headers={"X-Mock-Fault": "429"})
        assert limited.status_code == 429
