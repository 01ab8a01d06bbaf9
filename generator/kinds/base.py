"""The contract every rule kind fulfils, and the small helpers kinds share.

A kind says four things about one sort of constraint:

* how it is declared: ``rule_schema`` (its keys in a ``rules:`` entry) and ``keywords``
  (parameter keywords such as ``maximum`` that desugar into it, via ``from_parameter``);
* how it is checked, straight from the spec model (``check``: the rule interpreter);
* how it is emitted as Python (``emit``: the generated validators);
* what a payload that keeps or breaks it looks like (``strategies``, for the contract tests).

``check`` and ``emit`` are two independent implementations of the same meaning; the test
suite holds them to the same verdicts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from generator.jsonvalue import show, walk
from generator.spec.model import Rule, Severity


class Finding(NamedTuple):
    """Where a rule was broken and what to tell the user (the interpreter's raw result)."""

    at: str
    message: str


@dataclass(frozen=True, slots=True)
class Draft:
    """A rule that a parameter keyword asks for; the loader adds id, path and source."""

    suffix: str
    keyword: str
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = "error"
    message: str | None = None


_SPLIT_AT = 60


def literal(value: Any) -> str:
    """A Python literal for a JSON-like value. Spec text reaches generated code only here."""
    if isinstance(value, list | tuple):
        inner = ", ".join(literal(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        inner = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, str) and len(value) > _SPLIT_AT:
        # Long text becomes implicit concatenation so generated lines stay short.
        pattern = rf".{{1,{_SPLIT_AT}}}(?:\s+|$)|.{{1,{_SPLIT_AT}}}"
        chunks = re.findall(pattern, value, re.DOTALL)
        return "(" + " ".join(repr(chunk) for chunk in chunks if chunk) + ")"
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    raise TypeError(f"no literal for {type(value).__name__}")


def got(value: object) -> str:
    """The tail every value-bearing message ends with."""
    return ", got " + show(value)


def options(values: Any) -> str:
    return ", ".join(show(v) for v in values)


class Code:
    """What a kind's ``emit`` writes with: literals and the failure call for its rule.

    Per-value kinds judge ``value``, the value at the rule's path, whose JSON Pointer is the
    expression ``at`` (a variable inside a loop over array items, a literal for a fixed
    path); the other kinds see ``payload`` and write their own loops.
    """

    def __init__(self, rule: Rule, *, at: str = "at") -> None:
        self.rule = rule
        self.at = at

    lit = staticmethod(literal)

    @property
    def path(self) -> str:
        return literal(self.rule.path)

    def message(self, default: str) -> str:
        return literal(self.rule.message or default)

    def fail(self, at: str, message: str) -> str:
        """A call recording a violation; ``at`` and ``message`` are Python expressions."""
        sink = "errors" if self.rule.severity == "error" else "warnings"
        return f"_fail({sink}, {at}, {literal(self.rule.id)}, {message})"


class RuleKind:
    """Base of every rule kind; subclasses set ``name`` and override what applies."""

    name: ClassVar[str] = ""
    order: ClassVar[int] = 50
    """Where this kind's rules stand among a parameter's rules (type first, then required)."""
    about_sending: ClassVar[bool] = False
    """True when the rule judges what a user sends, so a server-side default cannot break it."""
    per_value: ClassVar[bool] = True
    """True when the kind judges each value its path reaches, one at a time."""
    rule_schema: ClassVar[Mapping[str, Any]] = {}
    """JSON Schema of this kind's own keys in a ``rules:`` entry."""
    rule_required: ClassVar[tuple[str, ...]] = ()
    keywords: ClassVar[Mapping[str, Any]] = {}
    """Parameter keyword → JSON Schema of its value, for keywords that desugar into this kind."""

    def from_parameter(self, param: Mapping[str, Any], type_name: str) -> Iterator[Draft]:
        """The rules a parameter declaration asks of this kind (none by default)."""
        return iter(())

    def normalize(self, params: Mapping[str, Any]) -> Mapping[str, Any]:
        """The params of a ``rules:`` entry in the form ``from_parameter`` gives (identity)."""
        return params

    def default_message(self, rule: Rule) -> str:
        return f"{rule.label} breaks rule {rule.id}"

    def message(self, rule: Rule) -> str:
        return rule.message or self.default_message(rule)

    def check(self, rule: Rule, payload: object) -> Iterator[Finding]:
        for at, value in walk(payload, rule.path):
            yield from self.check_value(rule, at, value)

    def check_value(self, rule: Rule, at: str, value: object) -> Iterator[Finding]:
        raise NotImplementedError(f"rule kind {self.name!r} must implement check_value or check")

    def emit(self, rule: Rule, code: Code) -> list[str]:
        raise NotImplementedError(f"rule kind {self.name!r} must implement emit")

    def json_schema(self, rule: Rule) -> Mapping[str, Any] | None:
        """JSON Schema keywords for the schema at the rule's path, or None if inexpressible.

        Only unconditional per-field rules export; the exporter skips rules with ``when``.
        """
        return None

    def lint(self, rule: Rule) -> Iterator[str]:
        """Problems with the rule's own parameters that the meta-schema cannot see."""
        return iter(())
