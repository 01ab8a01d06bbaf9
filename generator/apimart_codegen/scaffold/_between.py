"""Recognisers of rules between fields and of conditions: "at least one of this and X",
"total images + videos ≤ 5", "length must equal the length of X", "must sum to 100.00%",
"takes priority over", "Only the 1st video is used", "ignored in sequential mode", boxes;
and the conditions a label states ("(no image_urls)", "When ... include a video"). They
register in the same registry as the single-field wordings (``_recognise.RECOGNISERS``)."""

from __future__ import annotations

import json
import re
from typing import Any

from apimart_codegen.scaffold._recognise import (
    NUMBER,
    Finding,
    Scope,
    number,
    range_findings,
    recogniser,
)

# -- rules between fields -------------------------------------------------------------------


def param_for(noun: str, scope: Scope) -> str | None:
    """The parameter a noun speaks of: itself by name, or the one parameter named after it."""
    noun = noun.lower().strip()
    if noun in scope.parameters:
        return noun
    singular = noun[:-1] if noun.endswith("s") else noun
    named = [p for p in scope.parameters if singular in re.split(r"_", p.rstrip("s"))]
    named = [p for p in named if p != scope.name] or named
    return named[0] if len(named) == 1 else None


@recogniser("require one of")
def _require_any(text: str, scope: Scope) -> list[Finding]:
    """ "at least one of this and video_urls must be provided"."""
    found = re.search(
        r"(?i)at least one of (?:this|these) and (\w+) must be (?:provided|given)", text
    )
    other = param_for(found.group(1), scope) if found else None
    if other is None:
        return []
    paths = sorted([f"/{scope.name}", f"/{other}"])
    rule = {
        "id": f"{'-or-'.join(p[1:] for p in paths)}-required",
        "kind": "require_any",
        "paths": paths,
        "message": f"at least one of {paths[0][1:]} and {paths[1][1:]} must be given",
    }
    return [Finding("rule", None, text, rule=rule)]


@recogniser("total count")
def _total(text: str, scope: Scope) -> list[Finding]:
    """ "(total images + videos ≤ 5)"."""
    found = re.search(rf"(?i)total (\w+) \+ (\w+)\s*(?:≤|<=|at most|up to)\s*({NUMBER})", text)
    if found is None:
        return []
    first, second = param_for(found.group(1), scope), param_for(found.group(2), scope)
    if first is None or second is None or first == second:
        return []
    rule = {
        "id": f"{first}-{second}-total",
        "kind": "total_items",
        "path": f"/{first}",
        "paths": [f"/{first}", f"/{second}"],
        "max": number(found.group(3)),
        "message": f"{first} and {second} together can hold at most {found.group(3)} items",
    }
    return [Finding("rule", None, text, rule=rule)]


@recogniser("same length")
def _same_length(text: str, scope: Scope) -> list[Finding]:
    """ "Outer array length must equal the length of image_urls"."""
    found = re.search(r"(?i)length must (?:equal|match) (?:the (?:length|number) of )?(\w+)", text)
    other = param_for(found.group(1), scope) if found else None
    if other is None or other == scope.name:
        return []
    rule = {
        "id": f"{scope.name}-per-{other}",
        "kind": "same_length",
        "path": f"/{scope.name}",
        "other": f"/{other}",
        "message": f"{scope.name} must have one entry per {other} item",
    }
    return [Finding("rule", None, text, rule=rule)]


@recogniser("percent sum")
def _percent_sum(text: str, scope: Scope) -> list[Finding]:
    """ "All ratio values must sum to exactly 100.00%"."""
    found = re.search(
        rf"(?i)all (\w+) values must (?:sum|add up) to (?:exactly )?({NUMBER})%", text
    )
    if found is None or scope.type != "array":
        return []
    rule = {
        "id": f"{scope.name}-sum",
        "kind": "percent_sum",
        "path": f"/{scope.name}",
        "key": found.group(1),
        "total": found.group(2),
        "message": f"the {scope.name} {found.group(1)} values must sum to exactly "
        f"{found.group(2)}%",
    }
    return [Finding("rule", None, text, rule=rule)]


@recogniser("fields required")
def _fields(text: str, scope: Scope) -> list[Finding]:
    """ "each entry requires hex and ratio": the fields every item of the list carries."""
    found = re.search(r"(?i)each (?:entry|item|object|element) requires ([\w, ]+?)(?:$|[.;])", text)
    if found is None or scope.type != "array":
        return []
    names = [n for n in re.split(r"\s*(?:,|\band\b)\s*", found.group(1)) if n]
    return [Finding("required_fields", names, text, "items")]


@recogniser("only first used")
def _only_first(text: str, scope: Scope) -> list[Finding]:
    """ "Only the 1st video is used": the rest are ignored, a warning."""
    found = re.search(r"(?i)only the (?:1st|first) \w+ (?:is|will be) used", text)
    if found is None or scope.type != "array":
        return []
    rule = {
        "id": f"{scope.name}-only-first-used",
        "kind": "item_count",
        "path": f"/{scope.name}",
        "max": 1,
        "severity": "warning",
        "message": f"only the first of {scope.name} is used; the others are ignored",
    }
    return [Finding("rule", None, text, rule=rule)]


@recogniser("takes priority")
def _priority(text: str, scope: Scope) -> list[Finding]:
    """ "Takes priority over the audio parameter": the other is ignored when this is given."""
    found = re.search(r"(?i)takes priority over (?:the )?(\w+)(?: parameter)?", text)
    other = param_for(found.group(1), scope) if found else None
    if other is None or other == scope.name:
        return []
    rule = {
        "id": f"{other}-ignored-with-{scope.name}",
        "kind": "disallowed",
        "path": f"/{other}",
        "severity": "warning",
        "when": {"present": f"/{scope.name}"},
        "message": f"{other} is overridden when {scope.name} is given "
        f"({scope.name} takes priority)",
    }
    return [Finding("rule", None, text, rule=rule)]


@recogniser("ignored in a mode")
def _ignored_in_mode(text: str, scope: Scope) -> list[Finding]:
    """ "thinking_mode and color_palette are ignored in sequential mode", said of a boolean
    switch: each named parameter is ignored (a warning) while the switch is on."""
    found = re.search(r"^([\w, ]+?) (?:is|are) ignored in (\w+) mode", text)
    switch = param_for(found.group(2), scope) if found else None
    if found is None or switch is None or switch != scope.name or scope.type != "boolean":
        return []
    out = []
    for name in re.split(r"\s*(?:,|\band\b)\s*", found.group(1)):
        if name in scope.parameters and name != switch:
            rule = {
                "id": f"{name}-ignored-with-{switch}",
                "kind": "disallowed",
                "path": f"/{name}",
                "severity": "warning",
                "when": {"equals": {"path": f"/{switch}", "value": True}},
                "message": f"{name} is ignored when {switch} is true",
            }
            out.append(Finding("rule", None, text, rule=rule))
    return out


@recogniser("box")
def _box(text: str, scope: Scope) -> list[Finding]:
    """ "Structure: [[[x1, y1, x2, y2], ...], ...]": nested lists ending in a corner pair."""
    found = re.search(r"(\[+)\s*x1,\s*y1,\s*x2,\s*y2\s*\]", text)
    if found is None or scope.type != "array":
        return []
    depth = len(found.group(1))
    target = ".".join(["items"] * (depth - 1))
    pointer = "/" + "/".join([scope.name] + ["*"] * (depth - 1))
    rule = {
        "id": f"{scope.name}-corners",
        "kind": "box",
        "path": pointer,
        "message": "each box must be [x1, y1, x2, y2] with x1 < x2 and y1 < y2",
    }
    return [
        Finding("min_items", 4, text, target),
        Finding("max_items", 4, text, target),
        Finding("rule", None, text, rule=rule),
    ]


# -- conditions -----------------------------------------------------------------------------


def condition(label: str, scope: Scope) -> dict[str, Any] | None:
    """The condition a label states: "(no image_urls)", "(enable_sequential: true)",
    "include a video", "do not include a video", "When first_frame is provided via X"."""
    if found := re.search(r"\((\w+):\s*(true|false|\d+|\w+)\)", label):
        name = param_for(found.group(1), scope)
        raw = found.group(2)
        value: Any = raw == "true" if raw in ("true", "false") else raw
        if raw.isdigit():
            value = int(raw)
        return {"equals": {"path": f"/{name}", "value": value}} if name else None
    if found := re.search(r"(?i)\((?:no|without) (\w+)\)|do(?:es)? not include an? (\w+)", label):
        name = param_for(found.group(1) or found.group(2), scope)
        return {"absent": f"/{name}"} if name else None
    if found := re.search(r"(?i)\(with (\w+)\)|\binclude[s]? an? (\w+)", label):
        name = param_for(found.group(1) or found.group(2), scope)
        return {"present": f"/{name}"} if name else None
    if found := re.search(r"(?i)when (\w+) is provided via (\w+)", label):
        name = param_for(found.group(2), scope)
        for child, values in scope.children.items():
            if name and found.group(1) in values:
                return {"equals": {"path": f"/{name}/*/{child}", "value": found.group(1)}}
    return None


def conditional(
    label: str, statement: str, scope: Scope, when: dict[str, Any] | None = None
) -> list[Finding]:
    """A constraint under a condition: "Text-to-image (no image_urls): required",
    "When the reference assets include a video: an integer between [2, 10]"."""
    when = when or condition(label, scope)
    if when is None:
        return []
    quote = f"{label}: {statement}" if statement else label
    slug = _slug(when)
    if re.match(r"(?i)required\b", statement.strip()):
        rule = {
            "id": f"{scope.name}-required-{slug}",
            "kind": "required",
            "path": f"/{scope.name}",
            "when": when,
            "message": f"{scope.name} is required {_phrase(when)}",
        }
        return [Finding("rule", None, quote, rule=rule)]
    if re.search(r"(?i)\bis ignored\b", statement or label):
        rule = {
            "id": f"{scope.name}-ignored-{slug}",
            "kind": "disallowed",
            "path": f"/{scope.name}",
            "severity": "warning",
            "when": when,
            "message": f"{scope.name} is ignored {_phrase(when)}",
        }
        return [Finding("rule", None, quote, rule=rule)]
    bounds = [
        f
        for f in range_findings(re.sub(r"\(default \S+\)", "", statement), scope)
        if f.target == ""
    ]
    if len(bounds) == 2 and bounds[0].keyword == "minimum":
        rule = {
            "id": f"{scope.name}-{slug}",
            "kind": "range",
            "path": f"/{scope.name}",
            "min": bounds[0].value,
            "max": bounds[1].value,
            "when": when,
            "message": f"{scope.name} must be between {bounds[0].value} and "
            f"{bounds[1].value} {_phrase(when)}",
        }
        return [Finding("rule", None, quote, rule=rule)]
    return []


def _slug(when: dict[str, Any]) -> str:
    if "not" in when:
        return "not-" + _slug(when["not"])
    (word, value), *_ = when.items()
    path = value["path"] if isinstance(value, dict) else value
    name = path.strip("/").replace("/*/", "-").replace("_", "-")
    if isinstance(value, dict):
        return f"{name}-{str(value['value']).lower()}".replace("_", "-")
    return f"{'with' if word == 'present' else 'without'}-{name}"


def _phrase(when: dict[str, Any]) -> str:
    if "not" in when:
        return "otherwise"
    (word, value), *_ = when.items()
    if word == "present":
        return f"when {value[1:]} is given"
    if word == "absent":
        return f"when {value[1:]} is not given"
    return f"when {value['path'][1:].replace('/*/', ' ')} is {json.dumps(value['value'])}"
