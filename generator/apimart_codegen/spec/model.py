"""The spec model: frozen dataclasses built from specs/*.yaml, every node knowing its place."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from apimart_codegen.jsonvalue import EACH, MISSING, label
from apimart_codegen.spec.yaml_loc import Loc

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Source:
    """A sentence quoted from a vendor document; ``doc`` is relative to the docs root."""

    doc: str
    quote: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class Condition:
    """A predicate over a payload: ``op`` is one of apimart_codegen.conditions.OPERATORS."""

    op: str
    path: tuple[str, ...] = ()
    value: Any = None
    parts: tuple[Condition, ...] = ()
    loc: Loc = field(default=Loc("<builtin>", 1, 1), compare=False)


@dataclass(frozen=True, slots=True)
class Rule:
    """One checkable constraint; parameter keywords become rules of the same kinds."""

    id: str
    kind: str
    path: tuple[str, ...]
    severity: Severity
    source: Source
    loc: Loc
    params: Mapping[str, Any] = field(default_factory=dict)
    message: str | None = None
    when: Condition | None = None
    decision: str | None = None

    @property
    def pointer(self) -> str:
        return "".join("/" + segment for segment in self.path)

    @property
    def label(self) -> str:
        return label(self.path)


@dataclass(frozen=True, slots=True)
class Parameter:
    """A request field; ``items`` and ``properties`` describe arrays and objects."""

    name: str
    path: tuple[str, ...]
    type: str
    description: str
    required: bool
    loc: Loc
    default: Any = MISSING
    enum: tuple[Any, ...] | None = None
    items: Parameter | None = None
    properties: tuple[Parameter, ...] = ()

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING


@dataclass(frozen=True, slots=True)
class Mode:
    name: str
    when: Condition
    description: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class Example:
    """A request body printed on the vendor's page; it must validate."""

    name: str
    body: Mapping[str, Any]
    loc: Loc
    source: Source | None = None
    substitute: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, slots=True)
class Price:
    per: str
    source: Source
    amount: str | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class Response:
    """The success envelope of a submission as the model's page shows it."""

    code: int | str
    status: str
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Unchecked:
    """A documented constraint that cannot be checked offline, and why."""

    source: Source
    reason: str


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One model. ``name`` is its wire name, exactly as the API takes it in ``"model"``
    (``Omni-Flash-Ext``): dispatch, rule ids and reports use it as it is. File names and
    Python names are derived from it in their own conventions (``slug``, ``identifier``)."""

    name: str
    family: str
    spec_path: str
    spec_sha256: str
    doc: str
    description: str
    endpoint: str
    output: Literal["video", "image"]
    response: Response
    body: Parameter
    rules: tuple[Rule, ...]
    modes: tuple[Mode, ...]
    examples: tuple[Example, ...]
    unchecked: tuple[Unchecked, ...]
    price: Price | None
    loc: Loc

    @property
    def identifier(self) -> str:
        """``wan2.7-r2v`` → ``wan2_7_r2v``, ``Omni-Flash-Ext`` → ``omni_flash_ext``: the
        model's name in generated code (method ``client.omni_flash_ext``, ``validate_...``)."""
        return re.sub(r"[^0-9a-zA-Z]+", "_", self.name).strip("_").lower()

    @property
    def slug(self) -> str:
        """``Omni-Flash-Ext`` → ``omni-flash-ext``: the model's name in file names (its JSON
        Schema, its docs page), lower case so that no two differ by case alone."""
        return self.name.lower()

    @property
    def parameters(self) -> tuple[Parameter, ...]:
        return self.body.properties

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.body.properties if p.name == name), None)


@dataclass(frozen=True, slots=True)
class SpecFile:
    path: str
    family: str
    doc: str
    sha256: str
    models: tuple[ModelSpec, ...]
    url: str | None = None  # the page on the vendor's site
    doc_loc: Loc = field(default=Loc("<builtin>", 1, 1), compare=False)  # where ``doc:`` stands


@dataclass(frozen=True, slots=True)
class SpecSet:
    files: tuple[SpecFile, ...]
    dropped: frozenset[str] = frozenset()
    """The rule ids :meth:`without_rules` took out: a spec that never declared a rule did not
    drop it (the mock tells the two apart when it chooses a model, see ``MockCore``)."""

    @property
    def models(self) -> tuple[ModelSpec, ...]:
        return tuple(model for spec in self.files for model in spec.models)

    def model(self, name: str) -> ModelSpec | None:
        return next((m for m in self.models if m.name == name), None)

    def without_rules(self, ids: Iterable[str]) -> SpecSet:
        """The same specs with the rules ``ids`` taken out (a mock that drops them).

        Raises KeyError naming an id that no model has.
        """
        dropped = set(ids)
        unknown = dropped - {rule.id for model in self.models for rule in model.rules}
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        files = tuple(
            replace(
                spec,
                models=tuple(
                    replace(model, rules=tuple(r for r in model.rules if r.id not in dropped))
                    for model in spec.models
                ),
            )
            for spec in self.files
        )
        return SpecSet(files, self.dropped | dropped)


def split_path(text: str) -> tuple[str, ...]:
    """``/image_with_roles/*/role`` → ``("image_with_roles", EACH, "role")``; "" is the body."""
    if text in ("", "/"):
        return ()
    return tuple(EACH if part == "*" else part for part in text.lstrip("/").split("/"))
