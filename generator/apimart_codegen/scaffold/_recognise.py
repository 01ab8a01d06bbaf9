"""Recognisers: one small function per way the vendor states a constraint, in a registry.

Each reads one clause of a parameter's description (with what is known of the parameter:
its type, the page's models and parameter names) and returns what the clause states, each
finding carrying the clause it quotes. A clause no recogniser understands is not guessed at:
the draft keeps it for a person. Adding a wording means adding one function here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Recogniser = Callable[[str, "Scope"], list["Finding"]]
RECOGNISERS: dict[str, Recogniser] = {}


def recogniser(name: str) -> Callable[[Recogniser], Recogniser]:
    def register(function: Recogniser) -> Recogniser:
        RECOGNISERS[name] = function
        return function

    return register


@dataclass(frozen=True, slots=True)
class Finding:
    """A keyword of a parameter (``target`` "" itself, "items" its items, "items.items"...)
    or, with ``rule`` set, a rule of the ``rules:`` list."""

    keyword: str
    value: Any
    quote: str
    target: str = ""
    rule: dict[str, Any] | None = None
    model: str | None = None
    unchecked: str | None = None  # a reason: the constraint is stated, but cannot be checked


@dataclass(slots=True)
class Scope:
    name: str
    type: str
    item_type: str | None
    models: list[str]
    parameters: list[str]
    children: dict[str, list[Any]] = field(default_factory=dict)  # field name -> its enum


def recognise(text: str, scope: Scope) -> list[Finding]:
    found: list[Finding] = []
    if scope.name == "model":
        return found  # the models are read from the model list, not from its prose
    for function in RECOGNISERS.values():
        found.extend(function(text, scope))
    return found


# -- numbers and lists ----------------------------------------------------------------------

NUMBER = r"\d+(?:\.\d+)?"
_DASH = r"\s*(?:-|–|—|~|to|and|,(?=\s*\d+\]))\s*"
_NOT_RATIO = r"(?<![\d:×x*.])"
_END = r"(?![\d:×x*%])"
LENGTH_UNITS = r"characters?|chars?|letters?|tokens?"
COUNT_UNITS = (
    r"images?|videos?|audios?|files?|items?|entries|entry|urls?|elements?|boxes|box|"
    r"references?|colou?rs?|pictures?|photos?|clips?"
)
TIME_UNITS = r"seconds?|secs?|s\b"
_UNIT = rf"(?:\s*({LENGTH_UNITS}|{COUNT_UNITS}|{TIME_UNITS}))?"
_PER = r"(?:\s+per\s+(\w+))?"


def number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _unit_keywords(unit: str | None, scope: Scope) -> tuple[str, str, str] | None:
    """(low keyword, high keyword, target) a bound in ``unit`` sets on this parameter."""
    unit = (unit or "").lower()
    if re.fullmatch(LENGTH_UNITS, unit):
        return ("min_length", "max_length", "") if scope.type == "string" else None
    if re.fullmatch(COUNT_UNITS, unit):
        return ("min_items", "max_items", "") if scope.type == "array" else None
    if scope.type in ("integer", "number") and (not unit or re.fullmatch(TIME_UNITS, unit)):
        return ("minimum", "maximum", "")
    return None


def _per(keywords: tuple[str, str, str], per: str | None, unit: str | None) -> tuple[str, str, str]:
    """ "Max 2 boxes per image": a count of each item of the list, not of the list."""
    if per and unit and keywords[0] == "min_items" and per.rstrip("s") != unit.rstrip("s"):
        return keywords[0], keywords[1], "items"
    return keywords


_CONDITIONAL = re.compile(r"\b(when|if|mode|with|without|unless|only when)\b", re.IGNORECASE)


@recogniser("range")
def _range(text: str, scope: Scope) -> list[Finding]:
    """ "1-7 images", "1 to 16", "2 ~ 15 seconds", "between [2, 10]", "Range: 1-6"."""
    out = []
    pattern = rf"{_NOT_RATIO}\[?({NUMBER}){_DASH}({NUMBER})\]?(?![\d×x*%]|:\S){_UNIT}{_PER}"
    for found in re.finditer(pattern, text):
        before = text[: found.start()]
        if _CONDITIONAL.search(before) or re.search(r"[×x*:]$", before):
            continue
        low, high = number(found.group(1)), number(found.group(2))
        if low > high:
            continue
        keywords = _unit_keywords(found.group(3), scope)
        if keywords is None:
            continue
        low_kw, high_kw, target = _per(keywords, found.group(4), found.group(3))
        out += [Finding(low_kw, low, text, target), Finding(high_kw, high, text, target)]
    return out


_UPPER = re.compile(
    rf"(?:up to|maximum(?: of)?|max(?:imum)?\.?|at most|no more than|not exceed|≤|<=|only)\s*:?\s*"
    rf"({NUMBER}){_END}{_UNIT}{_PER}",
    re.IGNORECASE,
)
_LOWER = re.compile(
    rf"(?:at least|minimum(?: of)?|min\.?|no less than|≥|>=)\s*:?\s*({NUMBER}){_END}{_UNIT}",
    re.IGNORECASE,
)


@recogniser("bound")
def _bound(text: str, scope: Scope) -> list[Finding]:
    """ "up to 800 characters", "Maximum 5 images", "at least 1", "≤ 5", "integer ≥0"."""
    out = []
    for pattern, side in ((_UPPER, 1), (_LOWER, 0)):
        for found in pattern.finditer(text):
            before = text[: found.start()]
            if _CONDITIONAL.search(before) or "total" in before.lower()[-20:]:
                continue
            unit = found.group(2)
            if found.group(0).lower().startswith("only") and not unit:
                continue
            keywords = _unit_keywords(unit, scope)
            if keywords is None:
                continue
            per = found.group(3) if side == 1 else None
            low_kw, high_kw, target = _per(keywords, per, unit)
            out.append(Finding((low_kw, high_kw)[side], number(found.group(1)), text, target))
    return out


_VALUE_TOKEN = r"[A-Za-z0-9][\w.:+-]*"
_LIST = re.compile(
    rf"(?:supported values|allowed values|only supports|supports|options|values|one of|"
    rf"tier keyword|fixed at|value range|must be)\s*:?\s*"
    rf"((?:{_VALUE_TOKEN}(?:\s*\(default\))?)(?:\s*(?:,|/|\bor\b|\band\b)\s*{_VALUE_TOKEN}(?:\s*\(default\))?)*)",
    re.IGNORECASE,
)
_BARE_LIST = re.compile(
    rf"^((?:{_VALUE_TOKEN}(?:\s*\(default\))?)(?:\s*/\s*{_VALUE_TOKEN}(?:\s*\(default\))?)+)"
)


def list_values(raw: str, scope: Scope) -> tuple[list[Any], Any] | None:
    """The values of "5, 10 or 15 seconds", typed for the parameter, and the default marked."""
    parts = re.split(r"\s*(?:,|/|\bor\b|\band\b)\s*", raw.strip())
    values: list[Any] = []
    default = None
    for part in parts:
        token = part.replace("(default)", "").strip().rstrip(".;")
        if re.fullmatch(rf"(?:{TIME_UNITS}|{COUNT_UNITS}|only)", token, re.IGNORECASE):
            continue
        token = re.sub(rf"\s+(?:{TIME_UNITS}|{COUNT_UNITS}|only)$", "", token)
        if scope.type in ("integer", "number"):
            if not re.fullmatch(NUMBER, token):
                return None
            value: Any = number(token)
        elif scope.type == "string":
            if not re.fullmatch(_VALUE_TOKEN, token):
                return None
            value = token
        else:
            return None
        if "(default)" in part:
            default = value
        if value not in values:
            values.append(value)
    return (values, default) if values else None


@recogniser("values")
def _values(text: str, scope: Scope) -> list[Finding]:
    """ "Supported values: 4, 6, 8, 10", "Only supports: 5 or 10 seconds", "Fixed at 1",
    "Value range: 1", "1K / 2K / 4K"."""
    found = _LIST.search(text) or (_BARE_LIST.match(text) if scope.type == "string" else None)
    if found is None or _CONDITIONAL.search(text[: found.start()]):
        return []
    raw = found.group(1)
    if re.match(rf"\s*({NUMBER}){_DASH}({NUMBER})", raw) and scope.type != "string":
        return []  # a range, read by the range recogniser
    tail = text[found.end() :]
    if re.match(r"\s*\((?!default)", tail) or re.match(r"\s*[-–~]\s*\d", tail):
        return []  # "4K (pro only)": a qualified option; "1-6": a range
    parsed = list_values(raw, scope)
    if parsed is None:
        return []
    values, default = parsed
    intro = found.group(0).lower() if found.re is _LIST else ""
    if (
        scope.type == "string"
        and len(values) == 1
        and not re.match(r"fixed at|must be|value range", intro)
    ):
        return []
    worded = not all(re.search(r"\d", str(v)) for v in values)
    explicit = re.match(
        r"(?i)supported values|allowed values|options|one of|must be", found.group(0)
    )
    if scope.type == "string" and worded and not explicit:
        return []  # "Supports publicly accessible URLs": words, not values
    out = [Finding("enum", values, text)]
    if default is not None:
        out.append(Finding("default", default, text))
    return out


@recogniser("default")
def _default(text: str, scope: Scope) -> list[Finding]:
    """ "Default: 5", "(default 1)", "defaults to 2K"."""
    found = re.search(
        rf"(?:\bDefault(?: value)?\s*(?:is|:)\s*|\(default\s+|defaults to\s+)({_VALUE_TOKEN})",
        text,
    )
    if found is None or scope.type not in ("integer", "number", "string", "boolean"):
        return []
    raw = found.group(1).rstrip(".,)")
    value: Any = raw
    if scope.type in ("integer", "number"):
        if not re.fullmatch(NUMBER, raw):
            return []
        value = number(raw)
    elif scope.type == "boolean":
        if raw.lower() not in ("true", "false"):
            return []
        value = raw.lower() == "true"
    return [Finding("default", value, text)]


@recogniser("fixed model")
def _fixed(text: str, scope: Scope) -> list[Finding]:
    """ "Video generation model name, fixed as wan2.6"."""
    found = re.search(r"\bfixed (?:as|at|to)\s*:?\s*([A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9])", text)
    if found is None or scope.type != "string":
        return []
    return [Finding("enum", [found.group(1)], text)]


_MEDIA = {
    "png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "webp": "image/webp",
    "bmp": "image/bmp", "gif": "image/gif", "mp4": "video/mp4", "mov": "video/quicktime",
    "mp3": "audio/mpeg", "wav": "audio/wav",
}  # fmt: skip


@recogniser("media types")
def _media(text: str, scope: Scope) -> list[Finding]:
    """ "Supported formats: PNG, JPEG, JPG, WebP", "JPEG / PNG / WEBP / BMP"."""
    words = re.findall(r"\b([A-Za-z0-9]{3,4})\b", text)
    types = []
    for word in words:
        media = _MEDIA.get(word.lower())
        if media and media not in types:
            types.append(media)
    if len(types) < 2 and not re.search(r"(?i)format", text):
        return []
    if not types:
        return []
    return [Finding("media_types", types, text, "items" if scope.type == "array" else "")]


@recogniser("url format")
def _url(text: str, scope: Scope) -> list[Finding]:
    """A URL, or base64 data: "image URL array", "HTTP/HTTPS URLs; data:image/...;base64"."""
    data = re.search(r"(?i)base64|data:image", text)
    url = re.search(r"\bURLs?\b|https?://", text)
    if not (data or url):
        return []
    target = "items" if scope.type == "array" else ""
    if scope.type == "array" and scope.item_type not in (None, "string", "url"):
        return []
    if scope.type not in ("array", "string"):
        return []
    return [Finding("format", "data" if data else "http-url", text, target)]


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
    rule = {"id": f"{'-or-'.join(p[1:] for p in paths)}-required", "kind": "require_any",
            "paths": paths, "message": f"at least one of {paths[0][1:]} and {paths[1][1:]} must be given"}  # fmt: skip
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
    rule = {"id": f"{first}-{second}-total", "kind": "total_items", "path": f"/{first}",
            "paths": [f"/{first}", f"/{second}"], "max": number(found.group(3)),
            "message": f"{first} and {second} together can hold at most {found.group(3)} items"}  # fmt: skip
    return [Finding("rule", None, text, rule=rule)]


@recogniser("same length")
def _same_length(text: str, scope: Scope) -> list[Finding]:
    """ "Outer array length must equal the length of image_urls"."""
    found = re.search(r"(?i)length must (?:equal|match) (?:the (?:length|number) of )?(\w+)", text)
    other = param_for(found.group(1), scope) if found else None
    if other is None or other == scope.name:
        return []
    rule = {"id": f"{scope.name}-per-{other}", "kind": "same_length", "path": f"/{scope.name}",
            "other": f"/{other}", "message": f"{scope.name} must have one entry per {other} item"}  # fmt: skip
    return [Finding("rule", None, text, rule=rule)]


@recogniser("percent sum")
def _percent_sum(text: str, scope: Scope) -> list[Finding]:
    """ "All ratio values must sum to exactly 100.00%"."""
    found = re.search(
        rf"(?i)all (\w+) values must (?:sum|add up) to (?:exactly )?({NUMBER})%", text
    )
    if found is None or scope.type != "array":
        return []
    rule = {"id": f"{scope.name}-sum", "kind": "percent_sum", "path": f"/{scope.name}",
            "key": found.group(1), "total": found.group(2),
            "message": f"the {scope.name} {found.group(1)} values must sum to exactly {found.group(2)}%"}  # fmt: skip
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
    rule = {"id": f"{scope.name}-only-first-used", "kind": "item_count", "path": f"/{scope.name}",
            "max": 1, "severity": "warning",
            "message": f"only the first of {scope.name} is used; the others are ignored"}  # fmt: skip
    return [Finding("rule", None, text, rule=rule)]


@recogniser("takes priority")
def _priority(text: str, scope: Scope) -> list[Finding]:
    """ "Takes priority over the audio parameter": the other is ignored when this is given."""
    found = re.search(r"(?i)takes priority over (?:the )?(\w+)(?: parameter)?", text)
    other = param_for(found.group(1), scope) if found else None
    if other is None or other == scope.name:
        return []
    rule = {"id": f"{other}-ignored-with-{scope.name}", "kind": "disallowed", "path": f"/{other}",
            "severity": "warning", "when": {"present": f"/{scope.name}"},
            "message": f"{other} is overridden when {scope.name} is given ({scope.name} takes priority)"}  # fmt: skip
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
            rule = {"id": f"{name}-ignored-with-{switch}", "kind": "disallowed",
                    "path": f"/{name}", "severity": "warning",
                    "when": {"equals": {"path": f"/{switch}", "value": True}},
                    "message": f"{name} is ignored when {switch} is true"}  # fmt: skip
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
    rule = {"id": f"{scope.name}-corners", "kind": "box", "path": pointer,
            "message": "each box must be [x1, y1, x2, y2] with x1 < x2 and y1 < y2"}  # fmt: skip
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
        rule = {"id": f"{scope.name}-required-{slug}", "kind": "required",
                "path": f"/{scope.name}", "when": when,
                "message": f"{scope.name} is required {_phrase(when)}"}  # fmt: skip
        return [Finding("rule", None, quote, rule=rule)]
    if re.search(r"(?i)\bis ignored\b", statement or label):
        rule = {"id": f"{scope.name}-ignored-{slug}", "kind": "disallowed",
                "path": f"/{scope.name}", "severity": "warning", "when": when,
                "message": f"{scope.name} is ignored {_phrase(when)}"}  # fmt: skip
        return [Finding("rule", None, quote, rule=rule)]
    bounds = [f for f in _range(re.sub(r"\(default \S+\)", "", statement), scope) if f.target == ""]
    if len(bounds) == 2 and bounds[0].keyword == "minimum":
        rule = {"id": f"{scope.name}-{slug}", "kind": "range", "path": f"/{scope.name}",
                "min": bounds[0].value, "max": bounds[1].value, "when": when,
                "message": f"{scope.name} must be between {bounds[0].value} and {bounds[1].value} {_phrase(when)}"}  # fmt: skip
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
