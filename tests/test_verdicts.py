"""Payloads a careful reader of the pages would write, and the verdicts the pages give them.

Each case lists the exact (path, rule) of every error and warning. Both the generated
validators and the rule interpreter must give exactly that verdict.
"""

from __future__ import annotations

from typing import Any

import apimart
import pytest

from apimart_codegen.interpreter import Interpreter
from tests.support import specs

IMG = "https://cdn.example.com/a.jpg"
VID = "https://cdn.example.com/v.mp4"
PNG_URI = "data:image/png;base64,iVBORw0KGgo="
SVG_URI = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="
GIF_URI = "data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACw="
BMP_URI = "data:image/bmp;base64,Qk0eAAAAAAAAABoAAAAMAAAA"
PALETTE = [
    {"hex": "#C2D1E6", "ratio": "23.51%"},
    {"hex": "#636574", "ratio": "40.00%"},
    {"hex": "#CACAD2", "ratio": "36.49%"},
]

Case = tuple[str, dict[str, Any], set[tuple[str, str]], set[tuple[str, str]]]

CASES: list[Case] = [
    # --- wan2.7-r2v -------------------------------------------------------------------------
    (
        "r2v image only",
        {"model": "wan2.7-r2v", "prompt": "p", "image_with_roles": [{"url": IMG}]},
        set(),
        set(),
    ),
    (
        "r2v needs images or videos",
        {"model": "wan2.7-r2v", "prompt": "p"},
        {("/image_with_roles", "references-required")},
        set(),
    ),
    (
        "r2v empty lists count as none",
        {"model": "wan2.7-r2v", "prompt": "p", "image_with_roles": [], "video_urls": []},
        {("/image_with_roles", "references-required")},
        set(),
    ),
    (
        "r2v duration 12 with a video",
        {"model": "wan2.7-r2v", "prompt": "p", "video_urls": [VID], "duration": 12},
        {("/duration", "duration-with-video")},
        set(),
    ),
    (
        "r2v duration 10 with a video",
        {"model": "wan2.7-r2v", "prompt": "p", "video_urls": [VID], "duration": 10},
        set(),
        set(),
    ),
    (
        "r2v duration 15 without video",
        {"model": "wan2.7-r2v", "prompt": "p", "image_with_roles": [{"url": IMG}], "duration": 15},
        set(),
        set(),
    ),
    (
        "r2v duration 16 without video",
        {"model": "wan2.7-r2v", "prompt": "p", "image_with_roles": [{"url": IMG}], "duration": 16},
        {("/duration", "duration-without-video")},
        set(),
    ),
    (
        "r2v duration 1",
        {"model": "wan2.7-r2v", "prompt": "p", "video_urls": [VID], "duration": 1},
        {("/duration", "duration-with-video")},
        set(),
    ),
    (
        "r2v six references",
        {
            "model": "wan2.7-r2v",
            "prompt": "p",
            "image_with_roles": [{"url": IMG}] * 3,
            "video_urls": [VID] * 3,
        },
        {("/image_with_roles", "references-total")},
        set(),
    ),
    (
        "r2v five references",
        {
            "model": "wan2.7-r2v",
            "prompt": "p",
            "image_with_roles": [{"url": IMG}] * 2,
            "video_urls": [VID] * 3,
        },
        set(),
        set(),
    ),
    (
        "r2v six videos",
        {"model": "wan2.7-r2v", "prompt": "p", "video_urls": [VID] * 6},
        {("/video_urls", "video_urls-count"), ("/image_with_roles", "references-total")},
        set(),
    ),
    (
        "r2v size ignored with first frame",
        {
            "model": "wan2.7-r2v",
            "prompt": "p",
            "size": "9:16",
            "image_with_roles": [{"url": IMG, "role": "first_frame"}],
        },
        set(),
        {("/size", "size-ignored-with-first-frame")},
    ),
    (
        "r2v two first frames",
        {
            "model": "wan2.7-r2v",
            "prompt": "p",
            "image_with_roles": [
                {"url": IMG, "role": "first_frame"},
                {"url": IMG, "role": "first_frame"},
            ],
        },
        {("/image_with_roles/1/role", "one-first-frame")},
        set(),
    ),
    (
        "r2v lower-case resolution",
        {
            "model": "wan2.7-r2v",
            "prompt": "p",
            "resolution": "1080p",
            "image_with_roles": [{"url": IMG}],
        },
        {("/resolution", "resolution-enum")},
        set(),
    ),
    (
        "r2v bad role and voice",
        {
            "model": "wan2.7-r2v",
            "prompt": "p",
            "image_with_roles": [
                {"url": IMG, "role": "last_frame", "reference_voice": "voice.mp3"}
            ],
        },
        {
            ("/image_with_roles/0/role", "image_with_roles[].role-enum"),
            ("/image_with_roles/0/reference_voice", "image_with_roles[].reference_voice-format"),
        },
        set(),
    ),
    (
        "r2v image without url",
        {"model": "wan2.7-r2v", "prompt": "p", "image_with_roles": [{"role": "reference_image"}]},
        {("/image_with_roles/0/url", "image_with_roles[].url-required")},
        set(),
    ),
    (
        "r2v prompt 5001 chars",
        {"model": "wan2.7-r2v", "prompt": "x" * 5001, "video_urls": [VID]},
        {("/prompt", "prompt-length")},
        set(),
    ),
    (
        "r2v negative prompt 501",
        {"model": "wan2.7-r2v", "prompt": "p", "video_urls": [VID], "negative_prompt": "n" * 501},
        {("/negative_prompt", "negative_prompt-length")},
        set(),
    ),
    (
        "r2v negative seed",
        {"model": "wan2.7-r2v", "prompt": "p", "video_urls": [VID], "seed": -1},
        {("/seed", "seed-range")},
        set(),
    ),
    (
        "r2v typo'd field",
        {"model": "wan2.7-r2v", "prompt": "p", "video_urls": [VID], "durations": 5},
        set(),
        {("/durations", "body-unknown-field")},
    ),
    (
        "r2v duration as float",
        {"model": "wan2.7-r2v", "prompt": "p", "video_urls": [VID], "duration": 8.0},
        {("/duration", "duration-type")},
        set(),
    ),
    (
        "r2v duration as string",
        {"model": "wan2.7-r2v", "prompt": "p", "video_urls": [VID], "duration": "8"},
        {("/duration", "duration-type")},
        set(),
    ),
    # --- wan2.6 -----------------------------------------------------------------------------
    ("wan2.6 text-to-video", {"model": "wan2.6", "prompt": "p", "duration": 15}, set(), set()),
    (
        "wan2.6 duration 8",
        {"model": "wan2.6", "prompt": "p", "duration": 8},
        {("/duration", "duration-enum")},
        set(),
    ),
    (
        "wan2.6 no prompt, no image",
        {"model": "wan2.6"},
        {("/prompt", "prompt-required-text-to-video")},
        set(),
    ),
    ("wan2.6 image, no prompt", {"model": "wan2.6", "image_urls": [IMG]}, set(), set()),
    ("wan2.6 base64 image", {"model": "wan2.6", "image_urls": [PNG_URI]}, set(), set()),
    (
        "wan2.6 two images",
        {"model": "wan2.6", "image_urls": [IMG, IMG]},
        {("/image_urls", "image_urls-count")},
        set(),
    ),
    (
        "wan2.6 aspect ratio in image-to-video",
        {"model": "wan2.6", "image_urls": [IMG], "aspect_ratio": "9:16"},
        {("/aspect_ratio", "aspect-ratio-image-to-video")},
        set(),
    ),
    (
        "wan2.6 480p",
        {"model": "wan2.6", "prompt": "p", "resolution": "480p"},
        {("/resolution", "resolution-enum")},
        set(),
    ),
    (
        "wan2.6 upper-case 1080P",
        {"model": "wan2.6", "prompt": "p", "resolution": "1080P"},
        {("/resolution", "resolution-enum")},
        set(),
    ),
    (
        "wan2.6 audio and audio_url",
        {
            "model": "wan2.6",
            "prompt": "p",
            "audio": True,
            "audio_url": "https://cdn.example.com/a.mp3",
        },
        set(),
        {("/audio", "audio-ignored-with-audio-url")},
    ),
    (
        "wan2.6 shot type",
        {"model": "wan2.6", "prompt": "p", "shot_type": "double"},
        {("/shot_type", "shot_type-enum")},
        set(),
    ),
    # --- wan2.7-videoedit ---------------------------------------------------------------
    ("videoedit minimal", {"model": "wan2.7-videoedit", "video_urls": [VID]}, set(), set()),
    (
        "videoedit without video",
        {"model": "wan2.7-videoedit", "prompt": "p"},
        {("/video_urls", "video_urls-required")},
        set(),
    ),
    (
        "videoedit duration 1",
        {"model": "wan2.7-videoedit", "video_urls": [VID], "duration": 1},
        {("/duration", "duration-values")},
        set(),
    ),
    (
        "videoedit duration 0 and 2 and 10 pass",
        {"model": "wan2.7-videoedit", "video_urls": [VID], "duration": 2},
        set(),
        set(),
    ),
    (
        "videoedit duration 11",
        {"model": "wan2.7-videoedit", "video_urls": [VID], "duration": 11},
        {("/duration", "duration-values")},
        set(),
    ),
    (
        "videoedit five style images",
        {"model": "wan2.7-videoedit", "video_urls": [VID], "image_urls": [IMG] * 5},
        {("/image_urls", "image_urls-count")},
        set(),
    ),
    (
        "videoedit second video ignored",
        {"model": "wan2.7-videoedit", "video_urls": [VID, VID]},
        set(),
        {("/video_urls", "only-first-video-used")},
    ),
    (
        "videoedit audio setting",
        {"model": "wan2.7-videoedit", "video_urls": [VID], "metadata": {"audio_setting": "keep"}},
        {("/metadata/audio_setting", "metadata.audio_setting-enum")},
        set(),
    ),
    (
        "videoedit unknown metadata",
        {"model": "wan2.7-videoedit", "video_urls": [VID], "metadata": {"audio": "origin"}},
        set(),
        {("/metadata/audio", "metadata-unknown-field")},
    ),
    (
        "videoedit base64 style image",
        {"model": "wan2.7-videoedit", "video_urls": [VID], "image_urls": [PNG_URI]},
        {("/image_urls/0", "image_urls[]-format")},
        set(),
    ),
    # --- viduq3 / viduq3-mix -------------------------------------------------------------
    (
        "viduq3 duration 2",
        {"model": "viduq3", "prompt": "p", "image_urls": [IMG], "duration": 2},
        {("/duration", "duration-range")},
        set(),
    ),
    (
        "viduq3-mix duration 1",
        {"model": "viduq3-mix", "prompt": "p", "image_urls": [IMG], "duration": 1},
        set(),
        set(),
    ),
    (
        "viduq3 duration 17",
        {"model": "viduq3", "prompt": "p", "image_urls": [IMG], "duration": 17},
        {("/duration", "duration-range")},
        set(),
    ),
    (
        "viduq3-mix 540p",
        {"model": "viduq3-mix", "prompt": "p", "image_urls": [IMG], "resolution": "540p"},
        {("/resolution", "resolution-enum")},
        set(),
    ),
    (
        "viduq3 540p",
        {"model": "viduq3", "prompt": "p", "image_urls": [IMG], "resolution": "540p"},
        set(),
        set(),
    ),
    (
        "viduq3 eight images",
        {"model": "viduq3", "prompt": "p", "image_urls": [IMG] * 8},
        {("/image_urls", "image_urls-count")},
        set(),
    ),
    (
        "viduq3 no images",
        {"model": "viduq3", "prompt": "p", "image_urls": []},
        {("/image_urls", "image_urls-required"), ("/image_urls", "image_urls-count")},
        set(),
    ),
    (
        "viduq3 base64 image",
        {"model": "viduq3", "prompt": "p", "image_urls": [PNG_URI]},
        {("/image_urls/0", "image_urls[]-format")},
        set(),
    ),
    (
        "viduq3 no prompt",
        {"model": "viduq3", "image_urls": [IMG]},
        {("/prompt", "prompt-required")},
        set(),
    ),
    # --- wan2.7-image / wan2.7-image-pro --------------------------------------------------
    (
        "image data URI of a type the page does not list (SVG)",
        {"model": "wan2.7-image", "prompt": "p", "image_urls": [SVG_URI]},
        {("/image_urls/0", "image_urls[]-media-type")},
        set(),
    ),
    (
        "image data URI of a type the page does not list (GIF)",
        {"model": "wan2.7-image-pro", "prompt": "p", "image_urls": [IMG, GIF_URI]},
        {("/image_urls/1", "image_urls[]-media-type")},
        set(),
    ),
    (
        "image data URI whose data is not the type it declares",
        {"model": "wan2.7-image", "prompt": "p", "image_urls": [PNG_URI.replace("png", "jpeg")]},
        {("/image_urls/0", "image_urls[]-media-type")},
        set(),
    ),
    (
        "image data URIs of listed types, any case, jpg alias",
        {
            "model": "wan2.7-image",
            "prompt": "p",
            "image_urls": [PNG_URI, "data:image/JPG;base64,/9j/4AAQSkZJRgABAQ==", BMP_URI],
        },
        set(),
        set(),
    ),
    (
        "pro 4K text-to-image",
        {"model": "wan2.7-image-pro", "prompt": "p", "size": "4K"},
        set(),
        set(),
    ),
    (
        "image 4K",
        {"model": "wan2.7-image", "prompt": "p", "size": "4K"},
        {("/size", "size-4k-pro-only")},
        set(),
    ),
    (
        "image resolution 4K",
        {"model": "wan2.7-image", "prompt": "p", "resolution": "4K", "size": "16:9"},
        {("/resolution", "resolution-enum")},
        set(),
    ),
    (
        "pro 4K editing",
        {"model": "wan2.7-image-pro", "prompt": "p", "image_urls": [IMG], "size": "4K"},
        {("/size", "size-4k-editing")},
        set(),
    ),
    (
        "pro 4K sequential",
        {
            "model": "wan2.7-image-pro",
            "prompt": "p",
            "enable_sequential": True,
            "resolution": "4K",
            "size": "1:1",
        },
        {("/resolution", "resolution-4k-sequential")},
        set(),
    ),
    (
        "pro pixels 4096 text-to-image",
        {"model": "wan2.7-image-pro", "prompt": "p", "size": "4096*4096"},
        set(),
        set(),
    ),
    (
        "pro pixels 4097",
        {"model": "wan2.7-image-pro", "prompt": "p", "size": "4097x1024"},
        {("/size", "pixels-text-to-image")},
        set(),
    ),
    (
        "pro pixels 3000 editing",
        {"model": "wan2.7-image-pro", "prompt": "p", "image_urls": [IMG], "size": "3000x1024"},
        {("/size", "pixels-editing-or-sequential")},
        set(),
    ),
    (
        "image pixels 2049",
        {"model": "wan2.7-image", "prompt": "p", "size": "2049x1024"},
        {("/size", "pixels")},
        set(),
    ),
    (
        "image pixels 512",
        {"model": "wan2.7-image", "prompt": "p", "size": "512x512"},
        {("/size", "pixels")},
        set(),
    ),
    (
        "image bad size",
        {"model": "wan2.7-image", "prompt": "p", "size": "21:9"},
        {("/size", "size-format")},
        set(),
    ),
    ("image n 5", {"model": "wan2.7-image", "prompt": "p", "n": 5}, {("/n", "n-standard")}, set()),
    (
        "image n 12 sequential",
        {"model": "wan2.7-image", "prompt": "p", "n": 12, "enable_sequential": True},
        set(),
        set(),
    ),
    (
        "image n 13 sequential",
        {"model": "wan2.7-image", "prompt": "p", "n": 13, "enable_sequential": True},
        {("/n", "n-sequential")},
        set(),
    ),
    ("image n 0", {"model": "wan2.7-image", "prompt": "p", "n": 0}, {("/n", "n-standard")}, set()),
    (
        "image no prompt",
        {"model": "wan2.7-image"},
        {("/prompt", "prompt-required-text-to-image")},
        set(),
    ),
    ("image editing without prompt", {"model": "wan2.7-image", "image_urls": [IMG]}, set(), set()),
    (
        "image ten inputs",
        {"model": "wan2.7-image", "image_urls": [IMG] * 10},
        {("/image_urls", "image_urls-count")},
        set(),
    ),
    (
        "image palette ok",
        {"model": "wan2.7-image", "prompt": "p", "color_palette": PALETTE},
        set(),
        set(),
    ),
    (
        "image palette 99.99",
        {
            "model": "wan2.7-image",
            "prompt": "p",
            "color_palette": [{"hex": "#000000", "ratio": "33.33%"}] * 3,
        },
        {("/color_palette", "color-palette-sum")},
        set(),
    ),
    (
        "image palette two entries",
        {
            "model": "wan2.7-image",
            "prompt": "p",
            "color_palette": [{"hex": "#000000", "ratio": "50.00%"}] * 2,
        },
        {("/color_palette", "color_palette-count")},
        set(),
    ),
    (
        "image palette bad hex and number ratio",
        {
            "model": "wan2.7-image",
            "prompt": "p",
            "color_palette": [
                {"hex": "C2D1E6", "ratio": "50%"},
                {"hex": "#000000", "ratio": 25},
                {"hex": "#FFFFFF", "ratio": "25%"},
            ],
        },
        {
            ("/color_palette/0/hex", "color_palette[].hex-format"),
            ("/color_palette/1/ratio", "color_palette[].ratio-type"),
        },
        set(),
    ),
    (
        "image palette entry missing ratio",
        {
            "model": "wan2.7-image",
            "prompt": "p",
            "color_palette": [
                {"hex": "#000000"},
                {"hex": "#000001", "ratio": "50%"},
                {"hex": "#000002", "ratio": "50%"},
            ],
        },
        {("/color_palette/0/ratio", "color_palette[].ratio-required")},
        set(),
    ),
    (
        "image palette in sequential",
        {
            "model": "wan2.7-image",
            "prompt": "p",
            "enable_sequential": True,
            "color_palette": PALETTE,
        },
        set(),
        {("/color_palette", "color-palette-ignored-in-sequential")},
    ),
    (
        "image thinking mode when editing",
        {"model": "wan2.7-image", "image_urls": [IMG], "thinking_mode": True},
        set(),
        {("/thinking_mode", "thinking-mode-ignored")},
    ),
    (
        "image bbox matches images",
        {
            "model": "wan2.7-image-pro",
            "prompt": "p",
            "image_urls": [IMG, IMG],
            "bbox_list": [[], [[1, 2, 30, 40]]],
        },
        set(),
        set(),
    ),
    (
        "image bbox count mismatch",
        {"model": "wan2.7-image-pro", "prompt": "p", "image_urls": [IMG, IMG], "bbox_list": [[]]},
        {("/bbox_list", "bbox-list-per-image")},
        set(),
    ),
    (
        "image bbox without images",
        {"model": "wan2.7-image-pro", "prompt": "p", "bbox_list": [[[1, 2, 30, 40]]]},
        {("/bbox_list", "bbox-list-per-image")},
        set(),
    ),
    (
        "image three boxes",
        {
            "model": "wan2.7-image-pro",
            "prompt": "p",
            "image_urls": [IMG],
            "bbox_list": [[[1, 2, 3, 4]] * 3],
        },
        {("/bbox_list/0", "bbox_list[]-count")},
        set(),
    ),
    (
        "image box of three numbers",
        {
            "model": "wan2.7-image-pro",
            "prompt": "p",
            "image_urls": [IMG],
            "bbox_list": [[[1, 2, 3]]],
        },
        {("/bbox_list/0/0", "bbox_list[][]-count")},
        set(),
    ),
    (
        "image inverted box",
        {
            "model": "wan2.7-image-pro",
            "prompt": "p",
            "image_urls": [IMG],
            "bbox_list": [[[30, 2, 3, 40]]],
        },
        {("/bbox_list/0/0", "bbox-corners")},
        set(),
    ),
    (
        "image negative coordinate",
        {
            "model": "wan2.7-image-pro",
            "prompt": "p",
            "image_urls": [IMG],
            "bbox_list": [[[-1, 2, 3, 40]]],
        },
        {("/bbox_list/0/0/0", "bbox_list[][][]-range")},
        set(),
    ),
    (
        "image seed too large",
        {"model": "wan2.7-image", "prompt": "p", "seed": 2147483648},
        {("/seed", "seed-range")},
        set(),
    ),
    (
        "image seed at max",
        {"model": "wan2.7-image", "prompt": "p", "seed": 2147483647},
        set(),
        set(),
    ),
    (
        "image resolution with tier size",
        {"model": "wan2.7-image", "prompt": "p", "size": "2K", "resolution": "1K"},
        set(),
        {("/resolution", "resolution-with-ratio-size-only")},
    ),
    (
        "image ratio ignored when editing",
        {"model": "wan2.7-image", "image_urls": [IMG], "size": "16:9"},
        set(),
        {("/size", "size-ratio-follows-last-image")},
    ),
    (
        "image sequential as string",
        {"model": "wan2.7-image", "prompt": "p", "enable_sequential": "true", "n": 8},
        {("/enable_sequential", "enable_sequential-type"), ("/n", "n-standard")},
        set(),
    ),
    # --- null items: a null field is absent, a null item of an array is a wrong type ---------
    (
        "videoedit null video item",
        {"model": "wan2.7-videoedit", "video_urls": [None]},
        {("/video_urls/0", "video_urls[]-type")},
        set(),
    ),
    (
        "wan2.6 null image item is no image-to-video",
        {"model": "wan2.6", "image_urls": [None]},
        {("/image_urls/0", "image_urls[]-type")},
        set(),
    ),
    (
        "viduq3 null image item",
        {"model": "viduq3", "prompt": "p", "image_urls": [IMG, None]},
        {("/image_urls/1", "image_urls[]-type")},
        set(),
    ),
    (
        "r2v null reference items",
        {"model": "wan2.7-r2v", "prompt": "p", "image_with_roles": [None], "video_urls": [None]},
        {
            ("/image_with_roles/0", "image_with_roles[]-type"),
            ("/video_urls/0", "video_urls[]-type"),
        },
        set(),
    ),
    (
        "r2v null role field counts as absent",
        {"model": "wan2.7-r2v", "prompt": "p", "image_with_roles": [{"url": IMG, "role": None}]},
        set(),
        set(),
    ),
    (
        "image null image item",
        {"model": "wan2.7-image", "image_urls": [None]},
        {("/image_urls/0", "image_urls[]-type")},
        set(),
    ),
    (
        "image null box and null coordinate",
        {
            "model": "wan2.7-image",
            "prompt": "p",
            "image_urls": [IMG, IMG],
            "bbox_list": [[None], [[1, None, 30, 40]]],
        },
        {("/bbox_list/0/0", "bbox_list[][]-type"), ("/bbox_list/1/0/1", "bbox_list[][][]-type")},
        set(),
    ),
    (
        "image null palette entry",
        {"model": "wan2.7-image", "prompt": "p", "color_palette": [*PALETTE, None]},
        {("/color_palette/3", "color_palette[]-type")},
        set(),
    ),
    (
        "image null top-level field is absent",
        {"model": "wan2.7-image", "prompt": "p", "image_urls": None, "n": None},
        set(),
        set(),
    ),
]


@pytest.fixture(scope="module")
def interpreter() -> Interpreter:
    return Interpreter(specs())


def _pairs(model: str | None, violations: Any) -> set[tuple[str, str]]:
    return {(v.path, v.rule.removeprefix(f"{model}/")) for v in violations}


@pytest.mark.parametrize(
    ("name", "payload", "errors", "warnings"), CASES, ids=[c[0] for c in CASES]
)
def test_verdict(
    name: str,
    payload: dict[str, Any],
    errors: set[tuple[str, str]],
    warnings: set[tuple[str, str]],
    interpreter: Interpreter,
) -> None:
    report = apimart.validate(payload)
    assert _pairs(report.model, report.errors) == errors
    assert _pairs(report.model, report.warnings) == warnings
    assert report.valid is (not errors)
    verdict = interpreter.judge(payload)
    assert [v.to_dict() for v in verdict.errors] == [v.to_dict() for v in report.errors]
    assert [v.to_dict() for v in verdict.warnings] == [v.to_dict() for v in report.warnings]


def test_messages_name_the_value_and_the_rule() -> None:
    report = apimart.validate(
        {"model": "wan2.7-r2v", "prompt": "p", "video_urls": [VID], "duration": 12}
    )
    (error,) = report.errors
    assert error.to_dict() == {
        "path": "/duration",
        "rule": "wan2.7-r2v/duration-with-video",
        "message": "duration must be between 2 and 10 when a reference video is given, got 12",
    }


def test_case_slips_get_a_hint() -> None:
    (error,) = apimart.validate({"model": "wan2.6", "prompt": "p", "resolution": "1080P"}).errors
    assert error.message.endswith('got "1080P" (did you mean "1080p"?)')


def test_long_values_are_cut_in_messages() -> None:
    report = apimart.validate({"model": "wan2.6", "prompt": "p", "shot_type": "s" * 10_000})
    (error,) = report.errors
    assert len(error.message) < 200 and "(10000 characters)" in error.message


def test_dispatch_errors() -> None:
    assert apimart.validate([]).errors[0].rule == "apimart/body-type"
    assert apimart.validate({}).errors[0].to_dict() == {
        "path": "/model",
        "rule": "apimart/model",
        "message": "model is required",
    }
    unknown = apimart.validate({"model": "sora-2"})
    assert unknown.model is None and 'unknown model "sora-2"' in unknown.errors[0].message


@pytest.mark.parametrize("name", ["WAN2.6", "Wan2.6", " wan2.6"])
def test_a_slip_of_case_in_the_model_name_is_an_unknown_model_with_a_hint(name: str) -> None:
    """Model names are compared as they are; the one meant is named, the body judged by none."""
    message = (
        f'unknown model "{name}" (did you mean "wan2.6"?); known models: viduq3, viduq3-mix, '
        "wan2.6, wan2.7-image, wan2.7-image-pro, wan2.7-r2v, wan2.7-videoedit"
    )
    for verdict in (
        apimart.validate({"model": name, "prompt": "p"}),
        Interpreter(specs()).judge({"model": name, "prompt": "p"}),
    ):
        assert verdict.model is None
        assert [v.to_dict() for v in verdict.errors] == [
            {"path": "/model", "rule": "apimart/model", "message": message}
        ]
