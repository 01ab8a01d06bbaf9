"""apimart_codegen.mock's public surface, and the ASGI app under a server other than uvicorn."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

import apimart_codegen.mock
from apimart_codegen.mock import MockAPI, SystemClock, VirtualClock
from apimart_codegen.mock._asgi import ConnectionDropped
from tests.support import ROOT, specs


def test_all_is_sorted_and_every_name_resolves() -> None:
    names = apimart_codegen.mock.__all__
    assert names == sorted(names, key=lambda name: (not name.isupper(), name))
    for name in names:
        assert getattr(apimart_codegen.mock, name) is not None
    assert set(names) <= set(dir(apimart_codegen.mock))
    with pytest.raises(AttributeError):
        _ = apimart_codegen.mock.MockManager  # type: ignore[attr-defined]


def test_the_apimart_command_does_not_import_the_server() -> None:
    code = "import sys, apimart_codegen.cli as c; c.build_parser(); print('uvicorn' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_virtual_clocks_move_only_forward_and_only_when_told() -> None:
    clock = VirtualClock(start=100.0)
    assert clock.now() == 100.0
    assert clock.wait(5) == 0.0 and clock.now() == 105.0
    clock.sleep(1)
    assert clock.advance(4) == 110.0
    with pytest.raises(ValueError):
        clock.advance(-1)
    assert SystemClock().wait(2.5) == 2.5


def test_advance_needs_a_virtual_clock() -> None:
    with pytest.raises(TypeError):
        MockAPI(specs=specs()).advance(1)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError):
        MockAPI(specs=specs(), speed=0)
    with pytest.raises(ValueError):
        MockAPI(specs=specs(), failure_rate=1.5)
    with pytest.raises(apimart_codegen.mock.FaultSpecError):
        MockAPI(specs=specs(), faults=["404"])


@pytest.mark.anyio
async def test_the_app_is_plain_asgi() -> None:
    mock = MockAPI(specs=specs(), clock=VirtualClock())
    transport = httpx.ASGITransport(app=mock.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://asgi.test", headers={"Authorization": "Bearer k"}
    ) as client:
        response = await client.post(
            "/v1/videos/generations", json={"model": "wan2.6", "prompt": "p"}
        )
        assert response.status_code == 200
        mock.advance(10_000)
        data = (await client.get(f"/v1/tasks/{mock.tasks[0].id}")).json()["data"]
        assert data["result"]["videos"][0]["url"][0].startswith("http://asgi.test/results/")
        # Without uvicorn's abort (AbortableH11Protocol) a drop can only be an app error.
        with pytest.raises(ConnectionDropped):
            await client.get("/v1/tasks/x", headers={"X-Mock-Fault": "drop"})
