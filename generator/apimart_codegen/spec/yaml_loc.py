"""YAML reading that remembers where every value came from.

Specs are written by people transcribing prose, so every problem must be reported at its
``file:line:column``. PyYAML's composed node graph carries those marks; this module turns it
into plain dicts and lists that keep them (``LocDict.loc``, ``LocDict.key_loc(name)``).

The resolver follows YAML 1.2's core schema rather than PyYAML's YAML 1.1 default: an
unquoted ``16:9`` stays the string "16:9" instead of the sexagesimal integer 969, and ``no``
stays "no" instead of ``False``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True, slots=True, order=True)
class Loc:
    """A place in a spec file; 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class LocDict(dict[str, Any]):
    """A mapping that knows where it and each of its keys and values stand."""

    loc: Loc
    key_locs: dict[str, Loc]
    value_locs: dict[str, Loc]

    def key_loc(self, key: str) -> Loc:
        return self.key_locs.get(key, self.loc)

    def value_loc(self, key: str) -> Loc:
        return self.value_locs.get(key, self.key_loc(key))


class LocList(list[Any]):
    """A sequence that knows where it and each of its items stand."""

    loc: Loc
    item_locs: list[Loc]

    def item_loc(self, index: int) -> Loc:
        if 0 <= index < len(self.item_locs):
            return self.item_locs[index]
        return self.loc


class YamlError(Exception):
    """A file that is not well-formed YAML, or has a duplicate key."""

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(f"{loc}: {message}")
        self.loc = loc
        self.message = message


class _CoreLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars (see the module docstring)."""


_CoreLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def _loc(file: str, mark: yaml.Mark) -> Loc:
    return Loc(file, mark.line + 1, mark.column + 1)


def load(path: Path, *, display: str | None = None) -> Any:
    """Read one YAML document into LocDict/LocList/scalars; raise YamlError on bad input."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(Loc(name, 1, 1), f"not UTF-8 text ({exc.reason})") from None
    return loads(text, display=name)


MAX_DEPTH = 50
"""The deepest nesting of mappings and lists a spec may have (deep enough for any spec)."""
MAX_VALUES = 100_000
"""The most values a spec may hold once its aliases are expanded (a spec has a few thousand)."""


def loads(text: str, *, display: str) -> Any:
    loader = _CoreLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _Converter(loader, display).convert(node, 1)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = _loc(display, mark) if mark else Loc(display, 1, 1)
        raise YamlError(loc, f"{exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlError(Loc(display, 1, 1), str(exc)) from None
    except RecursionError:  # composing nests past Python's stack before _Converter can see it
        loc = _loc(display, loader.get_mark())
        raise YamlError(loc, f"nested too deeply (more than {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()


class _Converter:
    """Turns composed nodes into LocDict/LocList/scalars, within MAX_DEPTH and MAX_VALUES.

    PyYAML composes an alias as a second reference to its anchor's node; converting expands
    it, so nested aliases ("billion laughs") would grow without bound: the value count stops
    that at the first alias past the budget.
    """

    def __init__(self, loader: _CoreLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.values = 0

    def convert(self, node: yaml.Node, depth: int) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise YamlError(
                _loc(self.file, node.start_mark),
                f"the document expands to more than {MAX_VALUES:,} values "
                "(aliases that repeat aliases?)",
            )
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and depth > MAX_DEPTH:
            raise YamlError(
                _loc(self.file, node.start_mark),
                f"nested too deeply (more than {MAX_DEPTH} levels)",
            )
        file = self.file
        if isinstance(node, yaml.MappingNode):
            out = LocDict()
            out.loc = _loc(file, node.start_mark)
            out.key_locs = {}
            out.value_locs = {}
            for key_node, value_node in node.value:
                key = self.convert(key_node, depth + 1)
                key_loc = _loc(file, key_node.start_mark)
                if not isinstance(key, str):
                    raise YamlError(key_loc, f"mapping keys must be strings, got {key!r}")
                if key in out:
                    first = out.key_locs[key]
                    raise YamlError(key_loc, f"duplicate key {key!r} (first at line {first.line})")
                out[key] = self.convert(value_node, depth + 1)
                out.key_locs[key] = key_loc
                out.value_locs[key] = _loc(file, value_node.start_mark)
            return out
        if isinstance(node, yaml.SequenceNode):
            items = LocList(self.convert(item, depth + 1) for item in node.value)
            items.loc = _loc(file, node.start_mark)
            items.item_locs = [_loc(file, item.start_mark) for item in node.value]
            return items
        return self.loader.construct_object(node, deep=True)


def locate(root: Any, path: Iterator[str | int] | list[str | int] | tuple[str | int, ...]) -> Loc:
    """The most precise known location of ``path`` inside ``root`` (walks up when unknown)."""
    best: Loc | None = getattr(root, "loc", None)
    node = root
    for part in path:
        if isinstance(node, LocDict) and isinstance(part, str) and part in node:
            best = node.value_loc(part)
            node = node[part]
        elif isinstance(node, LocList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.item_loc(part)
            node = node[part]
        else:
            break
    return best if best is not None else Loc("<unknown>", 1, 1)
