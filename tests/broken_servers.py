"""Servers built to have one bug each: the project's mock, changed in one place.

Each is a ``MockCore`` subclass (or the mock built from specs changed in one place), served
by ``serve`` over a real loopback socket, so that the contract harness meets it the way it
meets any server by URL. The honest mock is the same thing with no change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from apimart_codegen.contract._runner import Options, Run, Runner
from apimart_codegen.contract._targets import over_http
from apimart_codegen.mock import MockAPI, MockServer
from apimart_codegen.mock._asgi import MockASGIApp
from apimart_codegen.mock._core import MockCore
from apimart_codegen.mock._faults import Injection
from apimart_codegen.mock._http import MockRequest, Reply, error_reply
from apimart_codegen.spec.model import SpecSet

SPEED = 1000.0
"""How fast the broken servers' tasks run: a task ends in well under a second."""


class RefusesWith422(MockCore):
    """Refuses invalid bodies with 422 (the wire protocol says 400), the body unchanged."""

    def _refusal(self, request: MockRequest, body: object) -> Any:
        found = super()._refusal(request, body)
        if isinstance(found, Reply) and found.status == 400:
            return replace(found, status=422)
        return found


class AnswersHtml(MockCore):
    """Answers JSON with ``Content-Type: text/html``."""

    def respond(self, request: MockRequest, injection: Injection) -> Reply:
        reply = super().respond(request, injection)
        headers = tuple(
            (name, "text/html; charset=utf-8") if name.lower() == "content-type" else (name, value)
            for name, value in reply.headers
        )
        return replace(reply, headers=headers)


class BareRefusals(MockCore):
    """Refuses invalid bodies with 400 and ``{"message": ...}``: no error envelope."""

    def _refusal(self, request: MockRequest, body: object) -> Any:
        found = super()._refusal(request, body)
        if isinstance(found, Reply) and found.status == 400:
            error = json.loads(found.body)["error"]
            return replace(found, body=json.dumps({"message": error["message"]}).encode())
        return found


class SaysNotWhy(MockCore):
    """Refuses with the error envelope but no ``violations`` list (as most servers do)."""

    def _refusal(self, request: MockRequest, body: object) -> Any:
        found = super()._refusal(request, body)
        if isinstance(found, Reply) and found.status == 400:
            error = json.loads(found.body)["error"]
            error.pop("violations", None)
            return replace(found, body=json.dumps({"error": error}).encode())
        return found


class FailsOnWideSeeds(MockCore):
    """Fails (500) on a ``seed`` past the int32 range, as a server storing it in 32 bits."""

    def _refusal(self, request: MockRequest, body: object) -> Any:
        seed = body.get("seed") if isinstance(body, dict) else None
        if isinstance(seed, int) and not -(2**31) <= seed < 2**31:
            return error_reply(500, "internal server error")
        return super()._refusal(request, body)


class ReplaysAnyBody(MockCore):
    """Answers a used Idempotency-Key with its old task whatever the body (no 422)."""

    def _replay(self, owner: str, key: str | None, fingerprint: bytes) -> Reply | None:
        if not key:
            return None
        with self._lock:
            known = self._idempotent.get((owner, key))
            return None if known is None else self._envelope(self._tasks[known[0]])


class GoesBack(MockCore):
    """A task's status goes back: its first poll says ``processing``, its second ``pending``
    (the same progress), later ones the truth."""

    def _task(self, request: MockRequest, params: Mapping[str, str], _: Injection) -> Reply:
        reply = super()._task(request, params, _)
        payload = json.loads(reply.body) if reply.status == 200 else None
        task = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(task, dict):
            return reply
        polls = self.__dict__.setdefault("_polls", {})
        polls[task["id"]] = seen = polls.get(task["id"], 0) + 1
        if seen > 2:
            return reply
        task.update(status=("processing", "pending")[seen - 1], progress=50)
        task.pop("result", None)
        return replace(reply, body=json.dumps(payload).encode())


def with_values(specs: SpecSet, rule_id: str, **params: Any) -> SpecSet:
    """The specs with one rule's params changed (a server that enforces it differently)."""
    files = tuple(
        replace(
            spec,
            models=tuple(
                replace(
                    model,
                    rules=tuple(
                        replace(rule, params={**rule.params, **params})
                        if rule.id == rule_id
                        else rule
                        for rule in model.rules
                    ),
                )
                for model in spec.models
            ),
        )
        for spec in specs.files
    )
    return SpecSet(files)


def mock(specs: SpecSet, core: type[MockCore] = MockCore, *, seed: int = 0) -> MockAPI:
    """The mock on ``specs`` with ``core`` in place of the honest one."""
    api = MockAPI(specs=specs, seed=seed, speed=SPEED)
    if core is not MockCore:
        api.core = core(specs, options=api.options, clock=api.clock)
        api.app = MockASGIApp(api.core)
    return api


@contextmanager
def serve(api: MockAPI) -> Iterator[str]:
    """The mock over a real loopback socket (a free port); its base URL."""
    with MockServer(api) as server:
        yield server.base_url


def run_against(
    specs: SpecSet,
    url: str,
    *,
    seed: int,
    models: tuple[str, ...],
    rules: tuple[str, ...] = (),
    lifecycle: bool = False,
    max_examples: int = 6,
) -> Run:
    """The contract run over HTTP, bounded for tests (few cases, short polls)."""
    target = over_http(url, api_key="mock-key")
    options = Options(
        models=models,
        rules=rules,
        max_examples=max_examples,
        negatives=2,
        seed=seed,
        poll=2,
        poll_timeout=10.0,
        poll_interval=0.02,
        lifecycle=lifecycle,
        shrink=False,
    )
    try:
        return Runner(specs, target, options).execute()
    finally:
        target.close()
