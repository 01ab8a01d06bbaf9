"""``apimart lint``: the specs checked against the documents they transcribe.

Beyond what loading checks (meta-schema, references), lint reads the vendor documents:
every ``source:`` quote must stand in its document, every request body printed in a
document must be a spec example and the other way round (so a changed page is noticed),
every example must validate, and every default must agree with the spec's own rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from apimart_codegen.interpreter import judge_model
from apimart_codegen.jsonvalue import MISSING, json_equal
from apimart_codegen.kinds import RULE_KINDS
from apimart_codegen.spec.loader import SpecProblem
from apimart_codegen.spec.model import Example, ModelSpec, Parameter, Source, SpecSet, split_path
from apimart_codegen.spec.yaml_loc import Loc


def normalise(text: str) -> str:
    """Whitespace runs become one space: quotes survive re-wrapping, nothing else changes."""
    return " ".join(text.split())


class Documents:
    """The vendor documents in one folder; a name that leads out of the folder is refused."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, str | None] = {}
        self._problems: dict[str, str] = {}

    def path(self, name: str) -> Path | None:
        """The file ``name`` stands for, or None when it lies outside the folder."""
        root = self.root.resolve()
        path = (root / name).resolve()
        return path if path.is_relative_to(root) else None

    def text(self, name: str) -> str | None:
        if name not in self._cache:
            self._cache[name] = None
            path = self.path(name)
            if path is None:
                self._problems[name] = f"document {name!r} lies outside the docs folder {self.root}"
            elif not path.is_file():
                self._problems[name] = f"document {self.root / name} not found"
            else:
                try:
                    self._cache[name] = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    self._problems[name] = f"document {self.root / name} cannot be read ({exc})"
        return self._cache[name]

    def problem(self, name: str) -> str | None:
        """Why ``name`` has no text, or None when it has."""
        self.text(name)
        return self._problems.get(name)


def doc_bodies(text: str) -> list[dict[str, Any]]:
    """Every top-level JSON object in a page that names a model: the page's request bodies."""
    return [body for _, _, body in doc_body_spans(text)]


def doc_body_spans(text: str) -> list[tuple[int, int, dict[str, Any]]]:
    """The page's request bodies with where each stands: ``(start, end, body)``."""
    decoder = json.JSONDecoder()
    spans = []
    index = 0
    while (index := text.find("{", index)) != -1:
        try:
            value, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError:
            index += 1
            continue
        if isinstance(value, dict) and "model" in value:
            spans.append((index, end, value))
        index = end
    return spans


def with_substitutions(example: Example) -> Any:
    body = json.loads(json.dumps(example.body))
    for pointer, original in example.substitute.items():
        *parents, last = split_path(pointer)
        node = body
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = original
        else:
            node[last] = original
    return body


def _fill_defaults(param: Parameter, value: Any) -> Any:
    """A copy of ``value`` with every absent documented default filled in, recursively."""
    if param.type == "object" and isinstance(value, dict):
        out = dict(value)
        for child in param.properties:
            if child.name in out:
                out[child.name] = _fill_defaults(child, out[child.name])
            elif child.default is not MISSING:
                out[child.name] = child.default
        return out
    if param.type == "array" and isinstance(value, list) and param.items is not None:
        return [_fill_defaults(param.items, item) for item in value]
    return value


def _about_sending(model: ModelSpec, rule_id: str) -> bool:
    """A default is applied by the server, never sent: rules about sending don't judge it."""
    rule = next(rule for rule in model.rules if rule.id == rule_id)
    return RULE_KINDS.get(rule.kind).about_sending


def sources(model: ModelSpec) -> Iterator[Source]:
    for _, source in cited(model):
        yield source


def cited(model: ModelSpec) -> Iterator[tuple[str, Source]]:
    """Every quote of the model's spec, with what quotes it: a rule id, an example, ..."""
    for rule in model.rules:
        yield rule.id, rule.source
        for source in rule.cites:
            yield rule.id, source
    for example in model.examples:
        if example.source:
            yield f"{model.name} example {example.name!r}", example.source
    for unchecked in model.unchecked:
        yield f"{model.name} unchecked", unchecked.source
    if model.price:
        yield f"{model.name} price", model.price.source


def lint(specs: SpecSet, docs_root: Path) -> list[SpecProblem]:
    problems: set[SpecProblem] = set()
    documents = Documents(docs_root)
    unreadable: set[str] = set()

    def read(name: str, loc: Loc) -> str | None:
        """The document's text; a document without one is reported once, where first named."""
        text = documents.text(name)
        if text is None and name not in unreadable:
            unreadable.add(name)
            problems.add(SpecProblem(loc, documents.problem(name) or f"document {name} unread"))
        return text

    for spec in specs.files:
        page = read(spec.doc, spec.doc_loc)
        for model in spec.models:
            for source in sources(model):
                text = read(source.doc, source.loc)
                if text is None:
                    continue
                if normalise(source.quote) not in normalise(text):
                    problems.add(
                        SpecProblem(
                            source.loc, f"quote not found in {source.doc}: {source.quote!r}"
                        )
                    )
            if not model.examples:
                problems.add(SpecProblem(model.loc, f"model {model.name} has no example"))
            for example in model.examples:
                verdict = judge_model(model, example.body)
                for violation in verdict.errors:
                    problems.add(
                        SpecProblem(
                            example.loc,
                            f"example {example.name!r} is invalid: {violation.path}: "
                            f"{violation.message} [{violation.rule}]",
                        )
                    )
                filled = judge_model(model, _fill_defaults(model.body, example.body))
                for violation in filled.errors:
                    if _about_sending(model, violation.rule):
                        continue
                    problems.add(
                        SpecProblem(
                            example.loc,
                            f"the documented defaults break rule {violation.rule} when added to "
                            f"example {example.name!r}: {violation.path}: {violation.message}",
                        )
                    )
        if page is not None:
            problems |= _match_bodies(spec.path, page, [e for m in spec.models for e in m.examples])
    return sorted(problems)


def _match_bodies(spec_path: str, page: str, examples: list[Example]) -> set[SpecProblem]:
    problems = set()
    bodies = doc_bodies(page)
    for example in examples:
        if example.source is None:
            continue
        expected = with_substitutions(example)
        if not any(json_equal(expected, body) for body in bodies):
            problems.add(
                SpecProblem(
                    example.loc,
                    f"example {example.name!r} matches no request body printed in "
                    f"{example.source.doc}",
                )
            )
    for body in bodies:
        if not any(e.source and json_equal(with_substitutions(e), body) for e in examples):
            first = re.sub(r"\s+", " ", json.dumps(body))[:80]
            problems.add(
                SpecProblem(
                    Loc(spec_path, 1, 1),
                    f"the document prints a request body no example transcribes: {first}…",
                )
            )
    return problems
