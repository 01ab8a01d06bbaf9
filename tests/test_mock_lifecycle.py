"""Task lifecycle on a virtual clock: states, progress, results, downloads, languages."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from apimart_codegen.mock import MockAPI, VirtualClock
from apimart_codegen.mock._lifecycle import RESULT_TTL, nominal_seconds
from apimart_codegen.mock._media import PNG_SIGNATURE
from apimart_codegen.mock._messages import FAILURE_REASONS
from tests.support import run_cli, specs


@pytest.fixture
def mock() -> MockAPI:
    return MockAPI(specs=specs(), clock=VirtualClock(), seed=11)


@pytest.fixture
def client(mock: MockAPI) -> Iterator[httpx.Client]:
    with mock.client() as client:
        yield client


def submit(client: httpx.Client, body: dict[str, Any], **headers: str) -> str:
    model = specs().model(body["model"])
    assert model is not None
    response = client.post(model.endpoint, json=body, headers=headers)
    assert response.status_code == 200, response.text
    task_id: str = response.json()["data"][0]["task_id"]
    return task_id


def poll(client: httpx.Client, task_id: str, **params: str) -> dict[str, Any]:
    response = client.get(f"/v1/tasks/{task_id}", params=params)
    assert response.status_code == 200, response.text
    assert response.json()["code"] == 200
    data: dict[str, Any] = response.json()["data"]
    return data


def run_to_the_end(mock: MockAPI, client: httpx.Client, task_id: str) -> list[dict[str, Any]]:
    """Poll every second of mock time until the task ends; every poll's data, in order."""
    seen = [poll(client, task_id)]
    while seen[-1]["status"] not in ("completed", "failed"):
        mock.advance(1)
        seen.append(poll(client, task_id))
        assert len(seen) < 10_000
    return seen


def test_a_video_task_goes_pending_processing_completed(
    mock: MockAPI, client: httpx.Client
) -> None:
    start = mock.clock.now()
    task_id = submit(client, {"model": "wan2.6", "prompt": "a cat", "duration": 10})
    seen = run_to_the_end(mock, client, task_id)
    statuses = [data["status"] for data in seen]
    assert statuses[0] == "pending"
    assert "processing" in statuses and statuses[-1] == "completed"
    first_processing = statuses.index("processing")
    assert set(statuses[:first_processing]) == {"pending"}
    assert set(statuses[first_processing:-1]) == {"processing"}
    progress = [data["progress"] for data in seen]
    assert progress == sorted(progress)
    assert len(set(progress[first_processing:-1])) > 5
    assert progress[-1] == 100 and max(progress[:-1]) <= 99
    done = seen[-1]
    assert done["id"] == task_id
    assert done["created"] == int(start)
    assert done["completed"] - done["created"] == done["actual_time"]
    assert abs(done["actual_time"] - done["estimated_time"]) <= 1
    assert "error" not in done
    [video] = done["result"]["videos"]
    assert video["expires_at"] == done["completed"] + RESULT_TTL
    [url] = video["url"]
    assert url.startswith(str(client.base_url))
    download = client.get(url)
    assert download.status_code == 200
    assert download.headers["content-type"] == "video/mp4"
    assert download.content[4:12] == b"ftypisom"
    assert struct.unpack(">I", download.content[:4])[0] == 28


@pytest.mark.parametrize("n", [None, 1, 3, 4])
def test_image_tasks_give_n_valid_pngs(mock: MockAPI, client: httpx.Client, n: int | None) -> None:
    body: dict[str, Any] = {"model": "wan2.7-image-pro", "prompt": "a cat"}
    if n is not None:
        body["n"] = n
    done = run_to_the_end(mock, client, submit(client, body))[-1]
    images = done["result"]["images"]
    assert len(images) == (n or 1)
    files = []
    for image in images:
        [url] = image["url"]
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        data = response.content
        assert data[:8] == PNG_SIGNATURE
        assert data[12:16] == b"IHDR"
        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (8, 8)
        assert struct.unpack(">I", data[29:33])[0] == zlib.crc32(data[12:29]) & 0xFFFFFFFF
        files.append(data)
    assert len(set(files)) == len(files)


def test_results_are_not_served_before_completion_nor_after_expiry(
    mock: MockAPI, client: httpx.Client
) -> None:
    task_id = submit(client, {"model": "wan2.7-image", "prompt": "p", "n": 2})
    early = client.get(f"/results/{task_id}/0.png")
    assert early.status_code == 404
    done = run_to_the_end(mock, client, task_id)[-1]
    url = done["result"]["images"][1]["url"][0]
    assert client.get(url).status_code == 200
    assert client.get(url.replace("/1.png", "/2.png")).status_code == 404
    assert client.get(url.replace(".png", ".mp4")).status_code == 404
    mock.advance(RESULT_TTL)
    assert client.get(url).status_code == 404


def test_run_time_grows_with_duration_resolution_and_count() -> None:
    def seconds(body: dict[str, Any]) -> float:
        model = specs().model(body["model"])
        assert model is not None
        return nominal_seconds(model, body)

    short = seconds({"model": "wan2.6", "prompt": "p", "duration": 5})
    assert short == 20 + 4 * 5  # the default resolution, 720p
    assert seconds({"model": "wan2.6", "prompt": "p", "duration": 15}) == 20 + 4 * 15
    assert seconds({"model": "wan2.6", "prompt": "p", "duration": 5, "resolution": "1080p"}) == (
        20 + 4 * 5 * 2.25
    )
    one = seconds({"model": "wan2.7-image", "prompt": "p"})
    assert one == 8 + 6 * 1 * 2  # default size 2K
    assert seconds({"model": "wan2.7-image", "prompt": "p", "n": 4}) == 8 + 6 * 4 * 2
    assert seconds({"model": "wan2.7-image-pro", "prompt": "p", "size": "4K"}) == 8 + 6 * 4
    assert seconds({"model": "wan2.7-image", "prompt": "p", "size": "1024x1024"}) == 8 + 6


def test_estimates_follow_the_formula_within_the_jitter(client: httpx.Client) -> None:
    for body in (
        {"model": "wan2.6", "prompt": "p", "duration": 15, "resolution": "1080p"},
        {"model": "wan2.7-image", "prompt": "p", "n": 4},
    ):
        model = specs().model(body["model"])
        assert model is not None
        nominal = nominal_seconds(model, body)
        estimate = poll(client, submit(client, body))["estimated_time"]
        assert nominal * 0.9 <= estimate <= nominal * 1.1 + 1


def test_speed_divides_every_run_time() -> None:
    body = {"model": "wan2.6", "prompt": "p", "duration": 10}
    runs = {}
    for speed in (1.0, 10.0):
        mock = MockAPI(specs=specs(), clock=VirtualClock(), seed=5, speed=speed)
        with mock.client() as client:
            submit(client, body)
        runs[speed] = mock.tasks[0].run
    assert runs[10.0] == pytest.approx(runs[1.0] / 10)


def test_timings_are_reproducible_from_the_seed_and_task_ids_never() -> None:
    def runs(seed: int) -> tuple[list[float], list[str]]:
        mock = MockAPI(specs=specs(), clock=VirtualClock(), seed=seed)
        with mock.client() as client:
            ids = [submit(client, {"model": "wan2.6", "prompt": "p"}) for _ in range(5)]
        return [task.run for task in mock.tasks], ids

    (first, first_ids), (again, again_ids) = runs(3), runs(3)
    assert first == again
    assert runs(3)[0] != runs(4)[0]
    # as `apimart mock --help` and the README say: no seed repeats a task id
    assert not set(first_ids) & set(again_ids)
    help_text = " ".join(run_cli("mock", "--help").stdout.split())
    assert "seed for timings, failures and request ids; task and upload ids are never reused" in (
        help_text
    )


def test_a_failing_task_reports_its_error_in_the_asked_language(
    mock: MockAPI, client: httpx.Client
) -> None:
    task_id = submit(client, {"model": "wan2.6", "prompt": "p"}, **{"X-Mock-Fault": "fail"})
    seen = run_to_the_end(mock, client, task_id)
    failed = seen[-1]
    assert failed["status"] == "failed"
    assert "result" not in failed and "completed" not in failed
    assert seen[-2]["status"] == "processing"
    assert seen[-2]["progress"] <= failed["progress"] < 100
    reason = next(r for r in FAILURE_REASONS if r.messages["en"] == failed["error"]["message"])
    assert failed["error"]["code"] == reason.code
    for language in ("zh", "ja", "ko"):
        localized = poll(client, task_id, language=language)
        assert localized["error"]["message"] == reason.messages[language]
        assert {k: v for k, v in localized.items() if k != "error"} == {
            k: v for k, v in failed.items() if k != "error"
        }
    assert poll(client, task_id, language="fr")["error"]["message"] == reason.messages["en"]
    assert poll(client, task_id, language="en") == failed


def test_language_changes_nothing_for_a_completed_task(mock: MockAPI, client: httpx.Client) -> None:
    task_id = submit(client, {"model": "wan2.6", "prompt": "p"})
    run_to_the_end(mock, client, task_id)
    assert poll(client, task_id, language="zh") == poll(client, task_id)


def test_failure_rate_fails_tasks_on_their_own() -> None:
    for rate, status in ((1.0, "failed"), (0.0, "completed")):
        mock = MockAPI(specs=specs(), clock=VirtualClock(), failure_rate=rate)
        with mock.client() as client:
            ids = [submit(client, {"model": "wan2.6", "prompt": "p"}) for _ in range(10)]
            mock.advance(10_000)
            assert {poll(client, task_id)["status"] for task_id in ids} == {status}


def test_unknown_tasks_and_tasks_of_other_keys_are_404(mock: MockAPI, client: httpx.Client) -> None:
    task_id = submit(client, {"model": "wan2.6", "prompt": "p"})
    missing = client.get("/v1/tasks/task_0000000000000000000000000Z")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": 404, "message": "task not found", "type": "invalid_request_error"}
    }
    with mock.client(api_key="someone-else") as other:
        assert other.get(f"/v1/tasks/{task_id}").status_code == 404
