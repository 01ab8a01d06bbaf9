"""The test of the tests: does the suite notice a server that stops enforcing a rule?

For every rule of every model, a fresh in-process mock is built from the specs with that
one rule taken out, and the suite's test for that rule (its negative cases and its edges)
runs against it: the rule is detected when the run reports a finding that names it. The
other tests need not run there: the mock judges each rule on its own, so a mock without
rule R answers every case that does not break R exactly as the full mock does, against
which the whole suite passes.

A server that accepts everything is the other end: ``accept_all`` answers every submission
with the model's envelope, and every rule that refuses (an error) must be named.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from apimart_codegen.contract._runner import Options, Runner
from apimart_codegen.contract._targets import Target, in_process
from apimart_codegen.spec.model import SpecSet


@dataclass
class Sensitivity:
    rules: int = 0
    detected: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    misnamed: dict[str, list[str]] = field(default_factory=dict)
    """Rule → other rules its run named (a finding blaming the wrong rule)."""
    seconds: float = 0.0

    @property
    def score(self) -> str:
        return f"{len(self.detected)}/{self.rules}"


def sensitivity(
    specs: SpecSet,
    *,
    seed: int = 0,
    negatives: int = 2,
    rules: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Sensitivity:
    """Drop each rule in turn from the mock and check the suite names it."""
    started = time.perf_counter()
    result = Sensitivity()
    chosen = set(rules) if rules is not None else None
    options = Options(negatives=negatives, seed=seed, shrink=False, poll=0, lifecycle=False)
    for model in specs.models:
        for rule in model.rules:
            if chosen is not None and rule.id not in chosen:
                continue
            result.rules += 1
            if progress is not None:
                progress(f"sensitivity: {result.rules} {rule.id}")
            target = in_process(seed=seed, specs=specs.without_rules([rule.id]))
            try:
                findings = Runner(specs, target, options).rule(model, rule.id)
            finally:
                target.close()
            named = {finding.rule for finding in findings}
            if rule.id in named:
                result.detected.append(rule.id)
            else:
                result.missed.append(rule.id)
            if named - {rule.id}:
                result.misnamed[rule.id] = sorted(named - {rule.id})
    result.seconds = time.perf_counter() - started
    return result


def accept_all(specs: SpecSet) -> Target:
    """A server that accepts every submission with its model's envelope, and polls as done."""
    models = {model.endpoint: model for model in specs.models}
    counter = [0]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            counter[0] += 1
            model = models.get(request.url.path)
            code: Any = model.response.code if model else 200
            status = model.response.status if model else "submitted"
            task = {"task_id": f"task_{counter[0]}", "status": status}
            return httpx.Response(200, json={"code": code, "data": [task]})
        task_id = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(
            200,
            json={
                "code": 200,
                "data": {
                    "id": task_id,
                    "status": "failed",
                    "progress": 50,
                    "error": {"code": 1, "message": "x"},
                },
            },
        )

    return Target(
        name="a server that accepts everything",
        base_url="http://accept-all.test",
        transport=httpx.MockTransport(answer),
        api_key="any",
    )
