# Copied verbatim from generator/apimart_codegen/jsonvalue.py by apimart generate. Do not edit.
"""JSON value primitives: types, equality, JSON Pointers, walking and display.

This module uses the standard library only. The python target copies it verbatim into the
generated package (as ``apimart/_jsonvalue.py``), so the generated validators and the rule
interpreter walk payloads and show values the same way, while each keeps its own rule logic.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Final, TypeGuard

EACH: Final = "*"
"""A path segment that stands for every item of an array."""

_SHOW_LIMIT: Final = 60
_SHORT_INT: Final = 10**18


def json_type(value: object) -> str:
    """The JSON type name of a decoded JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def is_int(value: object) -> TypeGuard[int]:
    """True for JSON integers; booleans and floats such as 8.0 are not integers."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def json_equal(left: object, right: object) -> bool:
    """Equality as JSON sees it: ``true`` is not ``1``, ``1`` equals ``1.0``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if is_number(left) and is_number(right):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and left == right


def unsendable(value: object) -> tuple[str, str] | None:
    """(JSON Pointer, reason) of the first thing in ``value`` that JSON cannot carry, or None.

    A string or key with a lone surrogate (``"\\ud800"`` decodes to one, but no UTF-8 text
    holds it) and a number that is not finite (``1e400`` decodes to infinity, NaN) cannot be
    sent. The walk is iterative, so depth alone never fails it.
    """
    stack: list[tuple[object, str]] = [(value, "")]
    while stack:
        node, at = stack.pop()
        if isinstance(node, str):
            reason = _lone_surrogate(node)
            if reason is not None:
                return at, f"a string {reason}"
        elif isinstance(node, float) and node != node:
            return at, "NaN is not a number JSON can carry"
        elif isinstance(node, float) and node - node != 0:
            return at, "a number too large to represent (it reads as infinity, which JSON lacks)"
        elif isinstance(node, dict):
            for key in reversed(list(node)):
                reason = _lone_surrogate(key) if isinstance(key, str) else None
                if reason is not None:
                    return at, f"a key {reason}"
                stack.append((node[key], f"{at}/{escape(key)}"))
        elif isinstance(node, list):
            stack.extend((node[i], f"{at}/{i}") for i in reversed(range(len(node))))
    return None


def _lone_surrogate(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(text[exc.start])
        return f"holds a lone surrogate (\\u{code:04x}), which is not valid Unicode"
    return None


def is_present(value: object) -> bool:
    """Whether a field counts as given: not missing, not null, not an empty string/array/object."""
    if value is None or value is MISSING:
        return False
    return not (isinstance(value, str | list | dict) and len(value) == 0)


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""Stands for a key that is not in the payload."""


def escape(segment: str | int) -> str:
    """One JSON Pointer reference token (RFC 6901)."""
    return str(segment).replace("~", "~0").replace("/", "~1")


def pointer(segments: Sequence[str | int]) -> str:
    return "".join("/" + escape(segment) for segment in segments)


def walk(root: object, pattern: Sequence[str]) -> list[tuple[str, object]]:
    """Every (JSON Pointer, value) that ``pattern`` reaches in ``root``; EACH fans out over arrays.

    Keys that are absent, and steps into values of the wrong type, reach nothing. Found one
    path segment at a time (no generator per step): validators and the interpreter call it
    on every payload.
    """
    level: list[tuple[str, object]] = [("", root)]
    for head in pattern:
        reached: list[tuple[str, object]] = []
        if head == EACH:
            for at, node in level:
                if isinstance(node, list):
                    reached += [(f"{at}/{index}", item) for index, item in enumerate(node)]
        else:
            step = "/" + escape(head)
            for at, node in level:
                if isinstance(node, dict) and head in node:
                    reached.append((at + step, node[head]))
        if not reached:
            return reached
        level = reached
    return level


def get(root: object, keys: Sequence[str]) -> object:
    """The value at a wildcard-free path, or MISSING."""
    node = root
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return MISSING
        node = node[key]
    return node


def show(value: object) -> str:
    """A short, single-line rendering of a value for messages (long values are cut)."""
    # the common cases without json.dumps's machinery, written as it would write them
    if isinstance(value, str):
        plain = value.isascii() and value.isprintable() and '"' not in value
        if plain and len(value) <= _SHOW_LIMIT and "\\" not in value:
            return '"' + value + '"'
    elif type(value) is int and -_SHORT_INT < value < _SHORT_INT:
        return str(value)
    if isinstance(value, str) and len(value) > _SHOW_LIMIT:
        return json.dumps(value[:_SHOW_LIMIT], ensure_ascii=False) + f"… ({len(value)} characters)"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > _SHOW_LIMIT:
        if isinstance(value, list):
            return f"{text[:_SHOW_LIMIT]}… ({len(value)} items)"
        return f"{text[:_SHOW_LIMIT]}…"
    return text


def label(pattern: Sequence[str]) -> str:
    """A field name for messages: ``image_with_roles[i].role``."""
    text = ""
    depth = 0
    for segment in pattern:
        if segment == EACH:
            text += "[" + "ijklmn"[min(depth, 5)] + "]"
            depth += 1
        else:
            text += ("." if text else "") + segment
    return text or "the request body"


def type_phrase(type_name: str) -> str:
    """``integer`` → ``an integer``: how messages name an expected JSON type."""
    article = "an" if type_name[0] in "aeiou" else "a"
    return f"{article} {type_name}"


def is_int_list(value: object) -> TypeGuard[list[int]]:
    return isinstance(value, list) and all(is_int(item) for item in value)


def suggest(value: object, candidates: Sequence[object]) -> str:
    """`` (did you mean "1080p"?)`` when a string differs from a candidate only in case."""
    if not isinstance(value, str):
        return ""
    folded = value.strip().casefold()
    for candidate in candidates:
        if isinstance(candidate, str) and candidate != value and candidate.casefold() == folded:
            return f" (did you mean {show(candidate)}?)"
    return ""


def suggest_key(key: str, known: Sequence[str]) -> str:
    """`` (did you mean "duration"?)`` for a key that is a likely typo of a known one."""
    if not isinstance(known, tuple):
        known = tuple(known)
    return _suggest_key(key, known) if isinstance(key, str) else ""


@functools.lru_cache(maxsize=1024)
def _suggest_key(key: str, known: tuple[str, ...]) -> str:
    # difflib is slow (tens of µs a key) and loaded only when an unknown key turns up; a
    # typo tends to repeat (every line of a batch), so each (key, known keys) is judged once
    import difflib

    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return f" (did you mean {show(close[0])}?)" if close else ""
