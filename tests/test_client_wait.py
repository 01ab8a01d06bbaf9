"""``wait()`` rides out an outage: failed polls back off inside the wait budget.

The fake server's clock is the sum of the client's sleeps, so no test waits for real.
"""

from __future__ import annotations

import asyncio

import apimart
import pytest
from test_client_support import FakeAPI

POLL = "/v1/tasks/task_000001"


def _client(api: FakeAPI) -> apimart.Client:
    client = api.client(max_retries=0)
    client._clock = lambda: sum(api.sleeps)
    return client


def test_polls_failing_for_a_while_are_ridden_out_with_growing_pauses() -> None:
    api = FakeAPI(polls_to_finish=2)
    with _client(api) as client:
        handle = client.submit({"model": "wan2.6", "prompt": "p"})
        api.fault("GET", POLL, "connect", "read-timeout", "503", "drop", "connect", "connect")
        task = client.wait(handle.id, timeout=600, poll_interval=1)
    assert task.succeeded
    assert len(api.sent("GET", POLL)) == 6 + 2
    pauses = api.sleeps[:6]
    assert all(pause >= 1 for pause in pauses)
    assert pauses[-1] > pauses[0]  # backing off: 1-2 s, then up to 8 s
    assert max(pauses) <= 8


def test_an_outage_longer_than_the_budget_ends_in_wait_timeout_with_the_last_error() -> None:
    api = FakeAPI(polls_to_finish=2)
    with _client(api) as client:
        handle = client.submit({"model": "wan2.6", "prompt": "p"})
        api.fault("GET", POLL, *["connect"] * 1000)
        with pytest.raises(apimart.WaitTimeoutError) as caught:
            client.wait(handle.id, timeout=120, poll_interval=3)
    assert sum(api.sleeps) == pytest.approx(120)  # the whole budget, not 2 s of it
    assert isinstance(caught.value.last_error, apimart.APIConnectionError)
    assert "the last poll failed" in str(caught.value)
    assert len(api.sent("GET", POLL)) > 15


def test_errors_that_will_not_pass_are_raised_at_once() -> None:
    api = FakeAPI()
    with _client(api) as client, pytest.raises(apimart.NotFoundError):
        client.wait("task_unknown", timeout=600)
    assert api.sleeps == []


def test_the_async_client_rides_out_an_outage_too() -> None:
    api = FakeAPI(polls_to_finish=2)

    async def scenario() -> apimart.Task:
        async with api.async_client(max_retries=0) as client:
            client._clock = lambda: sum(api.sleeps)
            handle = await client.submit({"model": "wan2.6", "prompt": "p"})
            api.fault("GET", POLL, "connect", "502", "connect")
            return await client.wait(handle.id, timeout=600, poll_interval=2)

    assert asyncio.run(scenario()).succeeded
    assert len(api.sent("GET", POLL)) == 3 + 2


@pytest.mark.parametrize(
    ("timeout", "poll_interval"),
    [(600, 0), (600, -1), (600, float("nan")), (-5, 3), (float("nan"), 3), (600, float("inf"))],
)
def test_wait_refuses_intervals_and_timeouts_that_make_no_sense(
    timeout: float, poll_interval: float
) -> None:
    api = FakeAPI()
    with _client(api) as client, pytest.raises(ValueError):
        client.wait("task_000001", timeout=timeout, poll_interval=poll_interval)
    assert api.requests == []
