"""The mock's media: generated PNG and MP4 results are valid files; uploads are sniffed."""

from __future__ import annotations

import struct
import zlib

import pytest

from apimart_codegen.mock._media import PNG_SIGNATURE, mp4, png, result_png, sniff_image


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every (type, data) chunk of a PNG, checking the signature and each CRC."""
    assert data[:8] == PNG_SIGNATURE
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks.append((kind, body))
        offset += 12 + length
    return chunks


def mp4_boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    boxes, offset = [], 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        assert size >= 8
        boxes.append((kind, data[offset + 8 : offset + size]))
        offset += size
    assert offset == len(data)
    return boxes


def test_png_is_a_valid_rgb_image_of_the_requested_size() -> None:
    data = png(5, 3, (10, 200, 30))
    chunks = png_chunks(data)
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour_type, _, _, _ = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (width, height, depth, colour_type) == (5, 3, 8, 2)
    raw = zlib.decompress(chunks[1][1])
    assert len(raw) == 3 * (1 + 5 * 3)
    assert raw[0] == 0 and raw[1 + 3 : 1 + 6] == bytes((10, 200, 30))


def test_result_images_differ_by_task_and_index_and_are_stable() -> None:
    first = result_png("task_A", 0)
    assert first == result_png("task_A", 0)
    assert first != result_png("task_A", 1)
    assert first != result_png("task_B", 0)


def test_mp4_starts_with_ftyp_and_records_the_duration() -> None:
    data = mp4(duration_seconds=7.5, tag="task_X")
    boxes = mp4_boxes(data)
    assert [kind for kind, _ in boxes] == [b"ftyp", b"moov", b"mdat"]
    assert boxes[0][1][:4] == b"isom"
    moov = mp4_boxes(boxes[1][1])
    assert moov[0][0] == b"mvhd"
    _, _, _, timescale, duration = struct.unpack(">IIIII", moov[0][1][:20])
    assert (timescale, duration) == (1000, 7500)
    assert boxes[2][1] == b"task_X"


@pytest.mark.parametrize(
    ("head", "content_type"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (PNG_SIGNATURE + b"\x00\x00\x00\rIHDR", "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"GIF87a\x01\x00", "image/gif"),
        (b"GIF89a\x01\x00", "image/gif"),
    ],
)
def test_sniffing_knows_the_four_accepted_types(head: bytes, content_type: str) -> None:
    kind = sniff_image(head + bytes(16))
    assert kind is not None and kind.content_type == content_type


@pytest.mark.parametrize("head", [b"", b"hello", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"%PDF-1.7"])
def test_sniffing_refuses_everything_else(head: bytes) -> None:
    assert sniff_image(head) is None
