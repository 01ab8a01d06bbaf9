"""Small valid media files: generated results (PNG, MP4) and the sniffing of uploads."""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from typing import Final

from apimart_codegen.magic import EXTENSIONS, PNG_SIGNATURE, sniff

RESULT_SIDE: Final = 8
"""Generated images are RESULT_SIDE x RESULT_SIDE pixels: enough to be a real image."""

_IDENTITY_MATRIX: Final = (0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)


@dataclass(frozen=True, slots=True)
class ImageType:
    """An accepted upload type: its MIME type and the file extension the mock gives it."""

    content_type: str
    extension: str


def sniff_image(data: bytes) -> ImageType | None:
    """JPEG, PNG, WebP or GIF judged by magic bytes (``apimart_codegen.magic``); None for
    anything else."""
    found = sniff(data)
    if found is None or not found.startswith("image/"):
        return None
    return ImageType(found, EXTENSIONS[found])


def colour_of(tag: str) -> tuple[int, int, int]:
    """A colour that is a pure function of ``tag`` (a task id and an index)."""
    red, green, blue = hashlib.blake2b(tag.encode(), digest_size=3).digest()
    return red, green, blue


def png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    """An 8-bit RGB PNG of one colour, with a darker diagonal so it is not a flat swatch."""
    shade = bytes(channel // 2 for channel in colour)
    rows = []
    for y in range(height):
        pixels = [shade if x == y else bytes(colour) for x in range(width)]
        rows.append(b"\x00" + b"".join(pixels))  # filter type 0 (None) for every row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + _png_chunk(b"IEND", b"")
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def result_png(task_id: str, index: int) -> bytes:
    """The ``index``-th image of a task: its colour derives from the task id and the index."""
    return png(RESULT_SIDE, RESULT_SIDE, colour_of(f"{task_id}/{index}"))


def mp4(*, duration_seconds: float, tag: str) -> bytes:
    """A minimal ISO-BMFF (MP4) file: ``ftyp``, ``moov`` holding ``mvhd``, and ``mdat``.

    ``mvhd`` carries the duration (timescale 1000); ``mdat`` carries ``tag`` so two results
    differ. It has no tracks: enough for a file-type check, not for a player.
    """
    timescale = 1000
    mvhd = (
        struct.pack(">I", 0)  # version 0, flags 0
        + struct.pack(">IIII", 0, 0, timescale, round(duration_seconds * timescale))
        + struct.pack(">iH", 0x00010000, 0x0100)  # rate 1.0, volume 1.0
        + bytes(10)  # reserved
        + struct.pack(">9i", *_IDENTITY_MATRIX)
        + bytes(24)  # pre_defined
        + struct.pack(">I", 1)  # next_track_ID
    )
    return (
        _box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2mp41")
        + _box(b"moov", _box(b"mvhd", mvhd))
        + _box(b"mdat", tag.encode())
    )


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload
