"""``docs diff --apply``: a changed page carried into its spec, in place.

Both versions of the page are drafted with the same recognisers. Where a value the drafts
hold changed (enum options, bounds, counts, lengths, defaults, required, format, a new
parameter) and the spec holds what the old page's draft holds, the spec takes the new value
and, where its quote no longer stands, the new quote. Where the spec says something else
(a person decided otherwise), or the change is one no recogniser reads, it is named for a
person. The file is rewritten with ruamel.yaml, so comments, key order and layout stay.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apimart_codegen.lint import normalise
from apimart_codegen.scaffold._draft import draft_spec
from apimart_codegen.scaffold._page import read_page
from apimart_codegen.scaffold._write import round_trip, scalar, to_node

KEYWORDS = ("enum", "minimum", "maximum", "min_length", "max_length", "min_items",
            "max_items", "default", "required", "format", "media_types")  # fmt: skip
_LOW = {"maximum": "minimum", "max_length": "min_length", "max_items": "min_items"}


@dataclass(slots=True)
class ApplyResult:
    applied: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)
    text: str | None = None  # the rewritten spec, when something was applied


def apply_page(spec_path: Path, old_page: str, new_page: str, *, notes: str | None) -> ApplyResult:
    yaml = round_trip()
    original = spec_path.read_text(encoding="utf-8")
    data = yaml.load(original)
    baseline = _dump(yaml, data)
    doc, family, url = data["doc"], data["family"], data.get("url")
    old = draft_spec(read_page(old_page), doc=doc, url=url, family=family, notes=notes).spec
    new = draft_spec(read_page(new_page), doc=doc, url=url, family=family, notes=notes).spec
    result = ApplyResult()
    text = normalise(new_page)
    for scope, old_params, new_params, spec_params in _scopes(old, new, data):
        for name in list(dict.fromkeys([*old_params, *new_params])):
            where = f"{scope}{name}"
            before, after = old_params.get(name), new_params.get(name)
            if before is None and after is not None:
                if scope or name in spec_params:
                    continue
                _insert(spec_params, name, after, list(new_params))
                result.applied.append(f"{where}: new parameter")
                continue
            if after is None:
                if name in spec_params and before is not None and not scope:
                    result.named.append(f"{where}: the new page no longer documents it")
                continue
            if name not in spec_params:
                continue
            for target in ("", "items"):
                _carry(where, target, before, after, spec_params[name], text, result)
    for quote_holder, quote in _quotes(data):
        if normalise(quote) not in text:
            result.named.append(f"{quote_holder}: quotes {quote!r}, no longer on the page")
    if result.applied:
        result.text = splice(original, baseline, _dump(yaml, data))
    return result


def _dump(yaml: Any, data: Any) -> str:
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def splice(original: str, before: str, after: str) -> str:
    """The edits between two dumps, made to the original text: ruamel.yaml re-renders a few
    things its own way (a long flow mapping on one line), and lines the apply did not touch
    stay byte for byte as the person wrote them."""
    o_lines, b_lines, a_lines = (t.splitlines(keepends=True) for t in (original, before, after))
    mapped: dict[int, int] = {}
    for tag, i1, i2, j1, _ in difflib.SequenceMatcher(
        None, b_lines, o_lines, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            mapped.update({i1 + k: j1 + k for k in range(i2 - i1)})
    out = list(o_lines)
    hunks = difflib.SequenceMatcher(None, b_lines, a_lines, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(hunks):
        if tag == "equal":
            continue
        if i1 < i2:
            found = [mapped.get(k) for k in range(i1, i2)]
            span = [k for k in found if k is not None]
            if len(span) != len(found) or span != list(range(span[0], span[0] + len(span))):
                return after
            start, end = span[0], span[-1] + 1
        elif i1 in mapped:
            start = end = mapped[i1]
        elif i1 - 1 in mapped:
            start = end = mapped[i1 - 1] + 1
        else:
            return after
        out[start:end] = a_lines[j1:j2]
    return "".join(out)


def _scopes(old: dict[str, Any], new: dict[str, Any], data: Any) -> list[tuple[str, Any, Any, Any]]:
    scopes = [("", old.get("parameters", {}), new.get("parameters", {}), data["parameters"])]
    for model, entry in data["models"].items():
        if "parameters" not in entry:
            continue
        scopes.append(
            (
                f"models/{model}/",
                old.get("models", {}).get(model, {}).get("parameters", {}),
                new.get("models", {}).get(model, {}).get("parameters", {}),
                entry["parameters"],
            )
        )
    return scopes


def _node(param: Any, target: str) -> Any:
    return param.get(target) if target else param


def _carry(
    where: str, target: str, before: Any, after: Any, spec: Any, text: str, result: ApplyResult
) -> None:
    old_node, new_node, node = _node(before, target), _node(after, target), _node(spec, target)
    if not isinstance(old_node, dict) or not isinstance(new_node, dict) or node is None:
        return
    label = f"{where}{'/' + target if target else ''}"
    for keyword in KEYWORDS:
        was, now = old_node.get(keyword), new_node.get(keyword)
        if _same(was, now):
            continue
        held = node.get(keyword)
        if not _same(held, was):
            result.named.append(
                f"{label}: {keyword} reads {_show(now)} on the new page ({_show(was)} before), "
                f"but the spec holds {_show(held)}: decide by hand"
            )
            continue
        if now is None:
            del node[keyword]
            result.applied.append(f"{label}: {keyword} removed (was {_show(was)})")
        else:
            node[keyword] = to_node(now, flow=keyword in ("enum", "media_types"))
            result.applied.append(f"{label}: {keyword} {_show(was)} -> {_show(now)}")
        _describe(label, node, keyword, (was, now), (old_node, new_node), result)
        _requote(node, keyword, new_node, text)


def _sentence(node: dict[str, Any], keyword: str) -> str | None:
    """The sentence a drafted node's keyword quotes."""
    found = (node.get("cite") or {}).get(keyword) or node.get("source")
    return found if isinstance(found, str) else None


def _describe(
    label: str,
    node: Any,
    keyword: str,
    values: tuple[Any, Any],
    drafts: tuple[dict[str, Any], dict[str, Any]],
    result: ApplyResult,
) -> None:
    """A ``description:`` that quotes the old sentence exactly takes the new one; one that
    repeats the old value in its own words is named for a person."""
    description = node.get("description")
    if not isinstance(description, str):
        return
    old, new = _sentence(drafts[0], keyword), _sentence(drafts[1], keyword)
    shown = normalise(description)
    end = shown[len(shown.rstrip(".;")) :]
    if old and new and shown.rstrip(".;") == normalise(old).rstrip(".;"):
        if normalise(new).rstrip(".;") != shown.rstrip(".;"):
            node["description"] = _styled(description, new.rstrip(".;") + end)
            result.applied.append(f"{label}: description (a quote of the old sentence) updated")
        return
    if _repeats(description, *values):
        result.named.append(
            f"{label}: description {description!r} repeats {keyword} {_show(values[0])}, "
            f"now {_show(values[1])}: edit it by hand"
        )


def _styled(old: Any, text: str) -> Any:
    """The new text in the old one's style: plain stays plain where YAML reads it back."""
    plain = type(old) is str and not re.search(r":\s|\s#|^[-?:,\[\]{}#&*!|>'\"%@`]|:$", text)
    return text if plain else scalar(text)


def _repeats(description: str, was: Any, now: Any) -> bool:
    """Whether a description states the old value: a value the new page dropped, or every
    old option of a list that gained one."""

    def said(value: Any) -> bool:
        return (
            re.search(rf"(?<![\w.:]){re.escape(str(value))}(?![\w:]|\.\d)", description) is not None
        )

    old = was if isinstance(was, list) else [] if was is None else [was]
    new = now if isinstance(now, list) else [] if now is None else [now]
    if isinstance(was, bool) or isinstance(now, bool):
        return False
    gone = [value for value in old if value not in new]
    if any(said(value) for value in gone):
        return True
    return len(old) > 1 and len(new) > len(old) and all(said(value) for value in old)


def _requote(node: Any, keyword: str, new_node: dict[str, Any], text: str) -> None:
    """The quote the keyword's rule cites, moved to the new sentence if the old one is gone."""
    key = _LOW.get(keyword) if _LOW.get(keyword) in node else keyword
    cite = node.get("cite") or {}
    holder, name = (cite, key) if key in cite else (node, "source")
    current = holder.get(name)
    if not isinstance(current, str) or normalise(current) in text:
        return
    fresh = (new_node.get("cite") or {}).get(keyword) or new_node.get("source")
    if isinstance(fresh, str):
        holder[name] = scalar(fresh)


def _insert(params: Any, name: str, value: dict[str, Any], order: list[str]) -> None:
    previous = [n for n in order[: order.index(name)] if n in params]
    position = list(params).index(previous[-1]) + 1 if previous else len(params)
    params.insert(position, name, to_node(value))


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, list) and isinstance(right, list):
        return sorted(map(str, left)) == sorted(map(str, right))
    return bool(left == right)


def _show(value: Any) -> str:
    return "(none)" if value is None else repr(list(value) if isinstance(value, list) else value)


def _quotes(data: Any) -> list[tuple[str, str]]:
    """Every quote of the spec from its own page: (what holds it, the quote)."""
    found: list[tuple[str, str]] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "source" and isinstance(value, str):
                    found.append((where or "/", value))
                elif key == "cite" and isinstance(value, dict):
                    found.extend(
                        (f"{where}/cite/{k}", v) for k, v in value.items() if isinstance(v, str)
                    )
                elif key not in ("body", "examples_body"):
                    walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{where}/{index}")

    walk(data, "")
    return found
