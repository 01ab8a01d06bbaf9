"""The rule interpreter: judges a payload straight from the spec model, no generated code.

The mock server and the contract tests judge with it; the test suite holds it and the
generated validators to identical verdicts, so each implementation checks the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from apimart_codegen import conditions
from apimart_codegen.jsonvalue import EACH, escape, is_present, show, suggest, walk
from apimart_codegen.kinds import RULE_KINDS
from apimart_codegen.kinds.base import Finding, RuleKind
from apimart_codegen.spec.model import ModelSpec, Rule, Severity, SpecSet

BODY_RULE = "apimart/body-type"
MODEL_RULE = "apimart/model"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: a JSON Pointer, the spec's rule id and a sentence for people."""

    path: str
    rule: str
    message: str
    severity: Severity = "error"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "rule": self.rule, "message": self.message}


@dataclass(frozen=True, slots=True)
class Verdict:
    model: str | None
    errors: tuple[Violation, ...] = ()
    warnings: tuple[Violation, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, object]:
        return {
            "valid": self.valid,
            "model": self.model,
            "errors": [v.to_dict() for v in self.errors],
            "warnings": [v.to_dict() for v in self.warnings],
        }


class ModelJudge:
    """One model's rules, looked up once, ready to judge payloads in rule order.

    Built once per model (:class:`Interpreter` keeps one per model): each rule's kind is
    found, its modes gathered, and its place noted. A rule whose kind judges each value its
    path reaches (the kinds that keep ``RuleKind.check``) reaches nothing when the path's
    first key is absent, so such a rule is skipped, its ``when`` unasked, when the payload
    lacks that key; a path of one key is read straight off the payload, and a longer path is
    walked once per payload for all the rules on it. Every other rule (``required``,
    cross-field kinds) runs its kind's own ``check`` on every payload.
    """

    def __init__(self, model: ModelSpec, kinds: Mapping[str, RuleKind] | None = None) -> None:
        self.model = model
        self.modes = {mode.name: mode.when for mode in model.modes}
        self.steps = tuple(_step(rule, kinds) for rule in model.rules)

    def judge(self, payload: object) -> Verdict:
        """Every violation and warning of ``payload`` against the model, in rule order."""
        fields = payload if isinstance(payload, dict) else _NO_FIELDS
        modes = self.modes
        known_modes: dict[str, bool] = {}
        reached: dict[tuple[str, ...], list[tuple[str, object]]] = {}
        errors: list[Violation] = []
        warnings: list[Violation] = []
        for rule, kind, key, pointer, is_error in self.steps:
            if key is not None and key not in fields:
                continue
            when = rule.when
            if when is not None:
                if when.op == "mode":  # modes are shared by many rules: decide each once
                    holds = known_modes.get(when.value)
                    if holds is None:
                        holds = known_modes[when.value] = conditions.holds(when, payload, modes)
                else:
                    holds = conditions.holds(when, payload, modes)
                if not holds:
                    continue
            if pointer is _OWN_CHECK:
                findings: Iterable[Finding] = kind.check(rule, payload)
            elif pointer is _WALK:
                values = reached.get(rule.path)
                if values is None:
                    values = reached[rule.path] = walk(payload, rule.path)
                findings = [
                    finding for at, value in values for finding in kind.check_value(rule, at, value)
                ]
            elif key is None:  # the body itself
                findings = kind.check_value(rule, pointer, payload)
            else:
                findings = kind.check_value(rule, pointer, fields[key])
            for finding in findings:
                violation = Violation(finding.at, rule.id, finding.message, rule.severity)
                (errors if is_error else warnings).append(violation)
        return Verdict(self.model.name, tuple(errors), tuple(warnings))


_NO_FIELDS: Mapping[str, object] = {}
_OWN_CHECK = "own check"
_WALK = "walk"

_Step = tuple[Rule, RuleKind, str | None, str, bool]
"""A rule, its kind, the top-level key it needs (None: it always runs), how it judges, and
whether it is an error (else a warning). How it judges is a JSON Pointer when the rule
judges one fixed value (the body itself, or one of its fields), ``_WALK`` when it judges
each value its path reaches, and ``_OWN_CHECK`` when its kind reads the payload itself."""


def _step(rule: Rule, kinds: Mapping[str, RuleKind] | None) -> _Step:
    kind = kinds[rule.kind] if kinds is not None else RULE_KINDS.get(rule.kind)
    is_error = rule.severity == "error"
    if type(kind).check is not RuleKind.check:
        return rule, kind, None, _OWN_CHECK, is_error
    if not rule.path:
        return rule, kind, None, "", is_error
    if rule.path[0] == EACH:
        return rule, kind, None, _WALK, is_error
    key = rule.path[0]
    return rule, kind, key, "/" + escape(key) if len(rule.path) == 1 else _WALK, is_error


def judge_model(
    model: ModelSpec, payload: object, kinds: Mapping[str, RuleKind] | None = None
) -> Verdict:
    """Every violation and warning of ``payload`` against one model's rules, in rule order.

    For many payloads of one model, build a :class:`ModelJudge` once instead.
    """
    return ModelJudge(model, kinds).judge(payload)


class Interpreter:
    """Judges any payload against the spec set, choosing the model from ``payload["model"]``."""

    def __init__(self, specs: SpecSet, kinds: Mapping[str, RuleKind] | None = None) -> None:
        self.specs = specs
        self.models = {model.name: model for model in specs.models}
        self.kinds = kinds if kinds is not None else {k.name: k for k in RULE_KINDS}
        self.judges = {model.name: ModelJudge(model, self.kinds) for model in specs.models}

    def judge(self, payload: object) -> Verdict:
        if not isinstance(payload, dict):
            message = f"the request body must be a JSON object, got {show(payload)}"
            return Verdict(None, (Violation("", BODY_RULE, message),))
        name = payload.get("model")
        if not is_present(name):
            return Verdict(None, (Violation("/model", MODEL_RULE, "model is required"),))
        judge = self.judges.get(name) if isinstance(name, str) else None
        if judge is None:
            return Verdict(None, (unknown_model(name, self.models),))
        return judge.judge(payload)


def unknown_model(name: object, known: Iterable[str]) -> Violation:
    """The violation of a body whose ``model`` names no model: the names are compared as
    they are (``omni-flash-ext`` is not ``Omni-Flash-Ext``), a slip of case is pointed out."""
    names = sorted(known)
    message = f"unknown model {show(name)}{suggest(name, names)}; known models: {', '.join(names)}"
    return Violation("/model", MODEL_RULE, message)
