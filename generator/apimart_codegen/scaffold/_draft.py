"""From a read page to a draft spec (plain data in the spec format) and the review list.

Every value the draft holds comes from a finding, and every finding quotes its clause; a
clause that reads as a constraint and gave no finding goes to ``unchecked:`` with a reason
starting "review:", so the draft never drops a sentence silently.
"""

from __future__ import annotations

import re
from typing import Any

from apimart_codegen.scaffold._collect import Collected, Draft
from apimart_codegen.scaffold._models import MODEL_NAME, family_of, model_entries, page_models
from apimart_codegen.scaffold._page import Page, body_names
from apimart_codegen.scaffold._params import parameters
from apimart_codegen.scaffold._read import options, read_block
from apimart_codegen.scaffold._recognise import Scope
from apimart_codegen.scaffold._review import review_notes, unchecked
from apimart_codegen.scaffold._tables import read_tables

WEBHOOK_QUOTE = "Optional body field `webhook`: a public http(s) base URL"


def draft_spec(
    page: Page, *, doc: str, url: str | None, family: str | None, notes: str | None
) -> Draft:
    out = Draft({})
    models = page_models(page)
    if not models:
        out.problems.append("the page names no model (no model list, no 'fixed as', no body)")
        return out
    bad = [m for m in models if not MODEL_NAME.match(m)]
    for name in bad:
        out.problems.append(f"model name {name!r} is not a model name the specs accept")
    models = [m for m in models if m not in bad] or models
    family = family or family_of(doc, models)
    names = [b.name for b in page.blocks] + [n for n in body_names(page) if not page.block(n)]
    collected = Collected()
    enums_of_children: dict[str, dict[str, list[Any]]] = {}
    for block in page.blocks:
        for child in block.children:
            found = options(child.lines, Scope(child.name, child.type, None, models, names))
            if found:
                enums_of_children.setdefault(block.name, {})[child.name] = found[0].value
    for block in page.blocks:
        scope = Scope(
            block.name, block.type, block.item_type, models, names,
            enums_of_children.get(block.name, {}),
        )  # fmt: skip
        read_block(block, scope, collected, out)
    read_tables(page, models, names, collected, out)
    out.restated = list(collected.restated.items())
    for quote, why in collected.conflicts:
        out.review.append((quote, f"review: the page states this twice, differently: {why}"))
    params = parameters(page, models, names, collected, out)
    if notes is not None and WEBHOOK_QUOTE in " ".join(notes.split()) and "webhook" not in names:
        params["webhook"] = {
            "type": "string",
            "format": "http-url",
            "description": "Public http(s) base URL; when the task ends the task object is "
            "POSTed to it with /callback appended.",
            "source": {"doc": "API_NOTES.md", "quote": WEBHOOK_QUOTE},
        }
    entries = model_entries(page, models, collected)
    review_notes(page, models, names, collected, out)
    out.spec = {
        "doc": doc,
        **({"url": url} if url else {}),
        "family": family,
        "body": {"closed": "warning", "source": _request_heading(page)},
        "models": entries,
        "parameters": params,
        **({"rules": _rules(collected)} if collected.rules else {}),
        "examples": [
            {"name": body.name, "source": body.quote, "body": body.body} for body in page.bodies
        ],
    }
    kept = unchecked(collected, out)
    if kept:
        out.spec["unchecked"] = kept
    return out


def _rules(collected: Collected) -> list[dict[str, Any]]:
    rules = []
    ids: set[str] = set()
    for finding in collected.rules:
        rule = dict(finding.rule or {})
        base = rule["id"]
        number = 2
        while rule["id"] in ids:
            rule["id"] = f"{base}-{number}"
            number += 1
        ids.add(rule["id"])
        order = ("id", "kind", "path", "paths", "other", "key", "total", "min", "max",
                 "intervals", "severity", "when", "message")  # fmt: skip
        rule = {k: rule[k] for k in order if k in rule}
        rule["source"] = finding.quote
        rules.append(rule)
    return rules


def _request_heading(page: Page) -> str:
    for heading in ("Request Parameters", "Request Body", "Body", "Parameters"):
        if re.search(rf"(?m)^(?:#+\s*)?{heading}\s*$", page.text):
            return heading
    return "model"
