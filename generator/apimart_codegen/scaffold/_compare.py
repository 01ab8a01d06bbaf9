"""Drafted specs against hand-written ones, rule by rule (the re-derivation benchmark).

A hand-written rule is single-field when it is one of the keyword kinds (type, required,
enum, range, length, item_count, format, media_type), has no condition and refuses (not a
warning); the others are cross-field. A single-field rule is reproduced when the draft has
a rule of the same kind at the same path with the same values; a cross-field rule is
drafted when the draft has one of the same kind at the same path (with a condition where
the hand-written one has one). A drafted rule of the same kind and path with other values
is a contradiction, listed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apimart_codegen.scaffold._check import _loaded, scaffold

SINGLE = frozenset(
    {"type", "required", "enum", "range", "length", "item_count", "format", "media_type"}
)


@dataclass(slots=True)
class Row:
    family: str
    single: int = 0
    single_same: int = 0
    cross: int = 0
    cross_drafted: int = 0
    contradictions: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def _values(rule: Any) -> Any:
    params = dict(rule.params)
    for key in ("enum", "values", "media_types"):
        if key in params:
            params[key] = sorted(map(str, params[key]))
    params.pop("message", None)
    return (params, rule.severity)


def compare(spec_file: Any, page_text: str, docs_root: Path) -> Row:
    row = Row(spec_file.family)
    result = scaffold(page_text, doc=spec_file.doc, docs_root=docs_root, family=spec_file.family)
    specs, specs_dir, _ = _loaded(result.text, result.draft.spec, docs_root, page_text)
    shutil.rmtree(specs_dir.parent, ignore_errors=True)
    drafted = {model.name: model for model in specs.files[0].models}
    for model in spec_file.models:
        mine = drafted.get(model.name)
        rules = list(mine.rules) if mine else []
        for rule in model.rules:
            if rule.kind == "closed":
                continue
            same_place = [r for r in rules if r.kind == rule.kind and r.path == rule.path]
            single = rule.kind in SINGLE and rule.when is None and rule.severity == "error"
            if single:
                row.single += 1
                if any(_values(r) == _values(rule) for r in same_place if r.when is None):
                    row.single_same += 1
                    continue
            else:
                row.cross += 1
                if any((r.when is None) == (rule.when is None) for r in same_place):
                    row.cross_drafted += 1
            others = [r for r in same_place if (r.when is None) == (rule.when is None)]
            if others and all(_values(r) != _values(rule) for r in others):
                row.contradictions.append(
                    f"{rule.id}: hand {_values(rule)[0]} vs drafted {_values(others[0])[0]}"
                )
            elif single or not others:
                row.missed.append(rule.id)
    return row
