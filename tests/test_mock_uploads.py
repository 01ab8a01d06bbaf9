"""POST /v1/uploads/images on the mock: sniffing, limits, and downloading what was uploaded."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from apimart_codegen.mock import MockAPI, VirtualClock
from apimart_codegen.mock._media import result_png
from apimart_codegen.mock._uploads import UPLOAD_LIMIT, UPLOAD_TTL, UploadStore
from tests.support import specs

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)
WEBP = b"RIFF\x50\x00\x00\x00WEBPVP8 " + bytes(64)
GIF = b"GIF89a\x01\x00\x01\x00" + bytes(32)


@pytest.fixture
def mock() -> MockAPI:
    return MockAPI(specs=specs(), clock=VirtualClock())


@pytest.fixture
def client(mock: MockAPI) -> Iterator[httpx.Client]:
    with mock.client() as client:
        yield client


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (JPEG, "image/jpeg"),
        (result_png("t", 0), "image/png"),
        (WEBP, "image/webp"),
        (GIF, "image/gif"),
    ],
)
def test_an_upload_is_described_and_downloadable(
    mock: MockAPI, client: httpx.Client, data: bytes, content_type: str
) -> None:
    response = client.post("/v1/uploads/images", files={"file": ("my photo.bin", data)})
    assert response.status_code == 200
    body = response.json()
    assert body["filename"] == "my photo.bin"
    assert body["content_type"] == content_type
    assert body["bytes"] == len(data)
    assert body["created_at"] == int(mock.clock.now())
    assert body["url"].startswith(str(client.base_url) + "/uploads/upl_")
    download = client.get(body["url"])
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == content_type


def test_the_type_comes_from_the_content_not_the_name(client: httpx.Client) -> None:
    response = client.post("/v1/uploads/images", files={"file": ("cat.png", JPEG, "image/png")})
    assert response.json()["content_type"] == "image/jpeg"


def test_an_upload_expires_after_72_hours(mock: MockAPI, client: httpx.Client) -> None:
    url = client.post("/v1/uploads/images", files={"file": ("a.gif", GIF)}).json()["url"]
    mock.advance(UPLOAD_TTL - 1)
    assert client.get(url).status_code == 200
    mock.advance(1)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "data", [b"hello, world", b"%PDF-1.7\n", b"", b"RIFF\x50\x00\x00\x00WAVEfmt "]
)
def test_unsupported_types_are_400(client: httpx.Client, data: bytes) -> None:
    response = client.post("/v1/uploads/images", files={"file": ("x.png", data)})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", "file")
    assert "JPEG, PNG, WebP and GIF" in error["message"]


def test_a_form_without_the_file_field_is_400(client: httpx.Client) -> None:
    response = client.post("/v1/uploads/images", files={"image": ("x.jpg", JPEG)})
    assert response.status_code == 400
    assert "'file'" in response.json()["error"]["message"]


def test_a_body_that_is_not_a_form_is_400(client: httpx.Client) -> None:
    response = client.post("/v1/uploads/images", json={"file": "x"})
    assert response.status_code == 400
    assert "multipart/form-data" in response.json()["error"]["message"]


def test_20_mb_is_accepted_and_one_byte_more_is_413(client: httpx.Client) -> None:
    exactly = JPEG + bytes(UPLOAD_LIMIT - len(JPEG))
    assert (
        client.post("/v1/uploads/images", files={"file": ("a.jpg", exactly)}).json()["bytes"]
        == UPLOAD_LIMIT
    )
    response = client.post("/v1/uploads/images", files={"file": ("a.jpg", exactly + b"\x00")})
    assert response.status_code == 413
    assert str(UPLOAD_LIMIT) in response.json()["error"]["message"]


def test_a_far_larger_body_is_413_too(client: httpx.Client) -> None:
    huge = JPEG + bytes(UPLOAD_LIMIT * 2)
    assert client.post("/v1/uploads/images", files={"file": ("a.jpg", huge)}).status_code == 413


def test_unknown_upload_paths_are_404(client: httpx.Client) -> None:
    url = client.post("/v1/uploads/images", files={"file": ("a.gif", GIF)}).json()["url"]
    assert client.get(url + "x").status_code == 404
    assert client.get("/uploads/upl_nothing/a.gif").status_code == 404


def test_expired_uploads_are_evicted_from_memory(mock: MockAPI, client: httpx.Client) -> None:
    for _ in range(3):
        client.post("/v1/uploads/images", files={"file": ("a.gif", GIF)})
    assert mock.core.uploads.stored_bytes == 3 * len(GIF)
    mock.advance(UPLOAD_TTL)
    client.post("/v1/uploads/images", files={"file": ("b.jpg", JPEG)})
    assert mock.core.uploads.stored_bytes == len(JPEG)


def test_past_the_store_limit_the_oldest_uploads_are_evicted() -> None:
    store = UploadStore(seed=0, limit=2 * len(JPEG))

    def upload(now: float) -> str:
        body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.jpg"\r\n\r\n'
        accepted = store.accept(
            content_type="multipart/form-data; boundary=b",
            body=body + JPEG + b"\r\n--b--\r\n",
            owner="k",
            now=now,
        )
        return accepted.id

    first, second, third = upload(0), upload(1), upload(2)
    assert store.get(first, now=3) is None  # evicted: 3 x the size is over the limit
    assert store.get(second, now=3) is not None and store.get(third, now=3) is not None
    assert store.stored_bytes == 2 * len(JPEG)


@pytest.mark.parametrize("filename", ["fête.jpg", "写真.jpg", "😀.jpg"])
def test_a_filename_beyond_latin_1_is_read_not_a_server_error(
    client: httpx.Client, filename: str
) -> None:
    response = client.post("/v1/uploads/images", files={"file": (filename, JPEG)})
    assert response.status_code == 200
    assert response.json()["filename"].endswith(".jpg")
