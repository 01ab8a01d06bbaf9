"""Identifiers: task and upload ids in the vendor's shape, request ids.

Task and upload ids are unique across restarts (a random token per mock); request ids and
everything a task does are reproducible from the seed.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from typing import Final

CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32 alphabet (no I, L, O, U), as in ULIDs such as the vendor's task ids."""

_COUNTER_CHARS: Final = 10
_RANDOM_CHARS: Final = 16


_PAIRS: Final = tuple(high + low for high in CROCKFORD for low in CROCKFORD)
"""Every two-character string, indexed by the 10 bits it stands for."""


def crockford(value: int, width: int) -> str:
    """``value`` in Crockford base32, left-padded with zeros to ``width`` characters."""
    if value < 0 or value >= 1 << (5 * width):
        raise ValueError(f"{value} does not fit in {width} base32 characters")
    pairs = []
    for _ in range(width // 2):  # two characters at a time, from the right
        pairs.append(_PAIRS[value & 1023])
        value >>= 10
    text = "".join(reversed(pairs))
    return CROCKFORD[value] + text if width % 2 else text


def run_token() -> bytes:
    """A fresh random token for one mock's life: it keeps ids unique across restarts."""
    return secrets.token_bytes(16)


def task_id(index: int, run: bytes) -> str:
    """``task_`` + 26 characters: the task's index (10) then 80 bits hashed from ``run`` (16).

    The index makes ids unique within one mock; the run token (random per mock, never from
    the seed) makes them unique across restarts, so an old id never names a new task.
    """
    return "task_" + _token("task", index, run)


def upload_id(index: int, run: bytes) -> str:
    """``upl_`` + 26 characters, built like a task id."""
    return "upl_" + _token("upload", index, run)


def _token(purpose: str, index: int, run: bytes) -> str:
    digest = hashlib.blake2b(f"{purpose}/{index}".encode(), key=run, digest_size=10).digest()
    return crockford(index, _COUNTER_CHARS) + crockford(int.from_bytes(digest), _RANDOM_CHARS)


def request_id(seed: int, index: int) -> str:
    """``req_`` + 16 hex digits, a pure function of the seed and the request's number."""
    digest = hashlib.blake2b(f"{seed}/request/{index}".encode(), digest_size=8)
    return "req_" + digest.hexdigest()


def stream(seed: int, purpose: str, index: int) -> random.Random:
    """An independent random generator for one thing (a task, an upload) of one seed.

    Each task draws from its own generator, so what task N looks like does not depend on how
    many requests, replays or failures came before it.
    """
    return random.Random(f"{seed}/{purpose}/{index}")
