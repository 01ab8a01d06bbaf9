"""Tables of models with their limits: a column per model, or a row per model."""

from __future__ import annotations

import re

from apimart_codegen.scaffold._collect import Collected
from apimart_codegen.scaffold._page import Line, Page
from apimart_codegen.scaffold._recognise import (
    Finding,
)


def read_tables(page: Page, models: list[str], names: list[str], collected: Collected) -> None:
    """Tables of models with their limits: a column per model, or a row per model."""
    if len(models) < 2:
        return
    by_length = sorted(models, key=len, reverse=True)
    pattern = "|".join(map(re.escape, by_length))
    lines = page.notes
    for index, line in enumerate(lines):
        header = re.findall(pattern, line.text)
        if len(header) >= 2 and re.fullmatch(rf"[A-Za-z ]*(?:{pattern})+", line.text):
            columns = header
            for row in lines[index + 1 :]:
                if re.match(pattern, row.text) or not row.text:
                    break
                _table_row(row, columns, names, models, collected)
        if re.match(r"^Model[A-Z]", line.text):
            heads = re.split(r"(?<=[a-z)])(?=[A-Z])", line.text)[1:]
            for row in lines[index + 1 :]:
                found = re.match(rf"^({pattern})(.*)$", row.text)
                if not found:
                    break
                _model_row(row, found.group(1), found.group(2), heads, names, models, collected)


def _table_row(
    row: Line, columns: list[str], names: list[str], models: list[str], collected: Collected
) -> None:
    label = re.match(r"^[A-Za-z ]+", row.text)
    if label is None:
        return
    param = _param_named(label.group(0), names)
    if param is None:
        return
    cells = re.findall(
        r"(\d+)\s*[-–~]\s*(\d+)(?:\s*(?:seconds?|images?|videos?|characters?))?", row.text
    )
    if len(cells) != len(columns):
        return
    for model, (low, high) in zip(columns, cells, strict=True):
        words = row.text.lower()
        lows, highs = _keywords_for(words)
        collected.add(param, Finding(lows, int(low), row.text, model=model))
        collected.add(param, Finding(highs, int(high), row.text, model=model))


def _model_row(
    row: Line,
    model: str,
    rest: str,
    heads: list[str],
    names: list[str],
    models: list[str],
    collected: Collected,
) -> None:
    cells = re.findall(r"(\d+)\s*[-–~]\s*(\d+)\s*(seconds?|images?|videos?|characters?)?", rest)
    params = [_param_named(head, names) for head in heads]
    ranged = [
        p
        for p, head in zip(params, heads, strict=True)
        if p and re.search(r"(?i)range|images|seconds|count|number", head)
    ]
    if len(cells) != len(ranged):
        return
    for param, (low, high, unit) in zip(ranged, cells, strict=True):
        lows, highs = _keywords_for(unit or "seconds")
        collected.add(param, Finding(lows, int(low), row.text, model=model))
        collected.add(param, Finding(highs, int(high), row.text, model=model))


def _keywords_for(words: str) -> tuple[str, str]:
    if "image" in words or "video" in words or "item" in words:
        return "min_items", "max_items"
    if "character" in words:
        return "min_length", "max_length"
    return "minimum", "maximum"


def _param_named(label: str, names: list[str]) -> str | None:
    words = [w.lower().rstrip("s") for w in re.findall(r"[A-Za-z]+", label)]
    found = [n for n in names if any(part.rstrip("s") in words for part in n.split("_"))]
    found = [n for n in found if n != "model"]
    return found[0] if len(found) == 1 else None
