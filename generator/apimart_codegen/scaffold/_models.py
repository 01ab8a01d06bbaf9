"""The models a page documents (its model list, "fixed as X", a union of literals, its
request bodies) and each model's entry: endpoint, output, response, per-model values."""

from __future__ import annotations

import re
from typing import Any

from apimart_codegen.scaffold._collect import Collected, ordered
from apimart_codegen.scaffold._page import Page
from apimart_codegen.scaffold._recognise import MARKUP, alternatives
from apimart_codegen.spec import meta_schema

MODEL_NAME = re.compile(meta_schema.MODEL_NAME)  # the wire name, as the page spells it
FAMILY = re.compile(meta_schema.FAMILY)


OPTION = re.compile(r"^(\S{1,40}?)\s*(?:\s[-—–]\s|\(default\)|:\s)(.*)$")


def page_models(page: Page) -> list[str]:
    found: list[str] = []
    block = page.block("model")
    if block is not None:
        for line in block.lines:
            if option := OPTION.match(line.text):
                name = MARKUP.sub("", option.group(1))
                if (line.bullet or block.inferred) and re.search(r"\d|-|\.", name):
                    found.append(name)
            if fixed := re.search(
                r"\bfixed (?:as|at|to)\s*:?\s*([A-Za-z0-9][\w.\-]*[A-Za-z0-9])", line.text
            ):
                found.append(fixed.group(1))
            found.extend(_listed(line.text))
    for body in page.bodies:
        sent = body.body.get("model")
        if isinstance(sent, str):
            found.append(sent)
    return list(dict.fromkeys(found))


_MODEL_LIST = re.compile(
    r"(?i)(?:supported models|models|options|one of|values?)\s*:?\s*"
    r"((?:[\w.:-]+)(?:\s*(?:,|/|\bor\b)\s*[\w.:-]+)*)"
)


def _listed(text: str) -> list[str]:
    """`"a" | "b"`, "One of: a, b": the names a model line lists in its prose."""
    names = alternatives(text)
    if not names and (found := _MODEL_LIST.search(MARKUP.sub("", text))):
        names = [n for n in re.split(r"\s*(?:,|/|\bor\b)\s*", found.group(1)) if n]
    return [n for n in names if re.search(r"\d|-|\.", n)]


def _quote_for(page: Page, name: str) -> str | None:
    """The line of the model's block that lists ``name``, or the line of a request body
    that sends it."""
    block = page.block("model")
    for line in block.lines if block else []:
        if (option := OPTION.match(line.text)) and MARKUP.sub("", option.group(1)) == name:
            return line.text
        if name in _listed(line.text):
            return line.text
    found = re.search(rf'"model"\s*:\s*"{re.escape(name)}"', page.text)
    return found.group(0) if found else None


def family_of(doc: str, models: list[str]) -> str:
    stem = doc.rsplit("/", 1)[-1].removesuffix(".txt").removesuffix(".md")
    return stem if FAMILY.match(stem) else models[0].lower()


def model_entries(page: Page, models: list[str], collected: Collected) -> dict[str, Any]:
    endpoint = page.endpoint or "/v1/videos/generations"
    output = "image" if "/images/" in endpoint else "video"
    response: dict[str, Any] = {"code": 200, "status": "submitted"}
    if page.response is not None:
        data = page.response.get("data")
        first = data[0] if isinstance(data, list) and data else data
        response = {"code": page.response.get("code")}
        if "message" in page.response:
            response["message"] = page.response["message"]
        response["status"] = (
            first.get("status", "submitted") if isinstance(first, dict) else "submitted"
        )
    entries: dict[str, Any] = {}
    block = page.block("model")
    for name in models:
        described = ""
        quote = _quote_for(page, name)
        for line in block.lines if block else []:
            if (option := OPTION.match(line.text)) and MARKUP.sub("", option.group(1)) == name:
                described = option.group(2).strip(" -—–")
        entry: dict[str, Any] = {
            "description": described or f"{name}, drafted from its page.",
            "endpoint": endpoint,
            "output": output,
            "response": response,
        }
        overrides: dict[str, dict[str, Any]] = {}
        if len(models) > 1 and quote is not None:
            overrides["model"] = {"enum": [name], "source": quote}
        for (model, param, target, keyword), finding in collected.values.items():
            if model != name or finding.keyword == "conflict":
                continue
            node = overrides.setdefault(param, {})
            for part in [t for t in target.split(".") if t]:
                node = node.setdefault(part, {})
            node[keyword] = finding.value
            node.setdefault("cite", {})[keyword] = finding.quote
        if quote is not None:
            collected.used.add(quote)
        if overrides:
            entry["parameters"] = {k: ordered(v) for k, v in overrides.items()}
        entries[name] = entry
    return entries
