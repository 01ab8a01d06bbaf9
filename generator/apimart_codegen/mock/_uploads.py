"""``POST /v1/uploads/images``: judging an uploaded image and keeping it for download."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

from apimart_codegen.mock import _ids
from apimart_codegen.mock._media import sniff_image
from apimart_codegen.mock._multipart import MultipartError, read_form

UPLOAD_LIMIT: Final = 20 * 1024 * 1024
"""The largest accepted file, 20 MB."""
UPLOAD_TTL: Final = 72 * 3600
"""Uploaded files stay downloadable for 72 hours of mock time, as the vendor's do."""
STORE_LIMIT: Final = 256 * 1024 * 1024
"""The most bytes of uploads kept at once; past it the oldest are evicted (their URLs 404)."""
FILE_FIELD: Final = "file"


class UploadRejected(Exception):
    """An upload the API refuses: the HTTP status and a message for the error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Upload:
    """A stored upload. ``filename`` is the client's; ``path`` uses a URL-safe version of it."""

    id: str
    owner: str
    filename: str
    content_type: str
    data: bytes
    created_at: float

    @property
    def path(self) -> str:
        return f"/uploads/{self.id}/{quote(safe_name(self.filename))}"

    @property
    def expires_at(self) -> float:
        return self.created_at + UPLOAD_TTL

    def describe(self, base_url: str) -> dict[str, object]:
        """The 200 body: ``url``, ``filename``, ``content_type``, ``bytes``, ``created_at``."""
        return {
            "url": base_url + self.path,
            "filename": self.filename,
            "content_type": self.content_type,
            "bytes": len(self.data),
            "created_at": int(self.created_at),
        }


def safe_name(filename: str) -> str:
    """The last path component, with anything but letters, digits, ``.``, ``_``, ``-`` replaced."""
    base = re.split(r"[\\/]", filename)[-1]
    return re.sub(r"[^A-Za-z0-9._-]", "_", base).strip(".") or "image"


class UploadStore:
    """Accepted uploads by id, until they expire (UPLOAD_TTL) or are evicted (STORE_LIMIT)."""

    def __init__(self, *, seed: int, run: bytes | None = None, limit: int = STORE_LIMIT) -> None:
        self.seed = seed
        self.run = run if run is not None else _ids.run_token()
        self.limit = limit
        self._uploads: dict[str, Upload] = {}  # oldest first
        self._bytes = 0
        self._count = 0
        self._lock = threading.Lock()

    def accept(self, *, content_type: str | None, body: bytes, owner: str, now: float) -> Upload:
        """Read the form, judge the file, store it; raises UploadRejected."""
        try:
            parts = read_form(content_type, body)
        except MultipartError as exc:
            raise UploadRejected(400, str(exc)) from exc
        part = next((p for p in parts if p.name == FILE_FIELD), None)
        if part is None:
            raise UploadRejected(400, f"the form has no {FILE_FIELD!r} field")
        if len(part.data) > UPLOAD_LIMIT:
            message = f"the file is {len(part.data)} bytes; the limit is {UPLOAD_LIMIT} (20 MB)"
            raise UploadRejected(413, message)
        kind = sniff_image(bytes(part.data[:16]))
        if kind is None:
            raise UploadRejected(
                400, "unsupported file type: JPEG, PNG, WebP and GIF images are accepted"
            )
        with self._lock:
            self._count += 1
            upload = Upload(
                id=_ids.upload_id(self._count, self.run),
                owner=owner,
                filename=part.filename or f"image.{kind.extension}",
                content_type=kind.content_type,
                data=bytes(part.data),
                created_at=now,
            )
            self._uploads[upload.id] = upload
            self._bytes += len(upload.data)
            self._evict(now)
        return upload

    def get(self, upload_id: str, *, now: float) -> Upload | None:
        """The upload, unless it is unknown, expired or evicted."""
        with self._lock:
            self._evict(now)
            return self._uploads.get(upload_id)

    @property
    def stored_bytes(self) -> int:
        return self._bytes

    def _evict(self, now: float) -> None:
        """Drop expired uploads, then the oldest while over the limit (lock held)."""
        for upload_id, upload in list(self._uploads.items()):
            if upload.expires_at > now and self._bytes <= self.limit:
                break  # insertion order is age order: the rest are younger
            del self._uploads[upload_id]
            self._bytes -= len(upload.data)
