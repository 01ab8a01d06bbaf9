"""A vendor page read as the parts a spec is drafted from.

The stored pages come in two shapes. The documentation site's own (what ``docs pull``
writes): under "Request Parameters" (or "Body") each parameter is a block, its name alone
on a line, its type on the next, then ``required`` and ``default:"x"`` lines, then its
description, list items as ``  • text``. The older, flattened shape lost the names, types
and bullets: each parameter is a description line, and its name is found in the page's
own request bodies, which send the parameters in the order the list documents them.
A Markdown page is read line by line the same way once its markup is set aside: headings,
list markers and quote markers are not part of a line's text, code fences are skipped,
and a list item ``- `name` (type, required) — description`` is a parameter's block in one
line. A line's text is always an exact piece of the page, so a rule quoting it stands.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from apimart_codegen.lint import doc_body_spans

BULLET = "  • "
_NAME_LINE = re.compile(r"^[a-z][a-z0-9_]*$")
# "string", "array<url>", and as documentation sites render them: "enum<string>", "string[]",
# "integer | null"
_TYPE_LINE = re.compile(
    r"^(?:(?P<plain>string|integer|number|boolean|object|file|url)"
    r"|array(?:<(?P<inner>[a-z]+)>)?|enum<(?P<enum>[a-z]+)>|(?P<listed>[a-z]+)\[\])"
    r"(?:\s*\|\s*null)?$",
    re.IGNORECASE,
)
_DEFAULT_LINE = re.compile(r'^default:\s*"(.*)"$')
# "required", "Required", "(optional)", "*required*", "Required: no"
_MARKER = re.compile(
    r"^\(?\*{0,2}(required|optional)\*{0,2}\)?(?::\s*(yes|no|true|false))?$", re.IGNORECASE
)
# Markdown: "## Heading", "> quote", "- item", "```json"; a table's "|---|---|" rule
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_QUOTE = re.compile(r"^>\s?")
_MD_ITEM = re.compile(r"^[-*+]\s+")
_MD_FENCE = re.compile(r"^\s*(```|~~~)")
_MD_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_COLUMNS = {
    "name": ("parameter", "name", "field", "param"),
    "type": ("type",),
    "required": ("required", "required?", "mandatory"),
    "default": ("default",),
    "description": ("description", "notes", "details", "meaning"),
}
# a parameter in one line: "- `name` (array<url>, required) — description"
_INLINE_HEAD = re.compile(
    r"^(?:`|\*\*)([a-z][a-z0-9_]*)(?:`|\*\*)\s*\(([a-z<>\[\]]+)((?:,\s*[^)]*)?)\)\s*(?:[—–:-]\s*)?(.*)$"
)
REQUEST_HEADINGS = frozenset({"Request Parameters", "Body", "Request Body", "Parameters"})
STOP_HEADINGS = frozenset({"Response", "Responses", "Use Cases", "Examples", "Example"})
# "url (string): image URL", "reference_voice (string, optional): a voice sample"
_CHILD = re.compile(
    r"^(?:`|\*\*)?([a-z][a-z0-9_]*)(?:`|\*\*)? "
    r"\(([a-z<>\[\]]+)(, ?(optional|required))?\):?\s*(.*)$"
)
# flattened pages: lines that continue a description rather than start a parameter
_LABEL = re.compile(r"^[^:]{1,25}:\s+\S")
_OPTION = re.compile(r"^\S{1,40} [-—–] ")


@dataclass(slots=True)
class Line:
    """One line of a page: its text without the bullet, its number, whether it is a list item."""

    text: str
    number: int
    bullet: bool = False
    indent: int = 0
    heading: bool = False
    marker: str = "•"  # a list item's marker as the page writes it: "•", "-", "*"


@dataclass(slots=True)
class Block:
    """A documented parameter: name, type line, required/default lines, its description."""

    name: str
    type_text: str
    required: bool = False
    default: str | None = None
    default_quote: str | None = None
    lines: list[Line] = field(default_factory=list)
    children: list[Block] = field(default_factory=list)
    head: Line | None = None  # the line the block starts with (flattened pages)
    inferred: bool = False  # name and type come from the request bodies

    @property
    def type(self) -> str:
        found = _TYPE_LINE.match(self.type_text)
        if found is None:
            return "string"
        if found.group("listed") or found.group(0).lower().startswith("array"):
            return "array"
        word = (found.group("plain") or found.group("enum") or "string").lower()
        return {"file": "string", "url": "string"}.get(word, word)

    @property
    def item_type(self) -> str | None:
        found = _TYPE_LINE.match(self.type_text)
        inner = found.group("inner") or found.group("listed") if found else None
        return inner.lower() if inner else None


@dataclass(slots=True)
class Body:
    name: str
    quote: str
    body: dict[str, Any]


@dataclass(slots=True)
class Page:
    text: str
    endpoint: str | None
    response: dict[str, Any] | None
    blocks: list[Block]
    notes: list[Line]  # lines outside the parameter blocks and the JSON: tables, notes
    bodies: list[Body]
    flattened: bool

    def block(self, name: str) -> Block | None:
        return next((b for b in self.blocks if b.name == name), None)


def read_page(text: str) -> Page:
    raw_lines = text.split("\n")
    json_lines, bodies, response, endpoint = _json_parts(text, raw_lines)
    lines = [
        line
        for number, raw in enumerate(raw_lines, 1)
        if number not in json_lines and (line := _line(raw, number)) is not None
    ]
    start = next((i for i, line in enumerate(lines) if line.text in REQUEST_HEADINGS), None)
    blocks: list[Block] = []
    notes: list[Line] = []
    flattened = False
    if start is None:
        return Page(text, endpoint, response, blocks, lines, bodies, flattened)
    headings = {
        number
        for number in range(2, len(raw_lines))
        if raw_lines[number - 1].strip()
        and not raw_lines[number - 2].strip()
        and not raw_lines[number].strip()
    } | {line.number for line in lines if line.heading}
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if lines[i].text in STOP_HEADINGS or lines[i].number in headings
        ),
        len(lines),
    )
    notes = lines[: start + 1] + lines[end:]
    section = lines[start + 1 : end]
    blocks = _structured_blocks(section) or _table_blocks(section)
    if not blocks:
        flattened = True
        blocks, leftover = _flattened_blocks(section, text, bodies)
        notes = lines[: start + 1] + leftover + lines[end:]
    else:
        head = blocks[0].head
        first = next(
            i
            for i, line in enumerate(section)
            if line is head or (head is None and line.text == blocks[0].name)
        )
        notes = lines[: start + 1] + section[:first] + lines[end:]
    for block in blocks:
        _children(block)
    return Page(text, endpoint, response, blocks, notes, bodies, flattened)


def _line(raw: str, number: int) -> Line | None:
    """A page line without its markup (bullet, Markdown heading, item or quote marker)."""
    stripped = raw.strip()
    if not stripped or _MD_FENCE.match(raw) or _MD_RULE.match(stripped):
        return None
    indent = len(raw) - len(raw.lstrip())
    if stripped.startswith("•"):
        return Line(stripped[1:].strip(), number, True, indent)
    if heading := _MD_HEADING.match(stripped):
        return Line(stripped[heading.end() :].strip(), number, False, indent, heading=True)
    if quote := _MD_QUOTE.match(stripped):
        stripped = stripped[quote.end() :].strip()
    if item := _MD_ITEM.match(stripped):
        return Line(stripped[item.end() :].strip(), number, True, indent, marker=stripped[0])
    return Line(stripped, number, raw.startswith(BULLET), indent) if stripped else None


def _json_parts(
    text: str, raw_lines: list[str]
) -> tuple[set[int], list[Body], dict[str, Any] | None, str | None]:
    """Line numbers inside JSON, the request bodies (named), the response, the endpoint."""
    covered: set[int] = set()
    decoder = json.JSONDecoder()
    response = None
    index = 0
    while (index := _next_open(text, index)) != -1:
        try:
            value, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError:
            index += 1
            continue
        first, last = text.count("\n", 0, index) + 1, text.count("\n", 0, end) + 1
        if last > first or isinstance(value, dict):
            line_start = text.rfind("\n", 0, index) + 1
            if not text[line_start:index].strip() or text[line_start:index].rstrip().endswith(
                ("'", ":")
            ):
                covered.update(
                    range(first + 1 if text[line_start:index].strip() else first, last + 1)
                )
        if isinstance(value, dict) and "code" in value and "data" in value and response is None:
            response = value
        index = end
    bodies: list[Body] = []
    names: dict[str, int] = {}
    for start, _end, body in doc_body_spans(text):
        number = text.count("\n", 0, start) + 1
        line = raw_lines[number - 1]
        if "--data" in line or "-d '" in line:
            name, quote = "curl request", "curl --request POST"
        else:
            name = _heading_before(raw_lines, number - 1)
            quote = name
        names[name] = names.get(name, 0) + 1
        shown = name if names[name] == 1 else f"{name} ({names[name]})"
        if any(existing.body == body and existing.quote == quote for existing in bodies):
            continue
        bodies.append(Body(shown, quote, body))
    curl = re.search(r"--url\s+'?(https?://\S+?)'?\s", text)
    endpoint = urlsplit(curl.group(1)).path if curl else None
    return covered, bodies, response, endpoint


def _next_open(text: str, index: int) -> int:
    brace, bracket = text.find("{", index), text.find("[", index)
    found = [i for i in (brace, bracket) if i != -1]
    return min(found) if found else -1


def _heading_before(raw_lines: list[str], index: int) -> str:
    """The line a body follows (its title); a lead-in ending with ':' gives way to a title."""
    candidates = [
        _MD_HEADING.sub("", line.strip())
        for line in raw_lines[:index]
        if line.strip() and not _MD_FENCE.match(line)
    ]
    if not candidates:
        return "example"
    last = candidates[-1]
    if last.endswith(":") and len(candidates) > 1 and len(candidates[-2]) <= 80:
        return candidates[-2]
    return last[:120]


def _structured_blocks(section: list[Line]) -> list[Block]:
    blocks: list[Block] = []
    index = 0
    while index < len(section):
        line = section[index]
        following = section[index + 1].text if index + 1 < len(section) else ""
        if (inline := _inline_head(line, blocks)) is not None:
            blocks.append(inline)
            index += 1
            continue
        if not line.bullet and _NAME_LINE.match(line.text) and _TYPE_LINE.match(following):
            block = Block(line.text, following)
            index += 2
            # "required" and default:"x" lines, in either order
            while index < len(section):
                text = section[index].text
                if marker := _MARKER.match(text):
                    block.required = block.required or _is_required(marker)
                elif (found := _DEFAULT_LINE.match(text)) and block.default is None:
                    block.default, block.default_quote = found.group(1), text
                else:
                    break
                index += 1
            blocks.append(block)
            continue
        if blocks:
            blocks[-1].lines.append(line)
        index += 1
    return blocks


def cells(text: str) -> list[str] | None:
    """A delimited table row's cells: pipes, or tabs; None for any other line."""
    if "\t" in text:
        return [cell.strip() for cell in text.split("\t")]
    bars = len(re.findall(r"(?<!\\)\|", text))
    if bars >= 2 or (bars == 1 and not text.strip().startswith("|")):
        parts = [cell.strip() for cell in re.split(r"(?<!\\)\|", text.strip().strip("|"))]
        return parts if len(parts) >= 2 else None
    return None


def _table_blocks(section: list[Line]) -> list[Block]:
    """ "| Parameter | Type | Required | Description |": a parameter per row."""
    blocks: list[Block] = []
    columns: dict[str, int] | None = None
    for line in section:
        row = cells(line.text)
        if row is None:
            columns = None
            continue
        if columns is None:
            heads = [re.sub(r"[`*]", "", cell).strip().lower() for cell in row]
            named = {column: i for i, head in enumerate(heads) if (column := _column(head))}
            columns = named if {"name", "type"} <= set(named) else None
            continue
        if len(row) <= max(columns.values()):
            continue
        name = re.sub(r"[`*]", "", row[columns["name"]]).strip()
        kind = re.sub(r"[`*]", "", row[columns["type"]]).strip()
        type_text = kind.split(",")[0].strip()
        if not _NAME_LINE.match(name) or not _TYPE_LINE.match(type_text):
            continue
        block = Block(name, type_text, head=line)
        marks = [row[columns["required"]], kind] if "required" in columns else [kind]
        block.required = any(
            re.search(r"(?i)^\W*(yes|true|required|✓|✅)\W*$|\brequired\b", m) for m in marks
        )
        default = row[columns["default"]] if "default" in columns else ""
        if default.strip("` ") not in ("", "-", "—"):
            block.default, block.default_quote = default.strip("` "), default
        if "description" in columns and row[columns["description"]]:
            block.lines.append(Line(row[columns["description"]], line.number))
        blocks.append(block)
    return blocks


def _column(head: str) -> str | None:
    for column, words in _COLUMNS.items():
        if head in words:
            return column
    return None


def _is_required(marker: re.Match[str]) -> bool:
    answer = (marker.group(2) or "yes").lower()
    return marker.group(1).lower() == "required" and answer in ("yes", "true")


def _inline_head(line: Line, blocks: list[Block]) -> Block | None:
    """ "- `duration` (integer, optional) — Clip length": a parameter's block in one line; an
    indented one under a parameter is a field of that parameter, read as its child."""
    found = _INLINE_HEAD.match(line.text)
    if found is None or not _TYPE_LINE.match(found.group(2)):
        return None
    if line.indent and blocks:
        return None
    markers = [m.strip(" *") for m in found.group(3).split(",") if m.strip(" *")]
    block = Block(found.group(1), found.group(2))
    block.required = any(m.lower() == "required" for m in markers)
    block.head = line
    if found.group(4):
        start = line.text.index(found.group(4), found.end(3))
        block.lines.append(Line(line.text[start:], line.number, False, line.indent))
    return block


def _children(block: Block) -> None:
    """Fields of an object or of an array's objects: ``name (type): description`` lines."""
    kept: list[Line] = []
    for line in block.lines:
        found = _CHILD.match(line.text)
        if found:
            child = Block(found.group(1), found.group(2), required=found.group(4) != "optional")
            child.head = line
            child.lines.append(line)
            block.children.append(child)
        elif block.children and (line.bullet or _OPTION.match(line.text)):
            block.children[-1].lines.append(line)
        else:
            kept.append(line)
    block.lines = kept


# -- flattened pages ------------------------------------------------------------------------


def _flattened_blocks(
    section: list[Line], text: str, bodies: list[Body]
) -> tuple[list[Block], list[Line]]:
    """Description lines matched to the names the request bodies send, in the same order."""
    heads = [i for i, line in enumerate(section) if _is_head(line.text)]
    texts = [section[i].text for i in heads]
    # the bodies leave some orders open: the one whose names fit the lines best is taken
    names, matched = max(
        (
            (names, _align(names, texts))
            for names in (_body_order(bodies), _body_order(bodies, late=True))
        ),
        key=lambda pair: sum(_score(pair[0][n], texts[h]) for n, h in pair[1].items()),
    )
    starts: dict[int, str] = {heads[h]: names[n] for n, h in matched.items()}
    blocks: list[Block] = []
    leftover: list[Line] = []
    current: Block | None = None
    for index, line in enumerate(section):
        if index in starts:
            name = starts[index]
            current = Block(name, _json_type(_sample(bodies, name)), head=line, inferred=True)
            blocks.append(current)
            current.lines.append(line)
        elif current is not None and not (index in heads and _looks_like_new_parameter(line)):
            current.lines.append(line)
        else:
            current = None
            leftover.append(line)
    return blocks, leftover


def _is_head(text: str) -> bool:
    return bool(text[:1].isupper()) and not _LABEL.match(text) and not _OPTION.match(text)


def _looks_like_new_parameter(line: Line) -> bool:
    """An unnamed line that reads like a parameter's description of its own."""
    return bool(
        re.match(r"^(Whether|Specified|Seed|Random|Negative|Reference|Video|Image)\b", line.text)
    )


def _body_order(bodies: list[Body], *, late: bool = False) -> list[str]:
    """The top-level names the bodies send, merged into one order that keeps each body's; a
    name new to the order goes right after the one before it in its body (or, ``late``,
    right before the one after it)."""
    order: list[str] = []
    for body in bodies:
        keys = list(body.body)
        for index, key in enumerate(keys):
            if key in order:
                continue
            before = next((k for k in reversed(keys[:index]) if k in order), None)
            after = next((k for k in keys[index + 1 :] if k in order), None)
            if late and after is not None:
                order.insert(order.index(after), key)
            else:
                order.insert(order.index(before) + 1 if before else 0, key)
    return order


def _tokens(name: str) -> list[str]:
    return [_singular(part) for part in name.split("_") if part]


def _singular(word: str) -> str:
    word = word.lower()
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _score(name: str, head: str) -> float:
    words = {_singular(w) for w in re.findall(r"[A-Za-z]+", head)[:6]}
    tokens = _tokens(name)
    hits = sum(1 for token in tokens if token in words)
    return hits + (0.5 if hits == len(tokens) else 0.0) if hits else 0.0


def _align(names: list[str], heads: list[str]) -> dict[int, int]:
    """Name index → head index: the best order-keeping matching by shared words, then each
    name left over takes the first free head after its predecessor's, before its successor's."""
    n, m = len(names), len(heads)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            score = _score(names[i], heads[j])
            take = best[i + 1][j + 1] + score if score else -1.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], take)
    matched: dict[int, int] = {}
    i = j = 0
    while i < n and j < m:
        score = _score(names[i], heads[j])
        if score and best[i][j] == best[i + 1][j + 1] + score:
            matched[i], i, j = j, i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    for i in range(n):
        if i in matched:
            continue
        low = max((matched[k] for k in matched if k < i), default=-1)
        high = min((matched[k] for k in matched if k > i), default=m)
        free = [j for j in range(low + 1, high) if j not in matched.values()]
        if free and (high < m or heads[free[0]].rstrip().endswith(":")):
            matched[i] = free[0]
    return matched


def _sample(bodies: list[Body], name: str) -> Any:
    return next((body.body[name] for body in bodies if name in body.body), None)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        inner = _json_type(value[0]) if value else None
        return f"array<{inner}>" if inner in ("string", "object", "integer") else "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def body_names(page: Page) -> list[str]:
    return _body_order(page.bodies)


def sample(page: Page, name: str) -> Any:
    return _sample(page.bodies, name)
