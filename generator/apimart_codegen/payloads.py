"""Reading request bodies from files, stdin or JSON Lines, with every failure named.

Limits guard the validator against hostile input: a body larger than ``MAX_BYTES`` or
nested deeper than ``MAX_DEPTH`` is refused with a message, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import BinaryIO

from apimart_codegen.jsonvalue import unsendable

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 64


class PayloadError(Exception):
    """Input that is not a readable JSON request body."""


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def depth(value: object) -> int:
    """How deeply ``value`` nests (an array or object is one level); stops past MAX_DEPTH."""
    depth, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            depth = max(depth, level)
            if level > MAX_DEPTH:
                return level
            stack.extend(
                (child, level + 1) for child in (node.values() if isinstance(node, dict) else node)
            )
    return depth


def may_nest_too_deep(raw: bytes) -> bool:
    """Whether the JSON text ``raw`` could nest deeper than MAX_DEPTH. Each level opens with
    a bracket, so with no more brackets than that there is nothing to measure."""
    return raw.count(b"[") + raw.count(b"{") > MAX_DEPTH


def nests_too_deep(raw: bytes, value: object) -> bool:
    """Whether ``value``, decoded from ``raw``, nests deeper than MAX_DEPTH."""
    return may_nest_too_deep(raw) and depth(value) > MAX_DEPTH


def parse(data: bytes, *, where: str, line: int | None = None) -> object:
    """The JSON value in ``data``; PayloadError names ``where`` (and ``line`` of a JSONL file)."""
    at = where if line is None else f"{where}:{line}"
    if len(data) > MAX_BYTES:
        raise PayloadError(
            f"{at}: {len(data):,} bytes is over the {MAX_BYTES:,}-byte limit for one body"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"{at}: not UTF-8 text (byte {exc.start})") from None
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        position = f"{exc.lineno}:{exc.colno}" if line is None else f"{line}:{exc.colno}"
        raise PayloadError(f"{where}:{position}: malformed JSON: {exc.msg}") from None
    except ValueError as exc:
        raise PayloadError(f"{at}: malformed JSON: {exc}") from None
    except RecursionError:
        raise PayloadError(f"{at}: JSON nested too deeply (limit {MAX_DEPTH} levels)") from None
    if nests_too_deep(data, value):
        raise PayloadError(f"{at}: JSON nested too deeply (limit {MAX_DEPTH} levels)")
    problem = unsendable(value)
    if problem is not None:
        pointer, reason = problem
        raise PayloadError(f"{at}: {pointer or '/'}: {reason}")
    return value


def open_source(source: str) -> tuple[BinaryIO, str]:
    """A file to read bodies from (``-``: standard input) and its name for messages."""
    if source == "-":
        if sys.stdin is None:
            raise PayloadError("<stdin>: standard input is closed")
        return sys.stdin.buffer, "<stdin>"
    try:
        return Path(source).open("rb"), source
    except OSError as exc:
        raise PayloadError(f"{source}: cannot read: {exc.strerror}") from None


def read_one(source: str) -> object:
    stream, where = open_source(source)
    try:
        data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise PayloadError(f"{where}: cannot read: {exc.strerror}") from None
    finally:
        if source != "-":
            stream.close()
    return parse(data, where=where)
