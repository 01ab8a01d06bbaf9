"""The ``parameters:`` section: each parameter's node filled from what was collected, its
items and fields, in the key order the hand-written specs use."""

from __future__ import annotations

import re
from typing import Any

from apimart_codegen.scaffold._collect import Collected, Draft, ordered
from apimart_codegen.scaffold._page import Block, Page, sample
from apimart_codegen.scaffold._read import title
from apimart_codegen.scaffold._recognise import (
    Finding,
)


def parameters(
    page: Page, models: list[str], names: list[str], collected: Collected, out: Draft
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in names:
        block = page.block(name)
        value = sample(page, name)
        if block is None:
            line = _body_line(page.text, name)
            if line is None:
                continue
            kind = json_kind(value)
            params[name] = {
                "type": kind,
                "description": f"{name}, as the page's request bodies send it.",
                "source": line,
                "decision": f"{name} appears only in the page's request bodies; "
                "its type is theirs.",
            }
            if kind == "array":
                params[name]["items"] = {"type": json_kind(value[0]) if value else "string"}
            out.review.append((line, f"review: {name} is sent by an example but not documented"))
            continue
        heading = title(block)
        param: dict[str, Any] = {"type": block.type}
        if block.inferred:
            param["decision"] = (
                "The page lists this parameter without its name and type; both are taken from "
                "its request bodies, which send the parameters in the list's order."
            )
        param["description"] = (heading or name).strip()
        param["source"] = heading or name
        _fill(param, collected, name, "")
        if block.type == "array":
            items = _items(block, value)
            if items:
                param["items"] = items
                _fill(items, collected, name, "items", value)
                if block.item_type == "url" and "format" not in items:
                    items["format"] = "http-url"  # the type line says array<url>
                if "items" in items:
                    _fill(items["items"], collected, name, "items.items")
                _children_into(items, block, collected, name, "items")
        elif block.type == "object" and block.children:
            _children_into(param, block, collected, name, "")
        if name == "model" and len(models) == 1:
            param["enum"] = [models[0]]
        if name == "model" and len(models) > 1 and "enum" not in param:
            param["enum"] = [models[0]]
        params[name] = ordered(param)
    return params


def _children_into(
    node: dict[str, Any], block: Block, collected: Collected, name: str, at: str
) -> None:
    if not block.children:
        return
    node["type"] = "object"
    node["closed"] = "warning"
    props = {}
    for child in block.children:
        where = ".".join(t for t in (at, f"properties.{child.name}") if t)
        has_default = (None, name, where, "default") in collected.values
        prop = (
            {"type": child.type, "required": True}
            if child.required and not has_default
            else {"type": child.type}
        )
        prop["description"] = (
            child.lines[0].text.split(":", 1)[-1].strip() if child.lines else child.name
        )
        prop["source"] = child.lines[0].text
        _fill(prop, collected, name, where)
        props[child.name] = ordered(prop)
    node["properties"] = props


def _items(block: Block, value: Any) -> dict[str, Any] | None:
    inner = block.item_type
    if inner in ("url", "string"):
        return {"type": "string"}
    if inner == "object" or (block.children and inner is None):
        return {"type": "object"}
    if inner in ("integer", "number", "boolean"):
        return {"type": inner}
    if isinstance(value, list) and value:
        first = next((v for v in value if v not in ([], None)), value[0])
        kind = json_kind(first)
        items: dict[str, Any] = {"type": kind}
        if kind == "array":
            deeper = next((v for v in first if v not in ([], None)), None) if first else None
            if deeper is None:
                deeper = next((x for v in value if isinstance(v, list) for x in v), None)
            if deeper is not None:
                items["items"] = {"type": json_kind(deeper)}
                if isinstance(deeper, list) and deeper:
                    items["items"]["items"] = {"type": json_kind(deeper[0])}
        return items
    return None


def _required_fields(node: dict[str, Any], finding: Finding, sample_of: Any) -> None:
    """ "each entry requires hex and ratio": object items with those fields required, each
    of the type the page's bodies send."""
    items = sample_of if isinstance(sample_of, list) else []
    node["type"] = "object"
    node["closed"] = "warning"
    props = node.setdefault("properties", {})
    for field_name in finding.value:
        value = next((i[field_name] for i in items if isinstance(i, dict) and field_name in i), "")
        props[field_name] = {"type": json_kind(value), "required": True,
                             "description": field_name, "source": finding.quote}  # fmt: skip


def _fill(
    node: dict[str, Any], collected: Collected, name: str, target: str, sample_of: Any = None
) -> None:
    for (model, param, where, keyword), finding in collected.values.items():
        if model is not None or param != name or where != target or finding.keyword == "conflict":
            continue
        if keyword == "required" and target:
            continue
        if keyword == "media_types" and not str(node.get("format", "")).endswith("data-uri"):
            continue
        if keyword == "media_types":
            collected.placed.add(finding.quote)
        if keyword == "required_fields":
            _required_fields(node, finding, sample_of)
            continue
        node[keyword] = finding.value
        if (finding.quote and finding.quote != node.get("source") and keyword != "required") or (
            keyword == "required" and finding.quote not in ("required", node.get("source"))
        ):
            node.setdefault("cite", {})[keyword] = finding.quote
    if "media_types" in node and "format" not in node:
        del node["media_types"]
    if "default" in node and "enum" in node and node["default"] not in node["enum"]:
        del node["default"]
        node.get("cite", {}).pop("default", None)
    if "cite" in node and not node["cite"]:
        del node["cite"]


def json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def _body_line(text: str, name: str) -> str | None:
    for line in text.splitlines():
        found = re.search(rf'"{re.escape(name)}"\s*:\s*[^,{{\[]+', line)
        if found:
            return found.group(0).strip()
    return None
