"""JSON Schema pieces the kinds' ``json_schema`` methods (and the exporters) build with.

Each piece says in JSON Schema what a ``apimart_codegen.jsonvalue`` function means in Python:
``at_path`` is ``walk``, ``given`` is ``is_present(get(...))``, ``reaches`` is "some value
``walk`` reaches". The project's meaning of "given": a value is given unless it is missing,
null, "", [] or {}.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from apimart_codegen.jsonvalue import EACH

Schema = dict[str, Any]

ABSENT: Schema = {"enum": [None, "", [], {}]}
"""A value that counts as not given (a missing key is not seen by any schema at all)."""

PRESENT: Schema = {"not": ABSENT}
"""A value that counts as given: not null, and not an empty string, array or object."""


def at_path(path: Sequence[str], schema: Schema) -> Schema:
    """A body schema applying ``schema`` to every value ``path`` reaches, as ``walk`` does.

    Keys that are missing and steps into values of the wrong type reach nothing, as
    ``properties`` and ``items`` apply only to objects and arrays.
    """
    for segment in reversed(path):
        schema = {"items": schema} if segment == EACH else {"properties": {segment: schema}}
    return schema


def given(path: Sequence[str]) -> Schema:
    """A body schema true when the field at a wildcard-free path is given (``get`` + present)."""
    schema = PRESENT
    for segment in reversed(path):
        schema = {"type": "object", "required": [segment], "properties": {segment: schema}}
    return schema


def reaches(path: Sequence[str], schema: Schema) -> Schema:
    """A body schema true when some value ``path`` reaches satisfies ``schema``."""
    for segment in reversed(path):
        if segment == EACH:
            # ``items: {}`` says nothing; linters ask every array schema for its items.
            schema = {"type": "array", "items": {}, "contains": schema}
        else:
            schema = {"type": "object", "required": [segment], "properties": {segment: schema}}
    return schema


_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
r"""What Python's ``\s`` matches in a str; ECMA 262's ``\s`` differs (it has U+FEFF, not U+001C)."""
_CLASSES = {"s": _SPACE}


def anchored(pattern: str) -> str:
    r"""A ``pattern`` keyword that matches what ``re.fullmatch(pattern)`` matches, in any dialect.

    ``$`` would also let a Python regex (the ``jsonschema`` library, Hypothesis) match
    before a final newline, so a lookahead for "no character follows" ends it; ``\s``
    means different things in ECMA 262 and Python, so it is spelled out.
    """
    return f"^(?:{portable(pattern)})(?![\\s\\S])"


def portable(pattern: str) -> str:
    r"""``pattern`` with ``\s`` and ``\S`` written as the classes Python means.

    (``\d`` and ``\w`` are Unicode-wide in Python and ASCII in ECMA 262; no spec uses them.)
    """
    out, in_class, index = [], False, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escape = pattern[index + 1]
            inner = _CLASSES.get(escape.lower())
            if inner is None:
                out.append(pattern[index : index + 2])
            elif in_class and escape.islower():
                out.append(inner)
            elif in_class:
                raise ValueError(f"cannot export {pattern!r}: a negated class inside a class")
            else:
                out.append(f"[{'^' if escape.isupper() else ''}{inner}]")
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            index += 1
            if pattern[index : index + 1] == "^":
                out.append("^")
                index += 1
            if pattern[index : index + 1] == "]":  # a literal ] first in a class
                out.append("]")
                index += 1
            continue
        if char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


def integer_range(low: int, high: int) -> str:
    """A regex for the decimal integers from ``low`` to ``high`` (leading zeros allowed)."""
    parts = []
    for digits in range(len(str(low)), len(str(high)) + 1):
        start = max(low, 10 ** (digits - 1) if digits > 1 else 0)
        end = min(high, 10**digits - 1)
        if start <= end:
            parts.append(_same_length_range(str(start), str(end)))
    return "0*(?:" + "|".join(parts) + ")"


def _same_length_range(low: str, high: str) -> str:
    """A regex for the numbers from ``low`` to ``high``, two digit strings of one length."""
    if low == high:
        return low
    rest = len(low) - 1
    if low[0] == high[0]:
        return low[0] + _group(_same_length_range(low[1:], high[1:]))
    parts, first, last, tail = [], int(low[0]), int(high[0]), None
    if low[1:] != "0" * rest:
        parts.append(low[0] + _group(_same_length_range(low[1:], "9" * rest)))
        first += 1
    if high[1:] != "9" * rest:
        tail = high[0] + _group(_same_length_range("0" * rest, high[1:]))
        last -= 1
    if first <= last:
        digit = str(first) if first == last else f"[{first}-{last}]"
        parts.append(digit + ("" if rest == 0 else "[0-9]" if rest == 1 else f"[0-9]{{{rest}}}"))
    if tail:
        parts.append(tail)
    return "|".join(parts)


def _group(regex: str) -> str:
    return f"(?:{regex})" if "|" in regex else regex
