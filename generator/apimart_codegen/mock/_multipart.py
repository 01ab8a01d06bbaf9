"""Reading the parts of a ``multipart/form-data`` body that is already in memory."""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header


class MultipartError(ValueError):
    """The body is not a readable multipart form."""


@dataclass(slots=True)
class FormPart:
    """One part: its form field ``name``, its ``filename`` if it is a file, and its bytes."""

    name: str
    filename: str | None = None
    content_type: str | None = None
    data: bytearray = field(default_factory=bytearray)


def read_form(content_type: str | None, body: bytes) -> list[FormPart]:
    """Every part of the form, in order; raises MultipartError when it cannot be read."""
    media_type, options = parse_options_header(content_type or "")
    if media_type != b"multipart/form-data":
        raise MultipartError("the request must be multipart/form-data")
    boundary = options.get(b"boundary")
    if not boundary:
        raise MultipartError("the multipart Content-Type has no boundary")
    parts: list[FormPart] = []
    headers: dict[str, str] = {}
    header_field = bytearray()
    header_value = bytearray()

    def on_part_begin() -> None:
        headers.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[header_field.decode("latin-1").lower()] = header_value.decode("latin-1")
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        _, disposition = parse_options_header(headers.get("content-disposition", ""))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = disposition.get(b"filename")
        filename = raw_filename.decode("utf-8", "replace") if raw_filename is not None else None
        parts.append(FormPart(name, filename, headers.get("content-type")))

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1].data.extend(data[start:end])

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError as exc:
        raise MultipartError(f"the multipart body cannot be read: {exc}") from exc
    return parts
