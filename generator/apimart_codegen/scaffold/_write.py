"""Spec YAML written and rewritten with ruamel.yaml, the round-trip YAML library: a draft
reads like a hand-written spec (flow lists for values, block mappings, quoted strings where
YAML would misread them), and an edited spec keeps its comments, order and layout."""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 ._/()-]*$")
_YAML_WORDS = frozenset({"yes", "no", "on", "off", "true", "false", "null", "y", "n"})


def round_trip() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def scalar(value: Any) -> Any:
    """A string YAML would misread, or one with quotes-worthy characters, double-quoted."""
    if isinstance(value, str):
        plain = _PLAIN.match(value) and value.lower() not in _YAML_WORDS and value[-1:] != " "
        return value if plain else DoubleQuotedScalarString(value)
    return value


def to_node(value: Any, *, flow: bool = False) -> Any:
    if isinstance(value, dict):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = to_node(item, flow=key in ("enum", "media_types", "paths", "intervals"))
        return node
    if isinstance(value, list):
        seq = CommentedSeq(to_node(item, flow=True) for item in value)
        if flow or all(not isinstance(item, (dict, list)) for item in value):
            seq.fa.set_flow_style()
        return seq
    return scalar(value)


def dump(node: Any) -> str:
    stream = io.StringIO()
    round_trip().dump(node, stream)
    return stream.getvalue()


def render_draft(spec: dict[str, Any], header: list[str]) -> str:
    node = to_node(spec)
    for key in ("models", "parameters", "rules", "examples", "unchecked"):
        if key in node:
            node.yaml_set_comment_before_after_key(key, before="\n")
    text = dump(node)
    return "".join(f"# {line}\n" if line else "#\n" for line in header) + text
