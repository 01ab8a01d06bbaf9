"""The contract suite as a pytest plugin (entry point ``pytest11``: ``apimart_contract``).

It adds the ``--apimart-*`` options (the same as ``apimart contract``'s), a session-wide
``apimart_contract`` fixture that sends cases to the chosen target, and parametrizes tests
that ask for ``apimart_model`` or ``apimart_rule`` over the selected models and rules.
``contract_tests/`` is the suite users run; their own suites can use the same fixtures.
Under pytest-xdist each worker has its own session (and its own in-process mock).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from apimart_codegen.contract._runner import Finding, Options, Run, Runner
from apimart_codegen.contract._targets import Budget, HarnessError, Target, in_process, over_http
from apimart_codegen.spec.model import ModelSpec, SpecSet

KEY_VARIABLE = "APIMART_API_KEY"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("apimart", "APIMart contract tests (apimart contract)")
    group.addoption("--apimart-base-url", metavar="URL", help="send the cases to this server")
    group.addoption(
        "--apimart-live",
        action="store_true",
        help=f"send them to the vendor's API (needs {KEY_VARIABLE}; spends within the budget)",
    )
    group.addoption("--apimart-model", action="append", default=[], help="only this model")
    group.addoption("--apimart-rule", action="append", default=[], help="only this rule id")
    group.addoption("--apimart-max-examples", type=int, default=20, help="positive cases/model")
    group.addoption("--apimart-negatives", type=int, default=3, help="cases breaking each rule")
    group.addoption("--apimart-seed", type=int, default=0, help="the run's seed (default 0)")
    group.addoption("--apimart-max-cost", default="0", help="live: most the run may spend")
    group.addoption("--apimart-allow-unpriced", action="store_true", help="live: unpriced models")
    group.addoption("--apimart-max-requests", type=int, help="live: most paid submissions")
    group.addoption("--apimart-report", type=Path, help="write the JSON report here")


@dataclass
class ContractSession:
    """One target and one runner for the whole pytest session."""

    specs: SpecSet
    target: Target
    runner: Runner

    def model(self, name: str) -> ModelSpec:
        model = self.specs.model(name)
        assert model is not None, f"unknown model {name}"
        return model

    def rule(self, model: str, rule: str) -> list[Finding]:
        """The findings of one rule's cases, less those of a check's own row (see checks)."""
        return _own(self.runner.rule(self.model(model), rule))

    def positives(self, model: str) -> list[Finding]:
        return _own(self.runner.positives(self.model(model)))

    def checks(self, row: str, model: str | None = None) -> list[Finding]:
        """Every finding of the run so far on a check's row (``wire``, ``server-error``,
        ``lifecycle``) of ``model`` (None: of every model). The tests of rules whose cases
        met them leave them to the check's own test, which runs after them."""
        return [
            f
            for f in self.run.findings
            if f.rule.endswith(f"/{row}") and (model is None or f.model == model)
        ]

    @property
    def run(self) -> Run:
        return self.runner.run

    def __repr__(self) -> str:  # pytest prints fixtures in failures: keep it to one line
        return f"<ContractSession against {self.target.name}>"


CHECK_ROWS = ("/lifecycle", "/wire", "/server-error")
"""Rows that are checks of every answer or task, not rules: each has its own test."""


def _own(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.rule.endswith(CHECK_ROWS)]


def _specs() -> SpecSet:
    from apimart_codegen.contract.strategies import _specs as load

    return load()


def _selected(config: pytest.Config) -> list[ModelSpec]:
    specs = _specs()
    names = config.getoption("--apimart-model") or [m.name for m in specs.models]
    found = []
    for name in names:
        model = specs.model(name)
        if model is None:
            raise pytest.UsageError(f"--apimart-model: unknown model {name!r}")
        found.append(model)
    return found


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    models = None
    if "apimart_model" in metafunc.fixturenames or "apimart_rule" in metafunc.fixturenames:
        models = _selected(metafunc.config)
    if models is None:
        return
    if "apimart_model" in metafunc.fixturenames:
        metafunc.parametrize("apimart_model", [m.name for m in models])
    if "apimart_rule" in metafunc.fixturenames:
        wanted = set(metafunc.config.getoption("--apimart-rule"))
        pairs = [
            (m.name, r.id)
            for m in models
            for r in m.rules
            if not wanted or r.id in wanted or r.id.split("/", 1)[1] in wanted
        ]
        metafunc.parametrize("apimart_rule", pairs, ids=[rule for _, rule in pairs])


@pytest.fixture(scope="session")
def apimart_contract(pytestconfig: pytest.Config) -> Iterator[ContractSession]:
    """The target the suite runs against (the in-process mock unless an option says)."""
    specs = _specs()
    option = pytestconfig.getoption
    try:
        if option("--apimart-live"):
            key = os.environ.get(KEY_VARIABLE, "")
            if not key:
                pytest.skip(f"--apimart-live needs {KEY_VARIABLE}")
            budget = Budget(
                max_cost=Decimal(option("--apimart-max-cost")),
                allow_unpriced=option("--apimart-allow-unpriced"),
                max_requests=option("--apimart-max-requests") or 50,
            )
            from apimart_codegen.contract._targets import LIVE_URL

            target = over_http(LIVE_URL, api_key=key, live=True, budget=budget, min_interval=0.5)
        elif option("--apimart-base-url"):
            key = os.environ.get(KEY_VARIABLE, "") or "mock-key"
            target = over_http(option("--apimart-base-url"), api_key=key)
        else:
            target = in_process(specs=specs)
    except HarnessError as exc:
        raise pytest.UsageError(str(exc)) from None
    options = Options(
        max_examples=option("--apimart-max-examples"),
        negatives=option("--apimart-negatives"),
        seed=option("--apimart-seed"),
        poll=None if target.advance is not None else 2,
    )
    session = ContractSession(specs, target, Runner(specs, target, options))
    yield session
    target.close()
    report = option("--apimart-report")
    if report is not None:
        from apimart_codegen.contract import _report

        worker = os.environ.get("PYTEST_XDIST_WORKER")
        path = report.with_name(f"{report.stem}.{worker}{report.suffix}") if worker else report
        _report.write_json(session.run, path)


def explain(findings: list[Finding], run: Run) -> str:
    """A failure message: each finding with its payload, answer and ways to see it again."""
    from apimart_codegen.contract._report import details, shown
    from apimart_codegen.contract._runner import DRIFT

    lines = []
    for finding in findings:
        lines.append(shown(run, f"{finding.rule}: {DRIFT[finding.kind]}: {finding.message}"))
        lines += [f"  {line}" for line in details(finding, run)]
    return "\n".join(lines)
