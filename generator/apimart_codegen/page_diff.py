"""What changed between two versions of a vendor page, said in the spec's terms.

A page is read as a sequence of segments: its sentences (each line, cut after a full stop)
and its request bodies (the JSON objects lint matches to examples). The two versions'
sentences are aligned; each changed sentence lists what in the spec quotes it (rule ids,
examples, prices), found where the quote stands in the stored page's normalised text. Changed
and new bodies are matched to the spec's examples, and the names the new page gives to
parameters (in its parameter list and its bodies) that the spec does not declare are listed.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from apimart_codegen.jsonvalue import json_equal
from apimart_codegen.lint import cited, doc_body_spans, normalise, with_substitutions
from apimart_codegen.spec.model import Parameter, SpecFile

_LINE = re.compile(r"[^\n]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
# A documentation site's parameter list: the name alone on a line, its type on the next.
_NAME_LINE = re.compile(r"^[a-z][a-z0-9_]*$")
_TYPE_LINE = re.compile(r"^(string|integer|number|boolean|object|file|url|array(<[^>]+>)?)$")
# Markdown's: a list item `- name (type, ...)` or a table row `| name | type | ... |`, the
# name plain, in backticks or in bold.
_TYPE_WORD = r"(?:string|integer|number|boolean|object|file|url|array)\b"
_NAME = r"(?P<mark>[`*_]*)(?P<name>[a-z][a-z0-9_]*)(?P=mark)"
_MARKDOWN_ITEM = re.compile(rf"^[-*+]\s+{_NAME}\s*\(\s*`?{_TYPE_WORD}")
_MARKDOWN_ROW = re.compile(rf"^\|\s*{_NAME}\s*\|\s*`?{_TYPE_WORD}")
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*:?\s*#*$")
_REQUEST_HEADINGS = frozenset({"Request Parameters", "Body", "Request Body"})
_RESPONSE_HEADINGS = frozenset({"Response", "Responses"})
_REQUEST_TITLES = frozenset(heading.lower() for heading in _REQUEST_HEADINGS) | {
    "parameters",
    "body parameters",
}


@dataclass(frozen=True, slots=True)
class Segment:
    """A sentence or a request body; ``start`` is its offset in the page's normalised text."""

    text: str
    start: int
    body: dict[str, Any] | None = None

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def segments(page: str) -> list[Segment]:
    spans: list[tuple[int, int, dict[str, Any] | None]] = []
    cursor = 0
    for start, end, found in doc_body_spans(page):
        spans += _sentence_spans(page, cursor, start)
        spans.append((start, end, found))
        cursor = end
    spans += _sentence_spans(page, cursor, len(page))
    out = []
    for start, end, body in spans:
        text = normalise(page[start:end])
        if text:
            # where the segment's first character lands once whitespace runs are one space
            offset = len(normalise(page[:start] + "x")) - 1
            out.append(Segment(text, offset, body))
    return out


def _sentence_spans(page: str, start: int, end: int) -> list[tuple[int, int, None]]:
    spans = []
    for line in _LINE.finditer(page, start, end):
        cut = line.start()
        for boundary in _SENTENCE_END.finditer(page, line.start(), line.end()):
            spans.append((cut, boundary.start(), None))
            cut = boundary.end()
        spans.append((cut, line.end(), None))
    return spans


def listed_parameters(page: str) -> list[str]:
    """The names in the page's request parameter list.

    A stored page lists a name alone on a line and its type on the next; a Markdown page,
    a list item ``- name (type, ...)`` or a table row ``| name | type |``. The list is what
    stands under a request heading (``Request Parameters``, ``Body``; in Markdown also
    ``## Parameters``) until a response heading, or in Markdown any heading not below it.
    """
    lines = [line.strip() for line in page.splitlines()]
    names: list[str] = []
    section: int | None = None  # the request heading's level (0: a stored page's heading)
    for index, line in enumerate(lines):
        heading = _MARKDOWN_HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2).lower()
            if title in _REQUEST_TITLES:
                section = level
            elif section is not None and (level <= section or title in {"response", "responses"}):
                section = None
            continue
        if line in _REQUEST_HEADINGS:
            section = 0
            continue
        if line in _RESPONSE_HEADINGS:
            section = None
            continue
        if section is None:
            continue
        name = _listed_name(lines, index)
        if name is not None and name not in names:
            names.append(name)
    return names


def _listed_name(lines: list[str], index: int) -> str | None:
    line = lines[index]
    markdown = _MARKDOWN_ITEM.match(line) or _MARKDOWN_ROW.match(line)
    if markdown:
        return markdown.group("name")
    if _NAME_LINE.match(line) and index + 1 < len(lines) and _TYPE_LINE.match(lines[index + 1]):
        return line
    return None


# -- the difference -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Citation:
    """Something in the spec that quotes a changed sentence; ``stands``: the quote is still
    on the new page (lint passes, but the sentence around it changed)."""

    cited_by: str
    loc: str
    quote: str
    stands: bool


@dataclass(frozen=True, slots=True)
class SentenceChange:
    change: str  # "changed", "removed" or "added"
    old: list[str]
    new: list[str]
    citations: list[Citation]


@dataclass(frozen=True, slots=True)
class BodyChange:
    change: str  # "changed", "removed" or "appeared"
    example: str | None  # the spec example that transcribes the body, if one does
    after: str  # the sentence the body follows on its page
    fields: list[str]  # top-level fields that differ, as JSON Pointers
    old: dict[str, Any] | None
    new: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class UnknownParameter:
    pointer: str
    where: list[str]


@dataclass(frozen=True, slots=True)
class PageDiff:
    family: str
    stored: str
    new: str
    sentences: list[SentenceChange] = field(default_factory=list)
    bodies: list[BodyChange] = field(default_factory=list)
    parameters: list[UnknownParameter] = field(default_factory=list)

    @property
    def drift(self) -> bool:
        return bool(self.sentences or self.bodies or self.parameters)

    def to_dict(self) -> dict[str, Any]:
        return {"drift": self.drift, **asdict(self)}


def diff_page(spec: SpecFile, old_page: str, new_page: str, *, new_label: str) -> PageDiff:
    old_segments, new_segments = segments(old_page), segments(new_page)
    return PageDiff(
        family=spec.family,
        stored=spec.doc,
        new=new_label,
        sentences=_sentence_changes(
            spec, old_segments, new_segments, normalise(old_page), normalise(new_page)
        ),
        bodies=_body_changes(spec, old_segments, new_segments),
        parameters=_unknown_parameters(spec, new_page, new_segments),
    )


def _sentence_changes(
    spec: SpecFile, old: list[Segment], new: list[Segment], old_text: str, new_text: str
) -> list[SentenceChange]:
    old_prose = [s for s in old if s.body is None]
    new_prose = [s for s in new if s.body is None]
    quotes = _quotes(spec, old_text)
    matcher = difflib.SequenceMatcher(
        None, [s.text for s in old_prose], [s.text for s in new_prose], autojunk=False
    )
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        gone = old_prose[i1:i2]
        citations: dict[str, Citation] = {}
        if gone:
            first, last = gone[0].start, gone[-1].end
            for cited_by, loc, quote, places in quotes:
                if any(start < last and end > first for start, end in places):
                    citations.setdefault(
                        cited_by, Citation(cited_by, loc, quote, normalise(quote) in new_text)
                    )
        change = {"replace": "changed", "delete": "removed", "insert": "added"}[op]
        changes.append(
            SentenceChange(
                change,
                [s.text for s in gone],
                [s.text for s in new_prose[j1:j2]],
                list(citations.values()),
            )
        )
    return changes


def _quotes(spec: SpecFile, text: str) -> list[tuple[str, str, str, list[tuple[int, int]]]]:
    """Every quote of the spec from its own page, with where it stands in ``text``."""
    out = []
    for model in spec.models:
        for cited_by, source in cited(model):
            if source.doc != spec.doc:
                continue
            quote = normalise(source.quote)
            places = [(m.start(), m.start() + len(quote)) for m in _find_all(text, quote)]
            out.append((cited_by, str(source.loc), source.quote, places))
    return out


def _find_all(text: str, needle: str) -> Iterator[re.Match[str]]:
    return re.finditer(re.escape(needle), text) if needle else iter(())


def _body_changes(spec: SpecFile, old: list[Segment], new: list[Segment]) -> list[BodyChange]:
    def bodies(segs: list[Segment]) -> list[tuple[dict[str, Any], str]]:
        out = []
        for index, seg in enumerate(segs):
            if seg.body is not None:
                after = next((s.text for s in reversed(segs[:index]) if s.body is None), "")
                out.append((seg.body, after))
        return out

    old_bodies, new_bodies = bodies(old), bodies(new)
    matcher = difflib.SequenceMatcher(
        None,
        [_canonical(body) for body, _ in old_bodies],
        [_canonical(body) for body, _ in new_bodies],
        autojunk=False,
    )
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        gone, came = old_bodies[i1:i2], new_bodies[j1:j2]
        paired = min(len(gone), len(came))
        for (before, _), (after, where) in zip(gone[:paired], came[:paired], strict=True):
            example = _example(spec, before) or _example(spec, after)
            changes.append(
                BodyChange("changed", example, where, _differing(before, after), before, after)
            )
        for body, where in gone[paired:]:
            changes.append(BodyChange("removed", _example(spec, body), where, [], body, None))
        for body, where in came[paired:]:
            changes.append(BodyChange("appeared", _example(spec, body), where, [], None, body))
    return changes


def _canonical(body: Mapping[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


def _example(spec: SpecFile, body: Mapping[str, Any]) -> str | None:
    for model in spec.models:
        for example in model.examples:
            if example.source and json_equal(with_substitutions(example), body):
                return example.name
    return None


def _differing(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    absent = object()
    return [
        f"/{key}"
        for key in sorted(set(old) | set(new))
        if not json_equal(old.get(key, absent), new.get(key, absent))
    ]


def _unknown_parameters(spec: SpecFile, page: str, segs: list[Segment]) -> list[UnknownParameter]:
    found: dict[str, list[str]] = {}
    known_anywhere = {p.name for model in spec.models for p in _walk(model.body)}
    for name in listed_parameters(page):
        if name not in known_anywhere:
            found.setdefault(f"/{name}", []).append("the parameter list")
    models = {model.name: model for model in spec.models}
    for index, seg in enumerate(segs):
        if seg.body is None:
            continue
        model = models.get(str(seg.body.get("model"))) or spec.models[0]
        after = next((s.text for s in reversed(segs[:index]) if s.body is None), "")
        where = f"the request body after {after[:60]!r}"
        for pointer in _unknown_keys(seg.body, model.body):
            if where not in found.setdefault(pointer, []):
                found[pointer].append(where)
    return [UnknownParameter(pointer, where) for pointer, where in found.items()]


def _walk(param: Parameter) -> Iterator[Parameter]:
    yield param
    for child in param.properties:
        yield from _walk(child)
    if param.items is not None:
        yield from _walk(param.items)


def _unknown_keys(value: Any, param: Parameter, pointer: str = "") -> Iterator[str]:
    if isinstance(value, dict) and param.properties:
        children = {child.name: child for child in param.properties}
        for key, item in value.items():
            child = children.get(key)
            if child is None:
                yield f"{pointer}/{key}"
            else:
                yield from _unknown_keys(item, child, f"{pointer}/{key}")
    elif isinstance(value, list) and param.items is not None:
        for item in value:
            yield from _unknown_keys(item, param.items, f"{pointer}/*")
