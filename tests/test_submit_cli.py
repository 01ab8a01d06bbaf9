"""``apimart submit`` against the in-memory API: exit codes, text and JSON output, waiting,
downloads, and the key never printed."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import apimart
import pytest
from test_client_support import BASE, FILES, KEY, FakeAPI, result_bytes

from apimart_codegen import submit
from apimart_codegen.cli import main

BODY = {"model": "wan2.6", "prompt": "a red kite over a grey sea"}


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> FakeAPI:
    fake = FakeAPI(polls_to_finish=2)
    opened: list[str | None] = []

    def open_client(*, api_key: str, base_url: str | None) -> apimart.Client:
        opened.append(base_url)
        return fake.client(api_key=api_key, base_url=base_url or BASE)

    monkeypatch.setattr(submit, "open_client", open_client)
    monkeypatch.setenv("APIMART_API_KEY", KEY)
    fake.opened = opened  # type: ignore[attr-defined]
    return fake


def body_file(tmp_path: Path, body: Any = BODY) -> str:
    path = tmp_path / "body.json"
    path.write_text(json.dumps(body) if not isinstance(body, str) else body, encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["submit", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert KEY not in out + err
    return code, out, err


def test_a_valid_body_is_submitted_and_its_task_id_printed(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, body_file(tmp_path))
    assert code == 0
    assert out == "submitted task_000001 (wan2.6): submitted\n"
    assert err == ""
    assert json.loads(api.requests[0].content) == BODY
    assert len(api.requests) == 1


def test_json_output_has_exactly_the_documented_fields(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, body_file(tmp_path), "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "task_id": "task_000001",
        "status": "submitted",
        "progress": None,
        "results": [],
        "files": [],
        "error": None,
    }


def test_wait_and_out_download_the_results(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "results"
    code, out, err = run(
        capsys,
        body_file(tmp_path),
        "--wait",
        "--out",
        str(out_dir),
        "--format",
        "json",
        "--poll-interval",
        "1",
    )
    assert code == 0
    saved = out_dir / "task_000001-0.mp4"
    assert json.loads(out) == {
        "task_id": "task_000001",
        "status": "completed",
        "progress": 100,
        "results": [f"{FILES}/task_000001/out-0.mp4"],
        "files": [str(saved)],
        "error": None,
    }
    assert saved.read_bytes() == result_bytes("/task_000001/out-0.mp4")
    assert err == ""  # no progress lines in JSON mode when stderr is not a terminal


def test_out_implies_wait_and_text_mode_prints_progress_lines(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, body_file(tmp_path), "--out", str(tmp_path / "r"))
    assert code == 0
    assert out.splitlines() == [
        "submitted task_000001 (wan2.6): submitted",
        f"result: {FILES}/task_000001/out-0.mp4",
        f"saved: {tmp_path / 'r' / 'task_000001-0.mp4'}",
    ]
    assert err.splitlines() == ["task_000001: processing 50%", "task_000001: completed 100%"]
    assert api.sleeps == [3.0]


def test_a_failed_task_exits_1_with_its_error(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.outcome = "failed"
    code, out, err = run(capsys, body_file(tmp_path), "--wait", "--format", "json")
    assert code == 1
    result = json.loads(out)
    assert (result["status"], result["results"]) == ("failed", [])
    assert result["error"] == "task task_000001 ended failed: content policy violation"
    assert "content policy violation" in err


def test_an_invalid_body_exits_1_and_sends_nothing(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, body_file(tmp_path, {**BODY, "duration": 7}))
    assert code == 1
    assert out == ""
    assert api.requests == []
    assert "/duration: duration must be one of 5, 10, 15, got 7" in err


def test_no_validate_sends_it_and_the_servers_violations_are_shown(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, body_file(tmp_path, {**BODY, "duration": 7}), "--no-validate", "--format", "json"
    )
    assert code == 1
    assert len(api.requests) == 1
    assert err.startswith("apimart submit: duration must be one of 5, 10, 15")
    error = json.loads(out)["error"]
    assert error.startswith("duration must be one of 5, 10, 15, got 7 (HTTP 400, request id ")
    assert "\n  /duration: duration must be one of 5, 10, 15, got 7 [wan2.6/duration-enum]" in error


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"model": "sora-9", "prompt": "x"}, "unknown model"),
        ("[1, 2]", "must be a JSON object"),
        ("{not json", "malformed JSON"),
    ],
)
def test_unknown_models_and_unreadable_bodies_exit_2(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: Any, message: str
) -> None:
    code, out, err = run(capsys, body_file(tmp_path, body))
    assert code == 2
    assert out == ""
    assert message in err
    assert api.requests == []


def test_a_missing_file_exits_2(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, str(tmp_path / "nope.json"))
    assert code == 2
    assert "cannot read" in err


def test_a_missing_key_exits_2_with_a_clear_message(
    api: FakeAPI,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("APIMART_API_KEY")
    code, out, err = run(capsys, body_file(tmp_path), "--format", "json")
    assert code == 2
    assert "set the APIMART_API_KEY environment variable" in err
    assert json.loads(out)["error"].startswith("no API key")
    assert api.requests == []


def test_a_connection_failure_exits_2(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.fault("POST", "/v1/videos/generations", "connect", "connect", "connect")
    code, _, err = run(capsys, body_file(tmp_path))
    assert code == 2
    assert "ConnectError" in err
    assert len(api.requests) == 3


def test_a_rejected_key_is_never_printed_even_when_the_server_echoes_it(
    api: FakeAPI,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api.echo_key_in_errors = True
    monkeypatch.setenv("APIMART_API_KEY", "sk-other-secret-key")
    code, out, err = run(capsys, body_file(tmp_path), "--format", "json")
    assert code == 1
    assert "sk-other-secret-key" not in out + err
    assert "invalid api key: Bearer [redacted]" in json.loads(out)["error"]


def test_standard_input_and_base_url_are_used(
    api: FakeAPI, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(BODY).encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = run(capsys, "-", "--base-url", "https://api.apimart.test")
    assert code == 0
    assert out == "submitted task_000001 (wan2.6): submitted\n"
    assert api.opened == ["https://api.apimart.test"]  # type: ignore[attr-defined]


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["submit", "--format", "yaml", "x.json"])
    assert caught.value.code == 2


def test_progress_rewrites_one_line_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = submit.Progress(stream, enabled=True)
    for status, percent in (("processing", 40), ("completed", 100)):
        progress(apimart.Task.from_dict({"id": "t1", "status": status, "progress": percent}))
    progress.end()
    assert stream.getvalue() == "\rt1: processing 40%\rt1: completed 100%\n"


def test_idempotency_key_is_sent_and_a_resubmission_finds_the_same_task(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = body_file(tmp_path)
    first = run(capsys, path, "--idempotency-key", "order-7")
    again = run(capsys, path, "--idempotency-key", "order-7")
    assert first == again == (0, "submitted task_000001 (wan2.6): submitted\n", "")
    assert [r.headers["idempotency-key"] for r in api.requests] == ["order-7", "order-7"]
    assert len(api.tasks) == 1


def test_a_dropped_submission_says_how_to_resubmit_safely(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.fault("POST", "/v1/videos/generations", "drop-after")
    code, _, err = run(capsys, body_file(tmp_path))
    key = api.requests[0].headers["idempotency-key"]
    assert code == 2
    assert err.endswith(f"\n  resubmit safely with: --idempotency-key {key}\n")


def test_wait_follows_a_task_by_id_and_downloads(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, body_file(tmp_path))
    code = main(["wait", "task_000001", "--out", str(tmp_path / "r"), "--poll-interval", "1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "saved: " in out and "Traceback" not in err
    assert len(list((tmp_path / "r").iterdir())) == 1
    assert all(r.method == "GET" for r in api.requests[1:])


def test_wait_for_an_unknown_task_exits_1_with_the_servers_message(
    api: FakeAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["wait", "task_nope", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert json.loads(out)["task_id"] == "task_nope"
    assert err.startswith("apimart wait: task not found")


@pytest.mark.parametrize("command", ["submit", "wait"])
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--poll-interval", "0"),
        ("--poll-interval", "-1"),
        ("--poll-interval", "nan"),
        ("--timeout", "-5"),
        ("--timeout", "nan"),
        ("--timeout", "inf"),
    ],
)
def test_senseless_intervals_and_timeouts_are_usage_errors(
    command: str, option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = "body.json" if command == "submit" else "task_1"
    with pytest.raises(SystemExit) as caught:
        main([command, target, option, value])
    _, err = capsys.readouterr()
    assert caught.value.code == 2
    assert f"argument {option}: must be a number of seconds greater than 0, got {value}" in err


def test_submit_out_twice_into_one_folder_keeps_both_results(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "results"
    for _ in range(2):
        code, _, _ = run(capsys, body_file(tmp_path), "--out", str(out_dir), "--poll-interval", "1")
        assert code == 0
    saved = sorted(out_dir.iterdir())
    assert [p.name for p in saved] == ["task_000001-0.mp4", "task_000002-0.mp4"]
    assert [p.read_bytes() for p in saved] == [
        result_bytes("/task_000001/out-0.mp4"),
        result_bytes("/task_000002/out-0.mp4"),
    ]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"model": "wan2.6", "prompt": "\\ud800"}', "/prompt: a string holds a lone surrogate"),
        ('{"model": "wan2.6", "prompt": "p", "seed": 1e400}', "/seed: a number too large"),
    ],
    ids=["lone-surrogate", "1e400"],
)
def test_a_body_json_cannot_carry_exits_2_and_sends_nothing(
    api: FakeAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, needle: str
) -> None:
    code, _, err = run(capsys, body_file(tmp_path, text), "--no-validate")
    assert code == 2
    assert needle in err
    assert api.requests == []
