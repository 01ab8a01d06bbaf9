"""``apimart mock`` as a user runs it: a separate process that prints its URL and stops on ^C."""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.support import MockProcess, run_cli


@pytest.fixture
def mock_process() -> Iterator[MockProcess]:
    process = MockProcess("--speed", "1000", "--seed", "4")
    yield process
    if process.process.poll() is None:
        process.process.kill()
        process.process.wait()


def test_it_prints_its_url_answers_and_stops_on_ctrl_c(mock_process: MockProcess) -> None:
    with httpx.Client(
        base_url=mock_process.url, trust_env=False, headers={"Authorization": "Bearer k"}
    ) as client:
        response = client.post("/v1/videos/generations", json={"model": "wan2.6", "prompt": "p"})
        assert response.status_code == 200
        task_id = response.json()["data"][0]["task_id"]
        assert client.get(f"/v1/tasks/{task_id}").json()["data"]["id"] == task_id
        assert client.get("/v1/tasks/task_x", headers={"Authorization": ""}).status_code == 401
    code, out, err = mock_process.stop()
    assert code == 0
    assert "mock stopped" in out
    assert "Traceback" not in err


@pytest.mark.parametrize("moment", ["starting", "serving", "twice"])
def test_sigterm_stops_it_cleanly_at_any_moment(moment: str) -> None:
    """The URL line comes before uvicorn starts, so "starting" signals mid-startup; "twice"
    sends a second SIGTERM while the first shutdown runs. Every path must end the same."""
    process = MockProcess()
    if moment != "starting":
        with httpx.Client(base_url=process.url, trust_env=False) as client:
            assert client.get("/v1/tasks/t", headers={"Authorization": "Bearer k"}).status_code
    if moment == "twice":
        process.process.send_signal(signal.SIGTERM)
    code, out, err = process.stop(signal.SIGTERM)
    assert (code, out.splitlines()[-1], err) == (0, "mock stopped", "")


def test_the_stop_handler_only_asks_the_server_to_exit() -> None:
    from apimart_codegen.mock.cli import _Stop

    stop = _Stop()
    stop(signal.SIGTERM, None)  # before the server exists: remembered, nothing raised
    assert stop.requested

    class Server:
        should_exit = False

    stop.server = Server()  # type: ignore[assignment]
    stop(signal.SIGTERM, None)
    assert stop.server.should_exit is True


def test_keys_and_faults_given_at_start_apply() -> None:
    process = MockProcess("--api-key", "secret", "--fault", "503*1")
    try:
        with httpx.Client(base_url=process.url, trust_env=False) as client:
            good = {"Authorization": "Bearer secret"}
            assert client.get("/v1/tasks/task_x", headers=good).status_code == 503
            assert client.get("/v1/tasks/task_x", headers=good).status_code == 404
            wrong = {"Authorization": "Bearer guess"}
            assert client.get("/v1/tasks/task_y", headers=wrong).status_code == 503
            assert client.get("/v1/tasks/task_y", headers=wrong).status_code == 401
    finally:
        code, _, err = process.stop()
    assert code == 0 and "Traceback" not in err


def test_a_taken_port_exits_2_with_a_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("mock", "--port", str(port), timeout=30)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--fault", "teapot"], "unknown fault 'teapot'"),
        (["--fault", "500*0"], "whole number >= 1"),
        (["--speed", "0"], "greater than 0"),
        (["--speed", "fast"], "not a number"),
        (["--port", "70000"], "0-65535"),
        (["--failure-rate", "2"], "between 0 and 1"),
        (["--api-key", ""], "an API key cannot be empty"),
        (["--api-key", " "], "an API key cannot be empty"),
        (["--api-key", "sk one"], "cannot contain spaces"),
    ],
)
def test_bad_options_exit_2_without_a_traceback(args: list[str], needle: str) -> None:
    result = run_cli("mock", *args, timeout=30)
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
