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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from apimart_codegen.jsonvalue import EACH, escape, pointer, show, walk
from apimart_codegen.spec.model import Condition, Rule, Severity

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan


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


def literal(value: Any, *, width: int = _SPLIT_AT) -> str:
    """A Python literal for a JSON-like value. Spec text reaches generated code only here.

    A string longer than ``width`` becomes pieces of at most ``width`` characters.
    """
    if isinstance(value, list | tuple):
        inner = ", ".join(literal(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        inner = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, str) and len(value) > width:
        # Long text becomes implicit concatenation so generated lines stay short.
        pattern = rf".{{1,{width}}}(?:\s+|$)|.{{1,{width}}}"
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


@dataclass(frozen=True, slots=True)
class Break:
    """How a negative case breaks a rule: what it puts where.

    ``apply(draw, drawn)`` gets the value drawn there as usual (or MISSING) and returns the
    value the case puts instead (``OMIT`` leaves a key out); ``path`` is where, relative to
    the rule's top-level field (None: the rule's own path); ``where(value)`` is what the
    judges' JSON Pointer adds to that place (the unknown key a ``closed`` break adds, say).
    """

    apply: Callable[[Any, Any], Any]
    path: tuple[str, ...] | None = None
    where: Callable[[Any], str] = lambda value: ""

    def at(self, path: tuple[str, ...]) -> Break:
        return replace(self, path=path)


@dataclass(frozen=True, slots=True)
class Steer:
    """One condition atom a case needs to come out ``truth``."""

    cond: Condition
    truth: bool


def replaced(value: Any) -> Callable[[Any, Any], Any]:
    """A Break.apply that puts ``value`` drawn from a strategy, whatever was drawn there."""
    return lambda draw, _drawn: draw(value)


class Code:
    """What a kind's ``emit`` writes with: literals and the failure call for its rule.

    Per-value kinds judge ``value``, the value at the rule's path, whose JSON Pointer is the
    expression ``at`` (a variable inside a loop over array items, a literal for a fixed
    path); the other kinds see ``payload`` and write their own loops (``reach``).

    ``established`` is a type test over ``value`` already known to hold (the code runs
    inside the branch that dispatched on the value's type): a kind writes its guard through
    ``guarded``/``block``, which leave out a guard the branch has already tested, and
    ``typed`` then records that the rule's code belongs inside that branch.
    """

    def __init__(
        self,
        rule: Rule,
        *,
        at: str = "at",
        established: str | None = None,
        patterns: dict[str, str] | None = None,
        width: int = _SPLIT_AT,
    ) -> None:
        self.rule = rule
        self.at = at
        self.established = established
        self.typed = False
        self.patterns = patterns
        self.width = width
        """How long a piece of message text may be: less where the code is nested deep."""

    def fullmatch(self, pattern: str, subject: str) -> str:
        """An expression matching ``subject`` against the whole of ``pattern``: a pattern
        compiled once, at import, where the module keeps a table of them."""
        if self.patterns is None:
            return f"_re.fullmatch({literal(pattern)}, {subject})"
        name = self.patterns.setdefault(pattern, f"_PATTERN_{len(self.patterns) + 1}")
        return f"{name}.fullmatch({subject})"

    lit = staticmethod(literal)

    @property
    def path(self) -> str:
        return literal(self.rule.path)

    def message(self, default: str) -> str:
        return literal(self.rule.message or default, width=self.width)

    def fail(self, at: str, message: str) -> str:
        """A statement recording a violation; ``at`` and ``message`` are Python expressions."""
        sink = "errors" if self.rule.severity == "error" else "warnings"
        return f"{sink}.append(Violation({at}, {literal(self.rule.id)}, {message}))"

    def _known(self, guard: str) -> bool:
        # Only the same test will do: a rule guarded by "is a number" must still judge a
        # float where the branch tested "is an integer".
        known = guard == self.established
        self.typed = self.typed or known
        return known

    def guarded(self, guard: str, test: str) -> str:
        """``guard and test``, or ``test`` alone where the branch has tested ``guard``."""
        return test if self._known(guard) else f"{guard} and {test}"

    def block(self, guard: str, lines: list[str]) -> list[str]:
        """``lines`` under ``if guard:``, or as they are where the branch has tested it."""
        if self._known(guard):
            return lines
        return [f"if {guard}:", *("    " + line if line else line for line in lines)]

    @staticmethod
    def reach(path: tuple[str, ...], *, prefix: str = "node") -> tuple[list[str], str, int]:
        """Statements binding ``value`` to each value ``path`` reaches in ``payload``:
        (lines, the value's JSON Pointer as a Python expression, the depth at which code
        using ``value`` goes).

        Keys of objects, items of arrays, nothing through a value of the wrong type (the
        walk of ``_jsonvalue.walk``), written out so that no generator runs and no pointer
        is built unless a violation is reported.
        """
        if not path:
            return ["value = payload"], literal(""), 0
        lines: list[str] = []
        node, depth, pointer_text = "payload", 0, ""
        for level, segment in enumerate(path):
            target = "value" if level == len(path) - 1 else f"{prefix}{level}"
            pad = "    " * depth
            if segment == EACH:
                lines += [
                    f"{pad}if isinstance({node}, list):",
                    f"{pad}    for i{level}, {target} in enumerate({node}):",
                ]
                pointer_text += f"/{{i{level}}}"
                depth += 2
            else:
                key = literal(segment)
                lines += [
                    f"{pad}if isinstance({node}, dict) and {key} in {node}:",
                    f"{pad}    {target} = {node}[{key}]",
                ]
                pointer_text += "/" + escape(segment).replace("{", "{{").replace("}", "}}")
                depth += 1
            node = target
        at = f'f"{pointer_text}"' if EACH in path else literal(pointer(path))
        return lines, at, depth


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

    def dispatch(self, rule: Rule, code: Code) -> tuple[str, str, list[str]] | None:
        """For a kind that tests a value's type: (the type test, the ``else``/``elif``
        line of the other values, the code refusing them). The generated validator then
        tests the type once and runs the value's other rules inside that branch.
        """
        return None

    def json_schema(self, rule: Rule) -> Mapping[str, Any] | None:
        """The rule in JSON Schema (2020-12), or None when JSON Schema cannot say it.

        A ``per_value`` kind gives the schema of each value the rule's path reaches; the
        other kinds give a schema of the whole request body (``apimart_codegen.kinds.schema``
        has the pieces). The exporter adds the rule's ``when`` as ``if``/``then``; what
        returns None is listed in the export's ``x-apimart-rules``, never dropped.
        """
        return None

    def json_schema_part(self, rule: Rule) -> Mapping[str, Any] | None:
        """What JSON Schema can say of a rule it cannot say whole, or None.

        The exporter adds it as it adds a said rule (the same ``per_value`` reading), and
        still lists the rule in ``x-apimart-rules``, marked ``"said": "in part"``: the schema
        refuses part of what the rule refuses, and nothing the rule accepts.
        """
        return None

    def lint(self, rule: Rule) -> Iterator[str]:
        """Problems with the rule's own parameters that the meta-schema cannot see."""
        return iter(())

    # -- strategies: what payloads that keep or break a rule look like -----------------------
    #
    # The contract tests build cases field by field (apimart_codegen.contract). A kind narrows the
    # plan of the value at its rule's path so that what is drawn keeps the rule (``keep``),
    # or says how to break it alone (``violate``). A kind that overrides neither cannot be
    # fuzzed, and the harness says so rather than skipping its rules.

    @property
    def has_strategies(self) -> bool:
        cls = type(self)
        return cls.keep is not RuleKind.keep and cls.violate is not RuleKind.violate

    def fields(self, rule: Rule) -> tuple[str, ...]:
        """The top-level fields the rule judges, in the order it names them."""
        return (rule.path[0],) if rule.path else ("",)

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        """Narrow ``plan`` (the value at the rule's path) so drawn values keep the rule."""
        raise NotImplementedError(f"rule kind {self.name!r} has no strategies")

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break | None:
        """Break the rule alone: a Break for its place, or None after narrowing ``plan``.

        ``plan`` already keeps every other rule there. ``measure`` is an edge from
        ``edges`` to break the rule at, when a boundary case asks.
        """
        raise NotImplementedError(f"rule kind {self.name!r} has no strategies")

    def keep_at(self, rule: Rule, plan: Plan, ctx: Context, measure: Any) -> None:
        """Keep the rule exactly at one of its edges (see ``edges``)."""
        raise NotImplementedError(f"rule kind {self.name!r} has no edges")

    def edges(self, rule: Rule) -> list[tuple[str, Any, bool]]:
        """(label, measure, keeps): the boundary values of the rule, kept and just broken."""
        return []

    def locate(self, rule: Rule, payload: object) -> str:
        """The JSON Pointer of a break that was made by narrowing plans, not by a Break."""
        return rule.pointer

    def presence_needs(self, rule: Rule) -> list[tuple[Condition, bool]]:
        """Conditions under which keeping the rule lets its field be given at all."""
        return []

    def steers(self, rule: Rule) -> list[tuple[Condition, bool]]:
        """Conditions a case breaking this rule needs besides the rule's own ``when``."""
        return []
