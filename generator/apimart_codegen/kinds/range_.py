"""``range``: a number lies within bounds, or within one of several intervals."""

from __future__ import annotations

from apimart_codegen.jsonvalue import is_number
from apimart_codegen.kinds.bounds import BoundsKind


class RangeKind(BoundsKind):
    name = "range"
    low_keyword, high_keyword = "minimum", "maximum"
    schema_keywords = ("minimum", "maximum")
    facet = "numbers"
    least = None
    suffix = "range"
    guard = "_is_number(value)"
    measured = "value"
    shows_value = True

    def measure(self, value: object) -> float | None:
        return value if is_number(value) else None


KIND = RangeKind()
