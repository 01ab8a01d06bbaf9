"""``item_count``: an array has a number of items within bounds."""

from __future__ import annotations

from apimart_codegen.kinds.bounds import BoundsKind


class ItemCountKind(BoundsKind):
    name = "item_count"
    low_keyword, high_keyword = "min_items", "max_items"
    schema_keywords = ("minItems", "maxItems")
    facet = "count"
    suffix = "count"
    verb = "have"
    unit = "items"
    guard = "isinstance(value, list)"

    def measure(self, value: object) -> float | None:
        return len(value) if isinstance(value, list) else None


KIND = ItemCountKind()
