"""Retries, sync and async: what is retried, how often, how long it waits, and that a POST
never creates a second task."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import apimart
import httpx
import pytest
from test_client_support import FakeAPI

SUBMIT = ("POST", "/v1/videos/generations")
POLL = ("GET", "/v1/tasks/task_000001")


def submit_sync(api: FakeAPI, **options: Any) -> apimart.TaskHandle:
    with api.client(**options) as client:
        return client.wan2_6(prompt="a kite")


async def submit_async(api: FakeAPI, **options: Any) -> apimart.AsyncTaskHandle:
    async with api.async_client(**options) as client:
        return await client.wan2_6(prompt="a kite")


def keys(api: FakeAPI) -> list[str]:
    return [r.headers["idempotency-key"] for r in api.sent(*SUBMIT)]


# -- POST: retried only when nothing can have been created -----------------------------------


def test_a_post_answered_429_is_retried_after_retry_after_with_the_same_key() -> None:
    api = FakeAPI()
    api.fault(*SUBMIT, "429", "429")
    handle = submit_sync(api)
    assert len(api.sent(*SUBMIT)) == 3
    assert len(set(keys(api))) == 1
    assert handle.idempotency_key == keys(api)[0]
    assert api.sleeps == [1.0, 1.0]
    assert len(api.tasks) == 1


def test_a_post_answered_503_is_retried_with_backoff() -> None:
    api = FakeAPI()
    api.fault(*SUBMIT, "503")
    submit_sync(api)
    assert len(api.sent(*SUBMIT)) == 2
    assert len(api.sleeps) == 1 and 0.375 <= api.sleeps[0] <= 0.5


def test_a_post_that_could_not_connect_is_retried_with_the_same_key() -> None:
    api = FakeAPI()
    api.fault(*SUBMIT, "connect", "connect")
    handle = submit_sync(api)
    assert len(api.sent(*SUBMIT)) == 3
    assert set(keys(api)) == {handle.idempotency_key}
    assert 0.375 <= api.sleeps[0] <= 0.5 and 0.75 <= api.sleeps[1] <= 1.0


@pytest.mark.parametrize("fault", ["500", "502", "504"])
def test_a_post_answered_500_502_or_504_is_not_retried(fault: str) -> None:
    api = FakeAPI()
    api.fault(*SUBMIT, fault)
    with pytest.raises(apimart.InternalServerError) as caught:
        submit_sync(api)
    assert len(api.sent(*SUBMIT)) == 1
    assert api.sleeps == []
    assert caught.value.idempotency_key == keys(api)[0]


def test_a_post_whose_connection_dropped_is_sent_once_and_the_error_carries_the_key() -> None:
    api = FakeAPI()
    api.fault(*SUBMIT, "drop")
    with pytest.raises(apimart.APIConnectionError) as caught:
        submit_sync(api)
    assert len(api.sent(*SUBMIT)) == 1
    key = keys(api)[0]
    assert caught.value.idempotency_key == key
    assert f"idempotency_key={key!r}" in str(caught.value)
    assert "RemoteProtocolError" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError)


def test_resubmitting_with_the_key_after_drop_after_returns_the_same_task() -> None:
    api = FakeAPI()
    api.fault(*SUBMIT, "drop-after")
    with api.client() as client:
        with pytest.raises(apimart.APIConnectionError) as caught:
            client.wan2_6(prompt="a kite")
        assert len(api.tasks) == 1
        key = caught.value.idempotency_key
        assert key is not None
        handle = client.wan2_6(prompt="a kite", idempotency_key=key)
    assert list(api.tasks) == [handle.id]
    assert len(api.sent(*SUBMIT)) == 2


def test_a_post_that_timed_out_reading_is_sent_once_as_a_timeout_error() -> None:
    api = FakeAPI()
    api.fault(*SUBMIT, "read-timeout")
    with pytest.raises(apimart.APITimeoutError) as caught:
        submit_sync(api)
    assert len(api.sent(*SUBMIT)) == 1
    assert caught.value.idempotency_key == keys(api)[0]


def test_an_upload_post_follows_the_same_policy() -> None:
    api = FakeAPI()
    api.fault("POST", "/v1/uploads/images", "429", "drop")
    with api.client() as client, pytest.raises(apimart.APIConnectionError):
        client.upload_image(b"GIF89a....")
    sent = api.sent("POST", "/v1/uploads/images")
    assert len(sent) == 2
    assert sent[0].headers["idempotency-key"] == sent[1].headers["idempotency-key"]


# -- GET: retried on anything transient ------------------------------------------------------


@pytest.mark.parametrize(
    "fault", ["500", "502", "503", "504", "429", "drop", "read-timeout", "connect"]
)
def test_a_poll_is_retried_on_transient_failures(fault: str) -> None:
    api = FakeAPI(polls_to_finish=1)
    api.fault(*POLL, fault)
    with api.client() as client:
        task = client.wan2_6(prompt="a kite").wait()
    assert task.succeeded
    assert len(api.sent(*POLL)) == 2
    assert "idempotency-key" not in api.sent(*POLL)[0].headers


def test_retries_stop_after_max_retries() -> None:
    api = FakeAPI()
    api.fault(*POLL, "500", "500", "500", "500")
    with api.client(max_retries=3) as client:
        client.wan2_6(prompt="a kite")
        with pytest.raises(apimart.InternalServerError):
            client.get("task_000001")
    assert len(api.sent(*POLL)) == 4
    assert len(api.sleeps) == 3
    assert [
        0.5 * 0.75 <= api.sleeps[0] <= 0.5,
        0.75 <= api.sleeps[1] <= 1.0,
        1.5 <= api.sleeps[2] <= 2.0,
    ] == [True, True, True]


def test_max_retries_zero_sends_once() -> None:
    api = FakeAPI()
    api.fault(*POLL, "503")
    with api.client(max_retries=0) as client, pytest.raises(apimart.InternalServerError):
        client.get("task_000001")
    assert len(api.sent(*POLL)) == 1
    assert api.sleeps == []


def test_retry_after_as_an_http_date_is_honoured() -> None:
    api = FakeAPI()
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    api.fault(*POLL, f"retry-after={date}")
    with api.client() as client, pytest.raises(apimart.NotFoundError):
        client.get("task_000001")
    assert len(api.sleeps) == 1 and 28 <= api.sleeps[0] <= 30


def test_a_retry_after_beyond_a_minute_is_raised_not_slept() -> None:
    api = FakeAPI()
    api.fault(*POLL, "retry-after=3600")
    with api.client() as client, pytest.raises(apimart.RateLimitError) as caught:
        client.get("task_000001")
    assert caught.value.retry_after == 3600.0
    assert api.sleeps == []
    assert len(api.sent(*POLL)) == 1


def test_retries_are_logged_without_headers(caplog: pytest.LogCaptureFixture) -> None:
    api = FakeAPI()
    api.fault(*SUBMIT, "429")
    with caplog.at_level("INFO", logger="apimart"):
        submit_sync(api)
    (record,) = [r for r in caplog.records if r.name == "apimart"]
    assert record.getMessage() == (
        "retrying POST /v1/videos/generations in 1.00 s (retry 1): HTTP 429"
    )


# -- the same policy in AsyncClient ----------------------------------------------------------


@pytest.mark.anyio
async def test_async_post_after_a_dropped_connection_is_sent_once() -> None:
    api = FakeAPI()
    api.fault(*SUBMIT, "drop")
    with pytest.raises(apimart.APIConnectionError) as caught:
        await submit_async(api)
    assert len(api.sent(*SUBMIT)) == 1
    assert caught.value.idempotency_key == keys(api)[0]


@pytest.mark.anyio
async def test_async_post_answered_429_is_retried_with_the_same_key() -> None:
    api = FakeAPI()
    api.fault(*SUBMIT, "429", "connect")
    handle = await submit_async(api)
    assert len(api.sent(*SUBMIT)) == 3
    assert set(keys(api)) == {handle.idempotency_key}
    assert api.sleeps[0] == 1.0


@pytest.mark.anyio
@pytest.mark.parametrize("fault", ["500", "502", "504", "read-timeout"])
async def test_async_post_is_not_retried_when_a_task_may_exist(fault: str) -> None:
    api = FakeAPI()
    api.fault(*SUBMIT, fault)
    with pytest.raises(apimart.APIMartError) as caught:
        await submit_async(api)
    assert len(api.sent(*SUBMIT)) == 1
    assert caught.value.idempotency_key == keys(api)[0]


@pytest.mark.anyio
async def test_async_poll_is_retried_on_drops_and_5xx() -> None:
    api = FakeAPI(polls_to_finish=1)
    api.fault(*POLL, "drop", "502")
    async with api.async_client() as client:
        task = await (await client.wan2_6(prompt="a kite")).wait()
    assert task.succeeded
    assert len(api.sent(*POLL)) == 3
