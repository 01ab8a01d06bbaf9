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


# The checks below judge what the tests above sent (so they run after them, in file order).


def test_answers_follow_the_wire_protocol(
    apimart_contract: ContractSession, apimart_model: str
) -> None:
    """Status 200 or 400, a JSON content type, the documented error envelope."""
    findings = apimart_contract.checks("wire", apimart_model)
    assert not findings, explain(findings, apimart_contract.run)


def test_the_server_never_fails(apimart_contract: ContractSession, apimart_model: str) -> None:
    """No request, allowed or not, wide numbers included, gets a 5xx."""
    findings = apimart_contract.checks("server-error", apimart_model)
    assert not findings, explain(findings, apimart_contract.run)


def test_the_task_lifecycle_keeps_its_promises(apimart_contract: ContractSession) -> None:
    """Status never goes back, progress never falls, one key makes one task (and is refused
    with another body), results match; for the tasks above and the state machine's own."""
    machine = apimart_contract.runner.lifecycle()  # its 5xx, too, are shown here
    polled = apimart_contract.checks("lifecycle")
    findings = polled + [f for f in machine if f not in polled]
    assert not findings, explain(findings, apimart_contract.run)
