"""``media_type``: a data URI declares an allowed media type and holds data of that type.

An http(s) URL names a file the validator cannot fetch, so only ``data:`` URIs are judged:
the type they declare (``data:image/svg+xml;base64,...``) must be one of the listed ones, and
when the data is base64 its first bytes must carry that type's signature (a PNG declared as
``image/jpeg`` is refused too). Both are known offline; pixel size and file size are not.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from apimart_codegen.jsonvalue import show
from apimart_codegen.kinds.base import Break, Code, Draft, Finding, RuleKind, options, replaced
from apimart_codegen.kinds.schema import portable
from apimart_codegen.spec.model import Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan

_MEDIA_TYPES = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "string", "pattern": r"^[a-z]+/[a-z0-9.+-]+$"},
}

ALIASES: Mapping[str, str] = {"image/jpg": "image/jpeg", "image/x-ms-bmp": "image/bmp"}
"""Names seen in the wild for a registered media type."""
_HEAD_CHARS = 16
"""Base64 characters decoded to read a signature: 12 bytes, enough for every type below."""


def _signature(head: bytes) -> str | None:
    """The media type whose magic bytes ``head`` starts with, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"BM"):
        return "image/bmp"
    return None


SIGNED = ("image/bmp", "image/gif", "image/jpeg", "image/png", "image/webp")
"""The types whose content the check recognises; data declared as another type is not read."""


def problem(value: str, allowed: tuple[str, ...]) -> str | None:
    """Why the data URI ``value`` is refused (the message's tail), or None when it is not."""
    if value[:5].lower() != "data:":
        return None
    header, comma, data = value[5:].partition(",")
    declared, *extras = header.split(";")
    media_type = declared.strip().lower()
    media_type = ALIASES.get(media_type, media_type)
    if media_type not in allowed:
        return f", got a data URI of type {show(media_type)}"
    if not comma or "base64" not in (extra.strip().lower() for extra in extras):
        return None
    if media_type not in SIGNED:
        return None
    head = data[:_HEAD_CHARS]
    try:
        content = _signature(base64.b64decode(head + "=" * (-len(head) % 4)))
    except (binascii.Error, ValueError):
        content = None
    if content == media_type:
        return None
    found = "no image it recognises" if content is None else show(content)
    return f", got a data URI declared {show(media_type)} whose data is {found}"


class MediaTypeKind(RuleKind):
    name = "media_type"
    rule_schema = {"media_types": _MEDIA_TYPES}
    rule_required = ("media_types",)
    keywords = {"media_types": _MEDIA_TYPES}

    def from_parameter(self, param: Mapping[str, Any], type_name: str) -> Iterator[Draft]:
        if "media_types" in param:
            yield Draft("media-type", "media_types", {"media_types": list(param["media_types"])})

    def default_message(self, rule: Rule) -> str:
        types = options(rule.params["media_types"])
        return f"a data URI in {rule.label} must be of type {types}"

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        if isinstance(value, str):
            tail = problem(value, tuple(rule.params["media_types"]))
            if tail is not None:
                yield Finding(at, self.message(rule) + tail)

    def emit(self, rule: Rule, code: Code) -> list[str]:
        allowed = code.lit(list(rule.params["media_types"]))
        message = code.message(self.default_message(rule))
        return [
            "if "
            + code.guarded(
                "isinstance(value, str)",
                f"(refused := _data_uri_problem(value, {allowed})) is not None",
            )
            + ":",
            "    " + code.fail(code.at, f"{message} + refused"),
        ]

    def json_schema_part(self, rule: Rule) -> Mapping[str, Any]:
        """The declared type, as a pattern; whether the data carries it JSON Schema cannot say."""
        return {"not": {"type": "string", "pattern": foreign_data_uri(rule.params["media_types"])}}

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        allowed = [t for t in rule.params["media_types"] if t in SAMPLES]

        def shape(draw: Any, value: Any, _pinned: frozenset[int]) -> Any:
            from hypothesis import strategies as st

            if isinstance(value, str) and value[:5].lower() == "data:" and allowed:
                return data_uri(draw(st.sampled_from(allowed)))
            return value

        plan.shapers.append(shape)

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break:
        from hypothesis import strategies as st

        allowed = set(rule.params["media_types"])
        foreign = [t for t in SAMPLES if t not in allowed] + ["image/svg+xml", "image/tiff"]
        declared_wrongly = [
            f"data:{declared};base64,{SAMPLES[actual]}"
            for declared in sorted(allowed & set(SAMPLES))
            for actual in SAMPLES
            if actual != declared
        ]
        bad = [f"data:{t};base64,{SAMPLES.get(t, SAMPLES['image/png'])}" for t in foreign]
        return Break(replaced(st.sampled_from(bad + declared_wrongly)))


SAMPLES: Mapping[str, str] = {
    media_type: base64.b64encode(head + bytes(16 - len(head))).decode()
    for media_type, head in (
        ("image/jpeg", b"\xff\xd8\xff\xe0"),
        ("image/png", b"\x89PNG\r\n\x1a\n"),
        ("image/gif", b"GIF89a"),
        ("image/webp", b"RIFF\x00\x00\x00\x00WEBP"),
        ("image/bmp", b"BM"),
    )
}
"""Base64 data that starts with each type's signature: what a well-formed data URI holds."""


def foreign_data_uri(allowed: Sequence[str]) -> str:
    """A pattern matching the data URIs that ``problem`` refuses for their declared type.

    The scheme and the type are matched in any case, the type's aliases count as the type,
    and spaces around it (Python's ``str.strip``) are spelled as Python's ``\\s``.
    """
    names = sorted({*allowed, *(alias for alias, name in ALIASES.items() if name in allowed)})
    space = portable(r"\s*")
    types = "|".join(_caseless(name) for name in names)
    return f"^{_caseless('data:')}(?!{space}(?:{types}){space}(?:[;,]|(?![\\s\\S])))"


def _caseless(text: str) -> str:
    return "".join(
        f"[{char.upper()}{char}]" if char.isalpha() else "\\" + char if char in ".+" else char
        for char in text.lower()
    )


def data_uri(media_type: str) -> str:
    return f"data:{media_type};base64,{SAMPLES[media_type]}"


KIND = MediaTypeKind()
