"""The contract suite: every rule of every model, against the mock, a server or the live API.

    pytest contract_tests/                                   # the in-process mock
    pytest contract_tests/ --apimart-base-url http://127.0.0.1:8000 -n auto
    APIMART_API_KEY=... pytest contract_tests/ --apimart-live --apimart-max-cost 2

The engine lives in apimart_codegen.contract; this file only says what must hold.
"""

from __future__ import annotations

from apimart_codegen.contract.pytest_plugin import ContractSession, explain


def test_each_rule_is_enforced_as_documented(
    apimart_contract: ContractSession, apimart_rule: tuple[str, str]
) -> None:
    """Bodies that break this rule alone are refused (4xx); its edges fall on the right side."""
    model, rule = apimart_rule
    findings = apimart_contract.rule(model, rule)
    assert not findings, explain(findings, apimart_contract.run)


def test_allowed_bodies_are_accepted_and_their_tasks_finish(
    apimart_contract: ContractSession, apimart_model: str
) -> None:
    """Bodies that keep every rule get the model's envelope; their tasks reach an end."""
    findings = apimart_contract.positives(apimart_model)
    assert not findings, explain(findings, apimart_contract.run)


def test_the_task_lifecycle_keeps_its_promises(apimart_contract: ContractSession) -> None:
    """Status never goes back, progress never falls, one key makes one task, results match."""
    findings = apimart_contract.runner.lifecycle()
    assert not findings, explain(findings, apimart_contract.run)
