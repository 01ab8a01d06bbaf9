"""``length``: a string's length in characters (Unicode code points) lies within bounds."""

from __future__ import annotations

from apimart_codegen.kinds.bounds import BoundsKind


class LengthKind(BoundsKind):
    name = "length"
    low_keyword, high_keyword = "min_length", "max_length"
    schema_keywords = ("minLength", "maxLength")
    facet = "length"
    suffix = "length"
    unit = "characters"
    guard = "isinstance(value, str)"

    def measure(self, value: object) -> float | None:
        return len(value) if isinstance(value, str) else None


KIND = LengthKind()
