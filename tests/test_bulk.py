"""``validate --jsonl`` (apimart_codegen.bulk): the same result lines as reading each line with
``payloads.parse`` and validating it, with or without orjson, in one process or several."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import apimart
import pytest

from apimart_codegen import bulk
from apimart_codegen.payloads import PayloadError, parse
from tests.support import run_cli

VALID = {"model": "wan2.6", "prompt": "a kite"}
LINES = [
    json.dumps(VALID).encode(),
    json.dumps({**VALID, "duration": 7}).encode(),  # invalid
    json.dumps({**VALID, "resoluton": "720p"}).encode(),  # a warning
    b'{"model": "sora-9", "prompt": "p"}',  # unknown model
    b"[1, 2]",  # not an object
    b'{"model": "wan2.6", ',  # malformed
    b'{"model": "wan2.6", "prompt": "p", "seed": NaN}',
    b'{"model": "wan2.6", "prompt": "p", "seed": 1e400}',  # infinity
    b'{"model": "wan2.6", "prompt": "p", "seed": 1e100}',  # finite, looks suspect
    b'{"model": "wan2.6", "prompt": "p", "seed": 1.5E+400}',
    b'{"model": "wan2.6", "prompt": "\\u00e9 \\"q\\" \\\\ \\n", "x": 1}',  # escapes out
    b'{"model": "wan2.6", "prompt": "\\ud800"}',  # a lone surrogate
    b'{"model": "wan2.6", "prompt": "\\u00e9t\\u00e9"}',  # fine escapes
    b'{"model": "wan2.6", "prompt": "p", "seed": 100000000000000000000000000000}',  # big int
    b'{"model": "wan2.6", "prompt": "p", "seed": ' + b"1" * 400 + b"}",
    b'{"model": "wan2.6", "prompt": "p", "x": ' + b"[" * 70 + b"]" * 70 + b"}",  # too deep
    b'{"model": "wan2.6", "prompt": "p", "x": ' + b"[" * 60 + b"]" * 60 + b"}",  # deep, fine
    b'{"model": "wan2.6", "prompt": "' + b"[" * 70 + b'"}',  # brackets in a string
    b'\xef\xbb\xbf{"model": "wan2.6", "prompt": "p"}',  # a byte order mark
    b'{"model": "wan2.6", "prompt": "\xff"}',  # not UTF-8
    b'{"model": "wan2.6", "prompt": "p", "prompt": "q", "seed": 5.0}',  # duplicate key
    b'{"model": "wan2.6", "prompt": "p", "seed": -0}\r',
    b"   ",
    b'"just a string"',
    b"null",
]


def _file(tmp_path: Path, lines: list[bytes]) -> str:
    path = tmp_path / "bodies.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return str(path)


def _reference(source: str) -> tuple[str, list[int]]:
    """What reading each line with payloads.parse and validating it gives."""
    out, counts = [], [0, 0, 0]
    with open(source, "rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                payload = parse(raw.rstrip(b"\r\n"), where=source, line=number)
            except PayloadError as exc:
                counts[2] += 1
                result = bulk._unreadable(number, str(exc))
            else:
                report = apimart.validate(payload)
                result = {"line": number, **report.to_dict()}
                counts[0 if report.valid else 1 if report.model is not None else 2] += 1
            out.append(json.dumps(result, ensure_ascii=False) + "\n")
    return "".join(out), counts


def _run(source: str, **options: object) -> tuple[str, list[int]]:
    out = io.StringIO()
    counts = bulk.validate_lines(source, apimart.validate, out, **options)  # type: ignore[arg-type]
    return out.getvalue(), counts


@pytest.mark.parametrize("use_orjson", [False, True], ids=["stdlib", "orjson"])
def test_every_line_gets_the_verdict_and_message_of_the_careful_reading(
    tmp_path: Path, use_orjson: bool
) -> None:
    if use_orjson:  # the dev extra installs it: the fast path must really be taken
        assert bulk._fast_loads() is not None
    source = _file(tmp_path, LINES)
    expected = _reference(source)
    assert expected[1] == [10, 3, 11]  # the corpus reaches every verdict
    assert _run(source, use_orjson=use_orjson) == expected


@pytest.mark.parametrize("chunk", [1, 3])
def test_a_chunk_screened_as_a_whole_gives_the_same_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Chunks with no escape and no long number skip those per-line looks; the rest keep them."""
    monkeypatch.setattr(bulk, "CHUNK", chunk)
    source = _file(tmp_path, LINES)
    assert _run(source) == _reference(source)


def test_the_fast_parsers_agree_line_by_line(tmp_path: Path) -> None:
    source = _file(tmp_path, LINES)
    assert _run(source, use_orjson=True) == _run(source, use_orjson=False)


def test_jobs_keep_the_order_of_the_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 7)  # many chunks, several in flight
    lines = [line for _ in range(12) for line in LINES]
    source = _file(tmp_path, lines)
    out, counts = _run(source, jobs=2)
    assert (out, counts) == _reference(source)
    numbers = [json.loads(line)["line"] for line in out.splitlines()]
    assert numbers == sorted(numbers) and len(numbers) == 12 * (len(LINES) - 1)


def test_a_long_run_of_chunks_stays_bounded_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []

    def work() -> object:
        for n in range(50):
            seen.append(n)
            yield [(n + 1, json.dumps(VALID).encode())]

    results = bulk._in_workers(work(), "mem", 2, False)  # type: ignore[arg-type]
    first = next(results)
    assert first[1] == [1, 0, 0]
    assert len(seen) <= 5  # 2 per worker in flight, plus the one just read
    assert len(list(results)) == 49


def test_jobs_are_at_most_one_per_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert [bulk.default_jobs(n) for n in (0, 1, 3, 4, 99999)] == [4, 1, 3, 4, 4]


@pytest.mark.parametrize("jobs", ["-1", "two", "1.5"])
def test_a_bad_jobs_value_is_a_usage_error(jobs: str, tmp_path: Path) -> None:
    done = run_cli("validate", "--jsonl", "--jobs", jobs, _file(tmp_path, LINES[:1]))
    assert done.returncode == 2
    assert "argument --jobs:" in done.stderr and "Traceback" not in done.stderr


HUGE_LINES = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from apimart_codegen.cli import main
sys.exit(main(["validate", "--jsonl", "--jobs", sys.argv[2], sys.argv[1]]))
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_memory_is_bounded_by_bytes_not_lines(tmp_path: Path, jobs: str) -> None:
    # 48 lines of 9.5 MB each (456 MB) under a 700 MB address-space cap: chunks of 2,000
    # lines held them all at once (and a joined copy): a MemoryError
    path = tmp_path / "huge.jsonl"
    line = b'{"model": "wan2.6", "prompt": "' + b"k" * 9_500_000 + b'"}\n'
    with path.open("wb") as file:
        for _ in range(48):
            file.write(line)
    too_long = b'{"model": "wan2.6", "prompt": "' + b"k" * 30_000_000 + b'"}\n'
    with path.open("ab") as file:
        file.write(too_long + json.dumps(VALID).encode() + b"\n")
    script = HUGE_LINES.format(limit=700 * 1024 * 1024)
    result = subprocess.run(
        [sys.executable, "-c", script, str(path), jobs],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert "MemoryError" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert result.stderr == "50 line(s): 49 valid, 0 invalid, 1 unreadable or of unknown model\n"
    assert result.returncode == 2
    lines = [json.loads(text) for text in result.stdout.splitlines()]
    assert [entry["line"] for entry in lines] == list(range(1, 51))
    assert all(entry["valid"] for entry in lines[:48])
    assert "over the 10,485,760-byte limit" in lines[48]["errors"][0]["message"]
    assert lines[49]["valid"] is True
