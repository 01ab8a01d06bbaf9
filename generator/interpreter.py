"""The rule interpreter: judges a payload straight from the spec model, no generated code.

The mock server and the contract tests judge with it; the test suite holds it and the
generated validators to identical verdicts, so each implementation checks the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from apimart_codegen import conditions
from apimart_codegen.jsonvalue import is_present, show
from apimart_codegen.kinds import RULE_KINDS
from apimart_codegen.kinds.base import RuleKind
from apimart_codegen.spec.model import ModelSpec, Severity, SpecSet

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


def judge_model(
    model: ModelSpec, payload: object, kinds: Mapping[str, RuleKind] | None = None
) -> Verdict:
    """Every violation and warning of ``payload`` against one model's rules, in rule order."""
    modes = {mode.name: mode.when for mode in model.modes}
    errors: list[Violation] = []
    warnings: list[Violation] = []
    for rule in model.rules:
        if rule.when is not None and not conditions.holds(rule.when, payload, modes):
            continue
        kind = kinds[rule.kind] if kinds is not None else RULE_KINDS.get(rule.kind)
        sink = errors if rule.severity == "error" else warnings
        for finding in kind.check(rule, payload):
            sink.append(Violation(finding.at, rule.id, finding.message, rule.severity))
    return Verdict(model.name, tuple(errors), tuple(warnings))


class Interpreter:
    """Judges any payload against the spec set, choosing the model from ``payload["model"]``."""

    def __init__(self, specs: SpecSet, kinds: Mapping[str, RuleKind] | None = None) -> None:
        self.specs = specs
        self.models = {model.name: model for model in specs.models}
        self.kinds = kinds if kinds is not None else {k.name: k for k in RULE_KINDS}

    def judge(self, payload: object) -> Verdict:
        if not isinstance(payload, dict):
            message = f"the request body must be a JSON object, got {show(payload)}"
            return Verdict(None, (Violation("", BODY_RULE, message),))
        name = payload.get("model")
        if not is_present(name):
            return Verdict(None, (Violation("/model", MODEL_RULE, "model is required"),))
        model = self.models.get(name) if isinstance(name, str) else None
        if model is None:
            known = ", ".join(sorted(self.models))
            message = f"unknown model {show(name)}; known models: {known}"
            return Verdict(None, (Violation("/model", MODEL_RULE, message),))
        return judge_model(model, payload, self.kinds)
