"""``apimart validate --jsonl``: one request body per line, one JSON result per line.

Built for throughput, with the verdicts and messages of ``payloads.parse`` and the
generated validators unchanged:

* a line is parsed by orjson when it is installed (the ``fast`` extra), else by the
  standard library; whatever the fast path refuses or cannot vouch for is read again by
  ``payloads.parse``, so both paths give the same verdict and the same message;
* the depth and "unsendable" walks run only when the raw line could need them (more
  brackets than the depth limit; a ``\\u`` escape, which is how a lone surrogate gets in;
  a number that could overflow to infinity, or that orjson reads otherwise); escapes and
  long numbers are looked for once per chunk, and per line only in a chunk that has some;
* a valid body's result line is formatted directly, results are written a chunk at a time;
* lines are read in chunks of at most CHUNK lines and about CHUNK_BYTES bytes, and no line
  is held past MAX_BYTES + 1 bytes (the rest of a longer one is skipped unread: it is
  refused as too large all the same), so memory is bounded by bytes, not lines;
* ``jobs > 1`` validates chunks in worker processes, at most 2 chunks per worker in flight
  (memory stays flat on any file size and any line length), results written in input order.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring as _quote  # as json.dumps quotes a str
from typing import Any, BinaryIO, TextIO

from apimart_codegen.payloads import MAX_BYTES, PayloadError, may_nest_too_deep, open_source, parse

CHUNK = 2000
"""The most lines per chunk: per write, and per task of a worker process."""
CHUNK_BYTES = 4 * 1024 * 1024
"""A chunk ends once its lines hold this many bytes: one chunk holds at most about
CHUNK_BYTES + MAX_BYTES bytes of input, however long its lines."""

Validate = Callable[[object], Any]
Counts = list[int]
"""valid, invalid, unreadable (or of an unknown model)."""

_NUMBERS = bytes.maketrans(b"123456789E", b"000000000e")
"""Every digit read as 0, and E as e: numbers in a line become easy to look for."""
_LONG_INTEGER = b"0" * 19


def _maybe_huge(raw: bytes) -> bool:
    """Whether ``raw`` may hold a number that overflows to infinity (an exponent of three
    digits or more), or an integer past 64 bits (19 digits in a row), which orjson reads as
    a float where json keeps an int. Text in strings that looks so costs only a second,
    careful reading."""
    shape = raw.translate(_NUMBERS)
    return b"0e000" in shape or b"0e+000" in shape or _LONG_INTEGER in shape


def _fast_loads() -> Callable[[bytes], object] | None:
    try:
        import orjson
    except ImportError:
        return None
    return orjson.loads  # type: ignore[no-any-return]


def _stdlib_loads(raw: bytes) -> object:
    return json.loads(raw.decode("utf-8"), parse_constant=_refuse)


def _refuse(name: str) -> object:
    raise ValueError(name)


class LineJudge:
    """Turns raw lines into result lines, counting the verdicts."""

    def __init__(self, validate: Validate, where: str, *, use_orjson: bool = True) -> None:
        self.validate = validate
        self.where = where
        self.loads = (_fast_loads() if use_orjson else None) or _stdlib_loads
        self.models: dict[str, str] = {}
        """A model name → the start of its valid result's JSON, made once."""

    def value(self, raw: bytes, number: int, *, screened: bool = False) -> object:
        """The body on one line; PayloadError as ``payloads.parse`` words it. ``screened``:
        the line's chunk holds no ``\\u`` escape and no number that could overflow, so
        only the line's own size, byte order mark and brackets are left to look at."""
        suspect = (
            len(raw) > MAX_BYTES
            or raw.startswith(b"\xef\xbb\xbf")  # a byte order mark: parse() drops it
            or may_nest_too_deep(raw)
            or (not screened and (b"\\u" in raw or _maybe_huge(raw)))
        )
        if not suspect:
            try:
                return self.loads(raw)
            except (ValueError, RecursionError):  # orjson's JSONDecodeError is a ValueError
                pass
        return parse(raw, where=self.where, line=number)

    def judge(self, lines: Iterable[tuple[int, bytes]], counts: Counts) -> str:
        """The result lines of ``lines`` (number, raw bytes without the newline), joined."""
        out = []
        validate, dumps = self.validate, json.dumps
        lines = list(lines)
        joined = b"\n".join(raw for _, raw in lines)  # looked through once, not per line
        screened = b"\\u" not in joined and not _maybe_huge(joined)
        for number, raw in lines:
            try:
                payload = self.value(raw, number, screened=screened)
            except PayloadError as exc:
                counts[2] += 1
                out.append(dumps(_unreadable(number, str(exc)), ensure_ascii=False))
                continue
            report = validate(payload)
            if not report.errors:
                counts[0] += 1
                if report.model is not None and not report.warnings:
                    out.append(f'{{"line": {number}, {self._valid(report.model)}')
                    continue
            else:
                counts[1 if report.model is not None else 2] += 1
            out.append(_result(number, report))
        return "".join(line + "\n" for line in out)

    def _valid(self, model: str) -> str:
        text = self.models.get(model)
        if text is None:
            text = json.dumps(
                {"valid": True, "model": model, "errors": [], "warnings": []}, ensure_ascii=False
            )[1:]
            self.models[model] = text
        return text


def _result(number: int, report: Any) -> str:
    """``json.dumps({"line": number, **report.to_dict()}, ensure_ascii=False)``, written out."""
    model = "null" if report.model is None else _quote(report.model)
    return (
        f'{{"line": {number}, "valid": {"false" if report.errors else "true"}, '
        f'"model": {model}, "errors": {_violations(report.errors)}, '
        f'"warnings": {_violations(report.warnings)}}}'
    )


def _violations(violations: Iterable[Any]) -> str:
    return (
        "["
        + ", ".join(
            f'{{"path": {_quote(v.path)}, "rule": {_quote(v.rule)}, '
            f'"message": {_quote(v.message)}}}'
            for v in violations
        )
        + "]"
    )


def _unreadable(number: int, message: str) -> dict[str, object]:
    return {
        "line": number,
        "valid": False,
        "model": None,
        "errors": [{"path": "", "rule": "apimart/unreadable", "message": message}],
        "warnings": [],
    }


def chunks(stream: BinaryIO) -> Iterator[list[tuple[int, bytes]]]:
    """Non-blank lines, numbered from 1, without their line ending, at most CHUNK lines and
    about CHUNK_BYTES bytes at a time."""
    chunk: list[tuple[int, bytes]] = []
    size = 0
    for number, raw in enumerate(_lines(stream), start=1):
        if raw.isspace():
            continue
        chunk.append((number, raw.rstrip(b"\r\n")))
        size += len(raw)
        if len(chunk) == CHUNK or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    """Every line of ``stream``, cut at MAX_BYTES + 1 bytes (enough to be refused as too
    large); the rest of a longer line is read in pieces and dropped."""
    limit = MAX_BYTES + 1
    while True:
        raw = stream.readline(limit)
        if not raw:
            return
        if len(raw) == limit and not raw.endswith(b"\n"):
            while True:  # skip the rest of this line, a bounded piece at a time
                rest = stream.readline(limit)
                if not rest or rest.endswith(b"\n"):
                    break
        yield raw


def validate_lines(
    source: str, validate: Validate, out: TextIO, *, jobs: int = 1, use_orjson: bool = True
) -> Counts:
    """Validate every line of ``source`` (a path or ``-``), writing one result per line."""
    stream, where = open_source(source)
    counts: Counts = [0, 0, 0]
    try:
        if jobs <= 1:
            judge = LineJudge(validate, where, use_orjson=use_orjson)
            for chunk in chunks(stream):
                out.write(judge.judge(chunk, counts))
        else:
            for text, found in _in_workers(chunks(stream), where, jobs, use_orjson):
                out.write(text)
                counts = [a + b for a, b in zip(counts, found, strict=True)]
    finally:
        if source != "-":
            stream.close()
    return counts


# -- worker processes ---------------------------------------------------------------------

_JUDGE: LineJudge | None = None


def _start_worker(where: str, use_orjson: bool) -> None:
    global _JUDGE
    import apimart

    _JUDGE = LineJudge(apimart.validate, where, use_orjson=use_orjson)


def _judge_chunk(chunk: list[tuple[int, bytes]]) -> tuple[str, Counts]:
    assert _JUDGE is not None
    counts: Counts = [0, 0, 0]
    return _JUDGE.judge(chunk, counts), counts


def _in_workers(
    work: Iterator[list[tuple[int, bytes]]], where: str, jobs: int, use_orjson: bool
) -> Iterator[tuple[str, Counts]]:
    """Each chunk's results, in input order; at most 2 chunks per worker in flight."""
    import multiprocessing

    with multiprocessing.Pool(jobs, _start_worker, (where, use_orjson)) as pool:
        pending: deque[Any] = deque()
        for chunk in work:
            pending.append(pool.apply_async(_judge_chunk, (chunk,)))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def default_jobs(jobs: int) -> int:
    """The worker processes for ``--jobs``: 0 means every core, and more processes than
    cores would only compete for them (and could exhaust memory), so at most one per core."""
    import os

    cores = os.cpu_count() or 1
    return min(jobs, cores) if jobs > 0 else cores
