"""What is left for a person: clauses that read as a constraint and gave no rule, and
values stated but not checked, under ``unchecked:`` with a reason."""

from __future__ import annotations

import re
from typing import Any

from apimart_codegen.scaffold._clauses import clauses, reads_as_constraint
from apimart_codegen.scaffold._collect import Collected, Draft
from apimart_codegen.scaffold._page import Page
from apimart_codegen.scaffold._read import title

_LIMIT = re.compile(
    r"(?i)\d|\b(must|only|max\w*|min\w*|up to|at most|at least|required|between|range|limit)\b"
)


def review_notes(
    page: Page, models: list[str], names: list[str], collected: Collected, out: Draft
) -> None:
    """Clauses a person would read as a constraint that gave no rule: kept under review."""
    seen = {quote for quote, _ in out.review}
    for block in page.blocks:
        heading = title(block)
        for line in block.lines + [item for c in block.children for item in c.lines]:
            if line.text in collected.used or line.text.endswith(":"):
                continue
            for clause in clauses(line.text, line.number):
                text = clause.text
                if text in collected.used or text in seen or not reads_as_constraint(text):
                    continue
                if text.rstrip(".") == heading.rstrip(".") and not _LIMIT.search(text):
                    continue  # "Output file format.": the parameter's title, quoted as its source
                if any(text in used or used in text for used in collected.used if len(used) > 12):
                    continue
                seen.add(text)
                out.review.append((text, f"review: {block.name}: no rule was drafted from this"))
    mentioned = re.compile(
        "|".join(re.escape(n) for n in names + models if len(n) > 3) or r"(?!x)x"
    )
    skip = {body.quote for body in page.bodies}
    for line in page.notes:
        text = line.text
        if text in skip or text in collected.used or text in seen:
            continue
        if re.match(r"^(?:--data(?:-raw)?|-d)\s+'?\{", text):
            continue  # a one-line request body, an example already
        if ("⚠" in text or mentioned.search(text)) and reads_as_constraint(text) and len(text) > 8:
            seen.add(text)
            out.review.append((text, "review: a note on the page; no rule was drafted from it"))


def unchecked(collected: Collected, out: Draft) -> list[dict[str, Any]]:
    items = []
    for (_, param, _, keyword), finding in collected.values.items():
        if keyword == "media_types" and finding.quote and finding.quote not in collected.placed:
            items.append(
                (
                    finding.quote,
                    f"{param}: a file's format behind a URL is only known by fetching it; "
                    "review whether the list should be checked on data URIs",
                )
            )
    for quote, why in out.review:
        items.append((quote, why))
    seen: set[str] = set()
    unique = []
    for quote, why in items:
        if quote in seen:
            continue
        seen.add(quote)
        unique.append({"source": quote, "reason": why})
    return unique
