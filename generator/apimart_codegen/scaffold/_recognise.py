"""Recognisers: one small function per way the vendor states a constraint, in a registry.

Each reads one clause of a parameter's description (with what is known of the parameter:
its type, the page's models and parameter names) and returns what the clause states, each
finding carrying the clause it quotes. A clause no recogniser understands is not guessed at:
the draft keeps it for a person. Adding a wording means adding one function here (or, for a
rule between fields, in ``_between``, which registers in the same registry).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
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


MARKUP = re.compile(r"`|\*\*|\\(?=\|)")  # code, bold, a table cell's escaped bar


def recognise(text: str, scope: Scope) -> list[Finding]:
    """What a clause states; Markdown's code and bold marks are read through, while each
    finding still quotes the clause as the page writes it."""
    found: list[Finding] = []
    if scope.name == "model":
        return found  # the models are read from the model list, not from its prose
    plain = MARKUP.sub("", text)
    for function in RECOGNISERS.values():
        for finding in function(plain, scope):
            if plain != text and finding.quote == plain:
                finding = replace(finding, quote=text)
            found.append(finding)
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
    if re.fullmatch(COUNT_UNITS, unit) or (not unit and scope.type == "array"):
        return ("min_items", "max_items", "") if scope.type == "array" else None
    if scope.type in ("integer", "number") and (not unit or re.fullmatch(TIME_UNITS, unit)):
        return ("minimum", "maximum", "")
    return None


def _other_unit(found: re.Match[str], text: str, scope: Scope, *, unit_group: int = 3) -> bool:
    """A list's bound with no unit this recogniser knows, followed by a unit it does not
    ("[240, 4096] pixels", "100MB"): not a count of the list's items."""
    if scope.type != "array" or found.group(unit_group):
        return False
    return bool(re.match(r"\s*[A-Za-z%]", text[found.end() :]))


def _per(keywords: tuple[str, str, str], per: str | None, unit: str | None) -> tuple[str, str, str]:
    """ "Max 2 boxes per image": a count of each item of the list, not of the list."""
    if per and unit and keywords[0] == "min_items" and per.rstrip("s") != unit.rstrip("s"):
        return keywords[0], keywords[1], "items"
    return keywords


_CONDITIONAL = re.compile(r"\b(when|if|mode|with|without|unless|only when)\b", re.IGNORECASE)


@recogniser("range")
def range_findings(text: str, scope: Scope) -> list[Finding]:
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
        if re.search(r"\band\b", found.group(0)) and not re.search(r"(?i)between\s*$", before):
            continue  # "Only 5 and 10 are supported": two values, not a range
        unit = found.group(3)
        if not unit and re.search(r"(?i)\blength\b", before) and scope.type == "string":
            unit = "characters"  # "Required string length: 1 - 2000"
        keywords = _unit_keywords(unit, scope)
        if keywords is None or _other_unit(found, text, scope):
            continue
        low_kw, high_kw, target = _per(keywords, found.group(4), unit)
        out += [Finding(low_kw, low, text, target), Finding(high_kw, high, text, target)]
    return out


@recogniser("between inequalities")
def _inequalities(text: str, scope: Scope) -> list[Finding]:
    """ "1 ≤ n ≤ 10", "0 <= strength <= 1": both bounds of a number."""
    found = re.search(rf"({NUMBER})\s*(?:≤|<=)\s*[A-Za-z_]\w*\s*(?:≤|<=)\s*({NUMBER})", text)
    if found is None or scope.type not in ("integer", "number"):
        return []
    low, high = number(found.group(1)), number(found.group(2))
    return [Finding("minimum", low, text), Finding("maximum", high, text)] if low <= high else []


_MEASURE = r"(?:length|count|number of \w+|size)"  # "Max length: 2000", "Min count: 1"
_UPPER = re.compile(
    rf"(?:up to|maximum(?: of)?|max(?:imum)?\.?(?:\s+{_MEASURE})?|at most|no more than|not exceed"
    rf"|≤|<=|only)\s*(?::|\bis\b|\bof\b)?\s*"
    rf"({NUMBER}){_END}{_UNIT}{_PER}",
    re.IGNORECASE,
)
_LOWER = re.compile(
    rf"(?:at least|minimum(?: of)?|min(?:imum)?\.?(?:\s+{_MEASURE})?|no less than|≥|>=)\s*:?\s*"
    rf"({NUMBER}){_END}{_UNIT}",
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
            if not unit and re.search(r"(?i)\blength\b", found.group(0)):
                unit = "characters" if scope.type == "string" else "items"
            elif not unit and re.search(r"(?i)\b(count|number of)\b", found.group(0)):
                unit = "items"
            keywords = _unit_keywords(unit, scope)
            if keywords is None or _other_unit(found, text, scope, unit_group=2):
                continue
            per = found.group(3) if side == 1 else None
            low_kw, high_kw, target = _per(keywords, per, unit)
            out.append(Finding((low_kw, high_kw)[side], number(found.group(1)), text, target))
    return out


_VALUE_TOKEN = r"[A-Za-z0-9][\w.:+-]*"
_LIST = re.compile(
    rf"(?:supported values|allowed values|only supports|supports|options|values|"
    rf"(?:must be )?one of|tier keyword|fixed at|value range|must be|enum|allowed|choices|"
    rf"available options|"
    rf"supported (?!formats?\b)\w+)\s*:?\s*"
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
            token = re.sub(rf"^({NUMBER})\s*(?:s|secs?|seconds?)$", r"\1", token)  # "4s"
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
        r"(?i)supported values|allowed|options|(?:must be )?one of|enum|choices|available options|"
        r"(?:possible|valid|accepted|available) values",
        found.group(0),
    )
    if scope.type == "string" and worded and not explicit:
        return []  # "Supports publicly accessible URLs": words, not values
    out = [Finding("enum", values, text)]
    if default is not None:
        out.append(Finding("default", default, text))
    return out


QUOTED_ALTERNATIVES = re.compile(r"""(["'])([^"'|]{1,40})\1(?:\s*\|\s*(["'])([^"'|]{1,40})\3)+""")


def alternatives(text: str) -> list[str]:
    """ "a" | "b" | "c": the values of a union of quoted literals, as written."""
    found = QUOTED_ALTERNATIVES.search(MARKUP.sub("", text))
    if found is None:
        return []
    return [value for _, value in re.findall(r"""(["'])([^"'|]{1,40})\1""", found.group(0))]


@recogniser("quoted alternatives")
def _quoted(text: str, scope: Scope) -> list[Finding]:
    """`"480p" | "720p" | "1080p"`: an enum spelled as a union of literals."""
    found = QUOTED_ALTERNATIVES.search(text)
    if found is None or _CONDITIONAL.search(text[: found.start()]):
        return []
    parsed = list_values(", ".join(alternatives(found.group(0))), scope)
    return [Finding("enum", parsed[0], text)] if parsed else []


@recogniser("default")
def _default(text: str, scope: Scope) -> list[Finding]:
    """ "Default: 5", "(default 1)", "(default: hd)", "Defaults to 2K", "Default false"."""
    found = re.search(
        rf"(?:\b[Dd]efault(?: value)?\s*(?:is|:)\s*|\([Dd]efault:?\s+|\b[Dd]efaults to\s+"
        rf"|\b(?P<bare>Default\s+))({_VALUE_TOKEN})",
        text,
    )
    if found is None or scope.type not in ("integer", "number", "string", "boolean"):
        return []
    if found.group("bare") and scope.type == "string":
        return []  # "Default model for ...": without a colon, only a number or true/false
    raw = found.group(2).rstrip(".,)")
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
    "png": "image/png",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
}


@recogniser("media types")
def _media(text: str, scope: Scope) -> list[Finding]:
    """ "Supported formats: PNG, JPEG, JPG, WebP", "JPEG / PNG / WEBP / BMP": the files a
    parameter carries; a parameter that names a format ("output_format") takes none."""
    if re.search(r"format|type", scope.name) or scope.type not in ("string", "array"):
        return []
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
