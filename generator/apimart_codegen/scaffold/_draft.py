"""From a read page to a draft spec (plain data in the spec format) and the review list.

Every value the draft holds comes from a finding, and every finding quotes its clause; a
clause that reads as a constraint and gave no finding goes to ``unchecked:`` with a reason
starting "review:", so the draft never drops a sentence silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from apimart_codegen.scaffold._clauses import clauses, reads_as_constraint
from apimart_codegen.scaffold._page import Block, Line, Page, body_names, sample
from apimart_codegen.scaffold._recognise import (
    Finding,
    Scope,
    conditional,
    list_values,
    recognise,
)
from apimart_codegen.spec import meta_schema

MODEL_NAME = re.compile(meta_schema.MODEL_NAME)  # the wire name, as the page spells it
FAMILY = re.compile(meta_schema.FAMILY)
_OPTION = re.compile(r"^(\S{1,40}?)\s*(?:\s[-—–]\s|\(default\)|:\s)(.*)$")
_MODEL_PREFIX = r"^({models})\s*:\s*(.+)$"
WEBHOOK_QUOTE = "Optional body field `webhook`: a public http(s) base URL"
BOUND_PAIRS = (("minimum", "maximum"), ("min_length", "max_length"), ("min_items", "max_items"))
KEY_ORDER = ("type", "required", "enum", "minimum", "maximum", "min_length", "max_length",
             "min_items", "max_items", "format", "media_types", "default", "closed",
             "description", "source", "cite", "decision", "items", "properties")  # fmt: skip


@dataclass(slots=True)
class Draft:
    spec: dict[str, Any]
    review: list[tuple[str, str]] = field(default_factory=list)  # (quote, why)
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Collected:
    """Findings per (model, parameter, target, keyword), with the clauses that gave them."""

    values: dict[tuple[str | None, str, str, str], Finding] = field(default_factory=dict)
    rules: list[Finding] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    placed: set[str] = field(default_factory=set)

    def add(self, param: str, finding: Finding) -> None:
        self.used.add(finding.quote)
        if finding.rule is not None:
            if all(f.rule != finding.rule for f in self.rules):
                self.rules.append(finding)
            return
        key = (finding.model, param, finding.target, finding.keyword)
        known = self.values.get(key)
        if known is not None and finding.keyword == "format" and known.value != finding.value:
            if "data" in str(finding.value):
                self.values[key] = finding  # "URLs or Base64": the wider format is stated
            return
        if known is None:
            self.values[key] = finding
        elif known.value != finding.value and key not in {k for k, _ in self._bad()}:
            self.conflicts.append((finding.quote, f"it says {finding.keyword} "
                                   f"{finding.value!r} where {known.quote!r} says {known.value!r}"))  # fmt: skip
            self.values[key] = Finding("conflict", None, known.quote)

    def _bad(self) -> list[tuple[Any, Any]]:
        return []


def draft_spec(
    page: Page, *, doc: str, url: str | None, family: str | None, notes: str | None
) -> Draft:
    out = Draft({})
    models = _models(page)
    if not models:
        out.problems.append("the page names no model (no model list, no 'fixed as', no body)")
        return out
    bad = [m for m in models if not MODEL_NAME.match(m)]
    for name in bad:
        out.problems.append(f"model name {name!r} is not a model name the specs accept")
    models = [m for m in models if m not in bad] or models
    family = family or _family(doc, models)
    names = [b.name for b in page.blocks] + [n for n in body_names(page) if not page.block(n)]
    collected = _Collected()
    enums_of_children: dict[str, dict[str, list[Any]]] = {}
    for block in page.blocks:
        for child in block.children:
            options = _options(child.lines, Scope(child.name, child.type, None, models, names))
            if options:
                enums_of_children.setdefault(block.name, {})[child.name] = options[0].value
    for block in page.blocks:
        scope = Scope(
            block.name, block.type, block.item_type, models, names,
            enums_of_children.get(block.name, {}),
        )  # fmt: skip
        _read_block(block, scope, collected, out)
    _read_tables(page, models, names, collected)
    for quote, why in collected.conflicts:
        out.review.append((quote, f"review: the page states this twice, differently: {why}"))
    parameters = _parameters(page, models, names, collected, out)
    if notes is not None and WEBHOOK_QUOTE in " ".join(notes.split()) and "webhook" not in names:
        parameters["webhook"] = {
            "type": "string",
            "format": "http-url",
            "description": "Public http(s) base URL; when the task ends the task object is "
            "POSTed to it with /callback appended.",
            "source": {"doc": "API_NOTES.md", "quote": WEBHOOK_QUOTE},
        }
    model_entries = _model_entries(page, models, collected)
    _review_notes(page, models, names, collected, out)
    out.spec = {
        "doc": doc,
        **({"url": url} if url else {}),
        "family": family,
        "body": {"closed": "warning", "source": _request_heading(page)},
        "models": model_entries,
        "parameters": parameters,
        **({"rules": _rules(collected)} if collected.rules else {}),
        "examples": [
            {"name": body.name, "source": body.quote, "body": body.body} for body in page.bodies
        ],
    }
    unchecked = _unchecked(collected, out)
    if unchecked:
        out.spec["unchecked"] = unchecked
    return out


# -- models ---------------------------------------------------------------------------------


def _models(page: Page) -> list[str]:
    found: list[str] = []
    block = page.block("model")
    if block is not None:
        for line in block.lines:
            if option := _OPTION.match(line.text):
                name = option.group(1)
                if (line.bullet or block.inferred) and re.search(r"\d|-|\.", name):
                    found.append(name)
            if fixed := re.search(
                r"\bfixed (?:as|at|to)\s*:?\s*([A-Za-z0-9][\w.\-]*[A-Za-z0-9])", line.text
            ):
                found.append(fixed.group(1))
    for body in page.bodies:
        name = body.body.get("model")
        if isinstance(name, str):
            found.append(name)
    return list(dict.fromkeys(found))


def _family(doc: str, models: list[str]) -> str:
    stem = doc.rsplit("/", 1)[-1].removesuffix(".txt")
    return stem if FAMILY.match(stem) else models[0].lower()


def _model_entries(page: Page, models: list[str], collected: _Collected) -> dict[str, Any]:
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
        quote = None
        for line in block.lines if block else []:
            if (option := _OPTION.match(line.text)) and option.group(1) == name:
                described, quote = option.group(2).strip(" -—–"), line.text
        entry: dict[str, Any] = {
            "description": described or f"{name}, drafted from its page.",
            "endpoint": endpoint,
            "output": output,
            "response": response,
        }
        overrides = {}
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
            entry["parameters"] = {k: _ordered(v) for k, v in overrides.items()}
        entries[name] = entry
    return entries


# -- parameters -----------------------------------------------------------------------------


def _read_block(block: Block, scope: Scope, collected: _Collected, out: Draft) -> None:
    lines = list(block.lines)
    if block.required:
        collected.add(block.name, Finding("required", True, "required"))
    if block.default is not None:
        value = _typed(block.default, block.type)
        if value is not None:
            collected.add(block.name, Finding("default", value, block.default_quote or ""))
    if block.name == "model":
        collected.add(block.name, Finding("required", True, _title(block) or "model"))
    consumed: set[int] = set()
    lists = _option_runs(lines)
    for intro, run in lists:
        findings = _options(run, scope)
        if findings:
            quote = " ".join(
                [intro.text] + [("• " if item.bullet else "") + item.text for item in run]
            )
            for finding in findings:
                collected.add(
                    block.name, Finding(finding.keyword, finding.value, quote, finding.target)
                )
            consumed.update(id(item) for item in run)
            collected.used.add(intro.text)
    consumed |= _intervals(lines, scope, collected)
    consumed |= _paired_conditions(lines, scope, collected)
    for line in lines:
        if scope.type == "boolean" and re.match(r"^(true|false)\s*:", line.text):
            collected.used.add(line.text)
            continue
        if id(line) in consumed:
            continue
        _read_line(line, block.name, scope, collected)
    for child in block.children:
        child_scope = Scope(child.name, child.type, child.item_type, scope.models, scope.parameters)
        child_collected = _Collected()
        _read_block(child, child_scope, child_collected, out)
        for (model, _param, target, keyword), finding in child_collected.values.items():
            key = (model, block.name, ".".join(
                t for t in ("items" if block.type == "array" else "", f"properties.{child.name}", target) if t
            ), keyword)  # fmt: skip
            collected.values.setdefault(key, finding)
        collected.used |= child_collected.used
        collected.rules += child_collected.rules


def _read_line(line: Line, param: str, scope: Scope, collected: _Collected) -> None:
    text = line.text
    models = "|".join(map(re.escape, sorted(scope.models, key=len, reverse=True)))
    if param != "model" and _by_model(text, models, param, scope, collected):
        return
    model_prefix = re.match(_MODEL_PREFIX.format(models=models), text)
    if model_prefix and model_prefix.group(1) != param:
        model = model_prefix.group(1)
        for finding in recognise(model_prefix.group(2), scope):
            if finding.rule is None and finding.keyword != "format":
                collected.add(
                    param,
                    Finding(finding.keyword, finding.value, text, finding.target, model=model),
                )
        return
    label = re.match(r"^(.{3,80}?):\s+(.*)$", text)
    if label and re.search(r"(?i)\bwhen\b|\bmode\b|\(no |\(with |\(\w+: ", label.group(1)):
        found = conditional(label.group(1), label.group(2), scope)
        for finding in found:
            collected.add(param, finding)
        if found:
            return
    for clause in clauses(text, line.number):
        label = re.match(r"^(When .{3,80}?):\s+(.*)$", clause.text)
        if label and (found := conditional(label.group(1), label.group(2), scope)):
            for finding in found:
                collected.add(
                    param, Finding(finding.keyword, finding.value, clause.text, rule=finding.rule)
                )
            continue
        found = recognise(clause.text, scope)
        if not found and re.search(r"(?i)\bwhen\b", clause.text):
            found = conditional(clause.text, "", scope)
        for finding in found:
            if finding.keyword == "format" and finding.value == "data":
                finding = Finding(
                    "format", "http-url-or-image-data-uri", finding.quote, finding.target
                )
            collected.add(param, finding)


def _intervals(lines: list[Line], scope: Scope, collected: _Collected) -> set[int]:
    """ "0 (default): keep the whole video" beside "Integer between 2-10: take that many":
    the values and ranges a number may take, as one rule of intervals."""
    if scope.type != "integer":
        return set()
    singles, spans = [], []
    for line in lines:
        if not line.bullet:
            continue
        if found := re.match(r"^(\d+)\s*(?:\(default\))?\s*:", line.text):
            singles.append((line, int(found.group(1))))
        else:
            bounds = [
                f
                for f in recognise(line.text.split(":")[0], scope)
                if f.keyword in ("minimum", "maximum")
            ]
            if len(bounds) == 2:
                spans.append((line, bounds[0].value, bounds[1].value))
    if not singles or not spans:
        return set()
    intervals = sorted([[v, v] for _, v in singles] + [[lo, hi] for _, lo, hi in spans])
    quote = spans[0][0].text
    phrase = " or ".join(f"{lo}" if lo == hi else f"between {lo} and {hi}" for lo, hi in intervals)
    rule = {"id": f"{scope.name}-values", "kind": "range", "path": f"/{scope.name}",
            "intervals": intervals, "message": f"{scope.name} must be {phrase}"}  # fmt: skip
    collected.add(scope.name, Finding("rule", None, quote, rule=rule))
    for line, *_ in singles + spans:
        collected.used.add(line.text)
    return {id(line) for line, *_ in singles + spans}


def _paired_conditions(lines: list[Line], scope: Scope, collected: _Collected) -> set[int]:
    """ "Standard mode: 1–4" beside "Sequential mode (enable_sequential: true): 1–12": the
    list's one stated condition, and its opposite for the other item."""
    labelled = []
    for line in lines:
        found = re.match(r"^([^:]{3,60}?(?:\([^)]*\))?):\s+(.*)$", line.text)
        if line.bullet and found and re.search(r"(?i)\bmode\b", found.group(1)):
            labelled.append((line, found.group(1), found.group(2)))
    if len(labelled) != 2:
        return set()
    from apimart_codegen.scaffold._recognise import condition

    whens = [condition(label, scope) for _, label, _ in labelled]
    if sum(w is not None for w in whens) != 1:
        return set()
    stated = next(w for w in whens if w is not None)
    consumed = set()
    for (line, label, statement), when in zip(labelled, whens, strict=True):
        found = conditional(label, statement, scope, when or {"not": stated})
        for finding in found:
            collected.add(
                scope.name, Finding(finding.keyword, finding.value, line.text, rule=finding.rule)
            )
        if found:
            consumed.add(id(line))
            collected.used.add(line.text)
            for extra in recognise(re.sub(r".*\((default \S+)\).*", r"\1", statement), scope):
                if extra.keyword == "default":
                    collected.add(scope.name, Finding("default", extra.value, line.text))
    return consumed


def _by_model(text: str, models: str, param: str, scope: Scope, collected: _Collected) -> bool:
    """ "viduq3 supports minimum 3 seconds, viduq3-mix supports minimum 1 second.": each part
    is said of the model it starts with; "viduq3-mix does not support 540p" agrees with a
    list that leaves 540p out."""
    starts = [m for m in re.finditer(rf"(?:^|(?<=, )|(?<=; ))({models})\b(?!-)", text)]
    if not starts or starts[0].start() != 0:
        return False
    used = False
    for index, start in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        part = text[start.end() : end]
        negated = re.search(r"(?i)does not support (\S+?)[,.]", part)
        if negated:
            known = collected.values.get((start.group(1), param, "", "enum"))
            if known is not None and negated.group(1) not in known.value:
                collected.used.add(text)
                used = True
            continue
        for finding in recognise(part, scope):
            if finding.rule is None and finding.keyword != "format":
                collected.add(
                    param,
                    Finding(
                        finding.keyword, finding.value, text, finding.target, model=start.group(1)
                    ),
                )
                used = True
    return used


def _option_runs(lines: list[Line]) -> list[tuple[Line, list[Line]]]:
    """Each line ending in ':' followed by option lines ("16:9 - Landscape (default)")."""
    runs = []
    for index, line in enumerate(lines):
        if not line.text.rstrip().endswith(":") and not re.match(r"^[a-z_]+ \([a-z]+", line.text):
            continue
        run = []
        for following in lines[index + 1 :]:
            if not _OPTION.match(following.text) or following.text.endswith(":"):
                break
            if not following.bullet and re.match(r"^[A-Z][a-z]+ ?[a-z]*:", following.text):
                break
            run.append(following)
        if run:
            runs.append((line, run))
    return runs


def _options(run: list[Line], scope: Scope) -> list[Finding]:
    """An option list: its values (enum), its default; numbers and ranges make intervals."""
    values: list[Any] = []
    default = None
    for line in run:
        option = _OPTION.match(line.text)
        if option is None:
            return []
        raw = option.group(1).strip()
        if re.match(r"^[A-Z][a-z]+$", raw) and scope.type == "string" and not line.bullet:
            return []  # "Format: mp4": a label, not an option
        if raw in scope.models and scope.name != "model":
            return []  # per-model lines, read one by one
        parsed = list_values(raw, scope) if scope.type != "boolean" else None
        if scope.type == "boolean" and raw in ("true", "false"):
            if "(default)" in line.text:
                default = raw == "true"
            continue
        if parsed is None or len(parsed[0]) != 1:
            return []
        values.append(parsed[0][0])
        if "(default)" in line.text:
            default = parsed[0][0]
    out = []
    if values and scope.name != "model":
        out.append(Finding("enum", values, ""))
    if default is not None:
        out.append(Finding("default", default, ""))
    return out


def _typed(raw: str, type_name: str) -> Any:
    if type_name == "integer" and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if type_name == "number" and re.fullmatch(r"-?\d+(\.\d+)?", raw):
        return float(raw)
    if type_name == "boolean" and raw in ("true", "false"):
        return raw == "true"
    if type_name == "string":
        return raw
    return None


def _title(block: Block) -> str:
    for line in block.lines:
        for clause in clauses(line.text, line.number):
            text = re.split(
                r"\s(?:Example|Options|Supported \w+|Default|Required for)\b", clause.text
            )[0]
            return text.rstrip(":").strip() or clause.text
    return ""


def _parameters(
    page: Page, models: list[str], names: list[str], collected: _Collected, out: Draft
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in names:
        block = page.block(name)
        value = sample(page, name)
        if block is None:
            line = _body_line(page.text, name)
            if line is None:
                continue
            kind = _json_kind(value)
            params[name] = {
                "type": kind,
                "description": f"{name}, as the page's request bodies send it.",
                "source": line,
                "decision": f"{name} appears only in the page's request bodies; its type is theirs.",
            }
            if kind == "array":
                params[name]["items"] = {"type": _json_kind(value[0]) if value else "string"}
            out.review.append((line, f"review: {name} is sent by an example but not documented"))
            continue
        title = _title(block)
        param: dict[str, Any] = {"type": block.type}
        if block.inferred:
            param["decision"] = (
                "The page lists this parameter without its name and type; both are taken from "
                "its request bodies, which send the parameters in the list's order."
            )
        param["description"] = (title or name).strip()
        param["source"] = title or name
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
        params[name] = _ordered(param)
    return params


def _children_into(
    node: dict[str, Any], block: Block, collected: _Collected, name: str, at: str
) -> None:
    if not block.children:
        return
    node["type"] = "object"
    node["closed"] = "warning"
    props = {}
    for child in block.children:
        where = ".".join(t for t in (at, f"properties.{child.name}") if t)
        has_default = any(
            (None, name, f"{where}", "default") == k[:1] + k[1:] for k in collected.values
        )
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
        props[child.name] = _ordered(prop)
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
        kind = _json_kind(first)
        items: dict[str, Any] = {"type": kind}
        if kind == "array":
            deeper = next((v for v in first if v not in ([], None)), None) if first else None
            if deeper is None:
                deeper = next((x for v in value if isinstance(v, list) for x in v), None)
            if deeper is not None:
                items["items"] = {"type": _json_kind(deeper)}
                if isinstance(deeper, list) and deeper:
                    items["items"]["items"] = {"type": _json_kind(deeper[0])}
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
        props[field_name] = {"type": _json_kind(value), "required": True,
                             "description": field_name, "source": finding.quote}  # fmt: skip


def _fill(
    node: dict[str, Any], collected: _Collected, name: str, target: str, sample_of: Any = None
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
    for low, high in BOUND_PAIRS:
        cite = node.get("cite", {})
        if low in node and high in node and high in cite and cite.get(low) != cite[high]:
            pass  # the rule cites the low keyword's sentence; the other stays for reference
    if "default" in node and "enum" in node and node["default"] not in node["enum"]:
        del node["default"]
        node.get("cite", {}).pop("default", None)
    if "cite" in node and not node["cite"]:
        del node["cite"]


def _json_kind(value: Any) -> str:
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


def _ordered(node: dict[str, Any]) -> dict[str, Any]:
    return {key: node[key] for key in KEY_ORDER if key in node} | {
        k: v for k, v in node.items() if k not in KEY_ORDER
    }


# -- tables, notes, rules, review -----------------------------------------------------------


def _read_tables(page: Page, models: list[str], names: list[str], collected: _Collected) -> None:
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
    row: Line, columns: list[str], names: list[str], models: list[str], collected: _Collected
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
    collected: _Collected,
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


def _review_notes(
    page: Page, models: list[str], names: list[str], collected: _Collected, out: Draft
) -> None:
    """Clauses a person would read as a constraint that gave no rule: kept under review."""
    seen = {quote for quote, _ in out.review}
    for block in page.blocks:
        for line in block.lines + [item for c in block.children for item in c.lines]:
            if line.text in collected.used or line.text.endswith(":"):
                continue
            for clause in clauses(line.text, line.number):
                text = clause.text
                if text in collected.used or text in seen or not reads_as_constraint(text):
                    continue
                if any(text in used or used in text for used in collected.used if len(used) > 12):
                    continue
                seen.add(text)
                out.review.append((text, f"review: {block.name}: no rule was drafted from this"))
    mentioned = re.compile(
        "|".join(re.escape(n) for n in names + models if len(n) > 3) or r"(?!x)x"
    )
    skip = {body.quote for body in page.bodies}
    for line in page.notes:
        text = line.text
        if text in skip or text in collected.used or text in seen:
            continue
        if ("⚠" in text or mentioned.search(text)) and reads_as_constraint(text) and len(text) > 8:
            seen.add(text)
            out.review.append((text, "review: a note on the page; no rule was drafted from it"))


def _rules(collected: _Collected) -> list[dict[str, Any]]:
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
        if re.search(rf"(?m)^{heading}$", page.text):
            return heading
    return "model"


def _unchecked(collected: _Collected, out: Draft) -> list[dict[str, Any]]:
    items = []
    for (_, param, _, keyword), finding in collected.values.items():
        if keyword == "media_types" and finding.quote and finding.quote not in collected.placed:
            items.append(
                (
                    finding.quote,
                    f"{param}: a file's format behind a URL is only known by fetching it; review whether the list should be checked on data URIs",
                )
            )
    for quote, why in out.review:
        items.append((quote, why))
    seen: set[str] = set()
    unique = []
    for quote, why in items:
        if quote in seen:
            continue
        seen.add(quote)
        unique.append({"source": quote, "reason": why})
    return unique
