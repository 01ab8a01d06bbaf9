"""A parameter's block read into findings: option lists, intervals, paired conditions,
per-model lines, then each clause through the recognisers."""

from __future__ import annotations

import re
from typing import Any

from apimart_codegen.scaffold._between import condition, conditional
from apimart_codegen.scaffold._clauses import clauses
from apimart_codegen.scaffold._collect import Collected, Draft
from apimart_codegen.scaffold._models import OPTION
from apimart_codegen.scaffold._page import Block, Line
from apimart_codegen.scaffold._recognise import (
    MARKUP,
    Finding,
    Scope,
    list_values,
    recognise,
)

_MODEL_PREFIX = r"^({models})\s*:\s*(.+)$"
# "1 to 16 (viduq3-mix)", "up to 4 images (for pro only)": said of one model
_MODEL_SUFFIX = r"^(.+?)\s*\((?:for\s+)?({models})(?:\s+only)?\)\.?$"


def read_block(block: Block, scope: Scope, collected: Collected, out: Draft) -> None:
    lines = list(block.lines)
    if block.required:
        collected.add(block.name, Finding("required", True, "required"))
    if block.default is not None:
        value = typed(block.default, block.type)
        if value is not None:
            collected.add(block.name, Finding("default", value, block.default_quote or ""))
    if block.name == "model":
        collected.add(block.name, Finding("required", True, title(block) or "model"))
    consumed: set[int] = set()
    lists = _option_runs(lines)
    for intro, run in lists:
        findings = options(run, scope)
        if findings:
            quote = " ".join(
                [intro.text]
                + [(f"{item.marker} " if item.bullet else "") + item.text for item in run]
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
        if scope.type == "boolean" and (choice := re.match(r"^`?(true|false)`?\s*:", line.text)):
            collected.used.add(line.text)
            if "(default)" in line.text:
                collected.add(block.name, Finding("default", choice.group(1) == "true", line.text))
            continue
        if id(line) in consumed:
            continue
        _read_line(line, block.name, scope, collected)
    for child in block.children:
        child_scope = Scope(child.name, child.type, child.item_type, scope.models, scope.parameters)
        child_collected = Collected()
        read_block(child, child_scope, child_collected, out)
        for (model, _param, target, keyword), finding in child_collected.values.items():
            key = (
                model,
                block.name,
                ".".join(
                    t
                    for t in (
                        "items" if block.type == "array" else "",
                        f"properties.{child.name}",
                        target,
                    )
                    if t
                ),
                keyword,
            )
            collected.values.setdefault(key, finding)
        collected.used |= child_collected.used
        collected.restated |= child_collected.restated
        collected.rules += child_collected.rules


def _read_line(line: Line, param: str, scope: Scope, collected: Collected) -> None:
    text = line.text
    models = "|".join(map(re.escape, sorted(scope.models, key=len, reverse=True)))
    if param != "model" and _by_model(text, models, param, scope, collected):
        return
    model_prefix = re.match(_MODEL_PREFIX.format(models=models), text)
    model_suffix = re.match(_MODEL_SUFFIX.format(models=models), text)
    if model_suffix and not model_prefix:
        said, model = model_suffix.group(1), model_suffix.group(2)
    elif model_prefix and model_prefix.group(1) != param:
        model, said = model_prefix.group(1), model_prefix.group(2)
    else:
        model = None
    if model is not None:
        for finding in recognise(said, scope):
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


def _intervals(lines: list[Line], scope: Scope, collected: Collected) -> set[int]:
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
    rule = {
        "id": f"{scope.name}-values",
        "kind": "range",
        "path": f"/{scope.name}",
        "intervals": intervals,
        "message": f"{scope.name} must be {phrase}",
    }
    collected.add(scope.name, Finding("rule", None, quote, rule=rule))
    for line, *_ in singles + spans:
        collected.agree(line.text, quote)  # each interval is part of the one rule
    return {id(line) for line, *_ in singles + spans}


def _paired_conditions(lines: list[Line], scope: Scope, collected: Collected) -> set[int]:
    """ "Standard mode: 1–4" beside "Sequential mode (enable_sequential: true): 1–12": the
    list's one stated condition, and its opposite for the other item."""
    labelled = []
    for line in lines:
        found = re.match(r"^([^:]{3,60}?(?:\([^)]*\))?):\s+(.*)$", line.text)
        if line.bullet and found and re.search(r"(?i)\bmode\b", found.group(1)):
            labelled.append((line, found.group(1), found.group(2)))
    if len(labelled) != 2:
        return set()

    whens = [condition(label, scope) for _, label, _ in labelled]
    if sum(w is not None for w in whens) != 1:
        return set()
    stated = next(w for w in whens if w is not None)
    consumed = set()
    for (line, label, statement), when in zip(labelled, whens, strict=True):
        said = conditional(label, statement, scope, when or {"not": stated})
        for finding in said:
            collected.add(
                scope.name, Finding(finding.keyword, finding.value, line.text, rule=finding.rule)
            )
        if said:
            consumed.add(id(line))
            collected.used.add(line.text)
            for extra in recognise(re.sub(r".*\((default \S+)\).*", r"\1", statement), scope):
                if extra.keyword == "default":
                    collected.add(scope.name, Finding("default", extra.value, line.text))
    return consumed


def _by_model(text: str, models: str, param: str, scope: Scope, collected: Collected) -> bool:
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
                collected.agree(text, known.quote)
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
            if not OPTION.match(following.text) or following.text.endswith(":"):
                break
            if not following.bullet and re.match(r"^[A-Z][a-z]+ ?[a-z]*:", following.text):
                break
            run.append(following)
        if run:
            runs.append((line, run))
    return runs


def options(run: list[Line], scope: Scope) -> list[Finding]:
    """An option list: its values (enum), its default; numbers and ranges make intervals."""
    values: list[Any] = []
    default = None
    for line in run:
        option = OPTION.match(line.text)
        if option is None:
            return []
        raw = MARKUP.sub("", option.group(1)).strip()  # "`16:9` - Landscape"
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


def typed(raw: str, type_name: str) -> Any:
    if type_name == "integer" and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if type_name == "number" and re.fullmatch(r"-?\d+(\.\d+)?", raw):
        return float(raw)
    if type_name == "boolean" and raw in ("true", "false"):
        return raw == "true"
    if type_name == "string":
        return raw
    return None


def title(block: Block) -> str:
    for line in block.lines:
        for clause in clauses(line.text, line.number):
            text = re.split(
                r"\s(?:Example|Options|Supported \w+|Default|Required for)\b", clause.text
            )[0]
            return text.rstrip(":").strip() or clause.text
    return ""
