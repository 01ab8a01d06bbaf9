"""A page line cut into clauses: the pieces a recogniser reads and a rule quotes.

The site joins inline pieces with no space (``1-7 imagesSupports publicly...``), so a line
is cut where a lowercase word runs into a capitalised one, and after a full stop or a
semicolon. A clause is an exact piece of its line, so quoting it always stands on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GLUE = re.compile(r"(?<=[a-z0-9)%\].])(?=[A-Z][a-z])")
_STOP = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9\"“(⚠])|\s+(?=When\b)")
_NOTE = re.compile(r"\s*(?=⚠)")


@dataclass(frozen=True, slots=True)
class Clause:
    text: str
    line: int


# "Default: 16:9 Not supported in ...", "Default: 720p 480p resolution is not supported": a
# default is one value; what follows it is a sentence of its own
_AFTER_DEFAULT = re.compile(r"^(Default(?: value)?\s*:\s*\S+)\s+(?=[A-Z0-9])")
_LIMIT_START = re.compile(r"\s+(?=(?:Not supported|Not available|Cannot|Does not|Must)\b)")


def clauses(text: str, line: int) -> list[Clause]:
    pieces: list[str] = []
    for glued in _NOTE.split(text):
        for part in _GLUE.split(glued):
            for piece in _STOP.split(part):
                for sentence in _LIMIT_START.split(piece):
                    pieces.extend(_AFTER_DEFAULT.split(sentence, maxsplit=1))
    return [Clause(piece.strip(), line) for piece in pieces if piece.strip()]


CONSTRAINT_WORDS = re.compile(
    r"\b(must|only|required|requires?|cannot|can't|not supported|does not support|"
    r"not available|at most|at least|up to|maximum|minimum|max|min|between|range|limit|"
    r"exceed|ignored|no more than|no less than|fixed|supports?|supported|"
    r"equal|sum|per|default|options?|values?|formats?)\b"
    r"|⚠|≤|≥|<=|>=|\d",
    re.IGNORECASE,
)


def reads_as_constraint(text: str) -> bool:
    """A sentence a person would read as a rule (a number, a limit word, a warning)."""
    return bool(CONSTRAINT_WORDS.search(text))
