"""Tables of models with their limits: a column per model, or a row per model.

A table comes as the site renders it (cells glued together: ``Duration range3-16 seconds``),
with pipes (``| orbit-v1 | 5 | 5, 10 |``, with or without the outer pipes) or with tabs. A
delimited table's header names what each column holds ("Max images", "Durations"); each
cell is read as the parameter the header names would state it, quoting its row. A cell no
parameter or wording accounts for is kept for a person, never dropped."""

from __future__ import annotations

import re
from dataclasses import replace

from apimart_codegen.scaffold._collect import Collected, Draft
from apimart_codegen.scaffold._page import Line, Page, cells
from apimart_codegen.scaffold._recognise import (
    NUMBER,
    Finding,
    Scope,
    list_values,
    number,
    recognise,
)


def read_tables(
    page: Page, models: list[str], names: list[str], collected: Collected, out: Draft
) -> None:
    """Tables of models with their limits: a column per model, or a row per model."""
    if len(models) < 2:
        return
    by_length = sorted(models, key=len, reverse=True)
    pattern = "|".join(map(re.escape, by_length))
    lines = page.notes
    _delimited(page, lines, models, names, collected, out)
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


def _delimited(
    page: Page,
    lines: list[Line],
    models: list[str],
    names: list[str],
    collected: Collected,
    out: Draft,
) -> None:
    index = 0
    while index < len(lines):
        header = cells(lines[index].text)
        start = index
        index += 1
        if header is None:
            continue
        rows = []
        while index < len(lines) and (row := cells(lines[index].text)) is not None:
            rows.append((lines[index], row))
            index += 1
        by_row = re.fullmatch(r"(?i)models?( name)?", header[0]) is not None
        by_column = len(header) > 1 and all(cell in models for cell in header[1:])
        for line, row in rows:
            if len(row) != len(header) or (by_row and row[0] not in models):
                continue
            if by_row:
                found = [
                    (head, row[0], cell) for head, cell in zip(header[1:], row[1:], strict=True)
                ]
            elif by_column:
                found = [
                    (row[0], model, cell) for model, cell in zip(header[1:], row[1:], strict=True)
                ]
            else:
                continue
            _cells_into(page, line, found, models, names, collected, out)
            collected.used.add(lines[start].text)


def _cells_into(
    page: Page,
    line: Line,
    found: list[tuple[str, str, str]],
    models: list[str],
    names: list[str],
    collected: Collected,
    out: Draft,
) -> None:
    """Each (column header, model, cell) of a row, read as what the header names."""
    for header, model, cell in found:
        param = _param_named(header, names)
        block = page.block(param) if param else None
        findings: list[Finding] = []
        if param is not None and block is not None:
            scope = Scope(param, block.type, block.item_type, models, names)
            findings = _cell(header, cell, scope)
        for finding in findings:
            collected.add(param or "", replace(finding, quote=line.text, model=model))
        if not findings and cell.strip() not in ("", "-", "—"):
            why = f"review: table column {header!r} for {model}: no rule was drafted from it"
            out.review.append((cell, why))


def _cell(header: str, cell: str, scope: Scope) -> list[Finding]:
    """ "1-8 images", "5" under "Max images", "5, 10" under "Durations"."""
    kept = ("minimum", "maximum", "min_items", "max_items", "min_length", "max_length", "enum")
    found = [f for f in recognise(cell, scope) if f.keyword in kept and not f.target]
    if found:
        return found
    side = re.search(r"(?i)\b(max(?:imum)?|up to|min(?:imum)?)\b", header)
    if side and re.fullmatch(NUMBER, cell.strip()):
        keywords = {"array": ("min_items", "max_items"), "string": ("min_length", "max_length")}
        low, high = keywords.get(scope.type, ("minimum", "maximum"))
        keyword = low if side.group(1).lower().startswith("min") else high
        return [Finding(keyword, number(cell.strip()), cell)]
    if side is None and scope.type in ("integer", "number", "string"):
        parsed = list_values(cell, scope)
        if parsed is not None:
            return [Finding("enum", parsed[0], cell)]
    return []
