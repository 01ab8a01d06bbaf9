"""What a file is, judged by its first bytes (its magic number), not by what a server says.

Shared by the mock (which judges uploads by it), the demo and the generated client (a
verbatim copy, ``apimart/_magic.py``, which checks each downloaded result before keeping
it). The standard library alone: importing it costs nothing.
"""

from __future__ import annotations

from typing import Final

HEAD_BYTES: Final = 16
"""How many leading bytes ``sniff`` needs to tell every kind here apart."""

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"

EXTENSIONS: Final = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "video/mp4": "mp4",
}
"""The file extension each known type is saved with."""


def sniff(head: bytes) -> str | None:
    """The MIME type of a file starting with ``head``: JPEG, PNG, WebP, GIF images or an
    ISO-BMFF (MP4) video; None for anything else (HTML, JSON, text, an empty file...)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(PNG_SIGNATURE):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    return None


def is_kind(head: bytes, kind: str) -> bool:
    """Whether a file starting with ``head`` is an ``image`` or a ``video`` of a known type."""
    found = sniff(head)
    return found is not None and found.startswith(kind + "/")
