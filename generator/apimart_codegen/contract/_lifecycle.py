"""The task lifecycle as a Hypothesis state machine, against any target.

Steps: submit an allowed body (with a fresh Idempotency-Key), resubmit one with its key,
send another body with a used key, poll, let time pass, download a result, and (in
process) deliver webhooks. Invariants: a task's status never goes back and its progress
never falls; a completed task holds as many results of its model's kind as the request
asked for; the same key never makes a second task, and with another body it is refused
(422, docs/wire-protocol.md); a webhook carries the task it is for, in a terminal state.

Every step draws the same way whatever the server answered (a precondition reads only
what the machine itself decided), so that Hypothesis can replay a run against a server
whose timing differs.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from apimart_codegen.contract import _checks
from apimart_codegen.contract._cases import Case, CaseBuilder
from apimart_codegen.contract._targets import Target
from apimart_codegen.jsonvalue import json_equal
from apimart_codegen.spec.model import ModelSpec, SpecSet

RESULT_TYPES = {"image": "image/", "video": "video/"}


class LifecycleBroken(AssertionError):
    """A documented promise about a task that the target did not keep."""


class ServerFailed(LifecycleBroken):
    """The target failed (5xx) on a request of the lifecycle: a server error of its own."""

    def __init__(self, model: str, message: str, payload: Any = None) -> None:
        super().__init__(message)
        self.model = model
        self.payload = payload


KEY_REUSED = 422
"""The status of a used Idempotency-Key sent with another request (docs/wire-protocol.md)."""


@dataclass
class Tracked:
    """A task the machine submitted, and what it has seen of it."""

    model: ModelSpec
    case: Case
    key: str
    task_id: str
    rank: int = -1
    progress: float = -1.0
    status: str = ""
    task: dict[str, Any] = field(default_factory=dict)


def machine(
    specs: SpecSet, target: Target, kinds: dict[str, Any] | None = None
) -> type[RuleBasedStateMachine]:
    """A state machine class bound to one target (Hypothesis builds fresh instances)."""
    if kinds is None:
        from apimart_codegen.kinds import RULE_KINDS

        kinds = {kind.name: kind for kind in RULE_KINDS}
    builders = {model.name: CaseBuilder(model, kinds) for model in specs.models}
    allowed = st.sampled_from(sorted(builders)).flatmap(lambda name: _positive(builders[name]))

    class TaskLifecycle(RuleBasedStateMachine):
        tasks = Bundle("tasks")

        @initialize()
        def start(self) -> None:
            # a fresh server where one can be had (the in-process mock): each run of steps
            # then sees the same world, so Hypothesis can replay and shrink it
            self.target = target.fresh() if target.fresh is not None else target
            self.tracked: list[Tracked] = []
            self.hooks: list[dict[str, Any]] = []
            self.hook_url = "http://hooks.apimart.test/t" + uuid.uuid4().hex[:8]

        @rule(target=tasks, case=allowed, with_webhook=st.booleans(), other=allowed)
        def submit(self, case: Case, with_webhook: bool, other: Case) -> Any:
            """Submit an allowed body; then send another with its key, which is refused."""
            model = specs.model(case.model)
            assert model is not None
            body = dict(case.payload)
            if with_webhook and self.target.deliveries is not None:
                body["webhook"] = self.hook_url
            key = str(uuid.uuid4())
            answer = self.target.post(model, body, key)
            if answer.status >= 500:
                raise ServerFailed(
                    model.name, f"an allowed body got HTTP {answer.status}: {answer.text}", body
                )
            if not answer.ok:
                raise LifecycleBroken(f"an allowed body got HTTP {answer.status}: {answer.text}")
            task_id, problems = _checks.submission(model, answer.body)
            if problems or task_id is None:
                raise LifecycleBroken(f"submission answer: {problems}")
            item = Tracked(model, Case(case.model, "positive", body), key, task_id)
            self.tracked.append(item)
            self.reuse_the_key_with_another_body(item, other)
            return multiple(item)

        @rule(item=tasks)
        def resubmit_with_the_same_key(self, item: Tracked) -> None:
            answer = self.target.post(item.model, item.case.payload, item.key)
            task_id, _ = _checks.submission(item.model, answer.body) if answer.ok else (None, [])
            if task_id != item.task_id:
                raise LifecycleBroken(
                    f"the same Idempotency-Key made task {task_id}, not {item.task_id} again"
                )

        @rule(item=tasks, other=allowed)
        def reuse_the_key_with_another_body(self, item: Tracked, other: Case) -> None:
            model = specs.model(other.model)
            assert model is not None
            same = model.endpoint == item.model.endpoint and json_equal(
                other.payload, item.case.payload
            )
            if same:
                return  # the same request: resubmit_with_the_same_key's business
            answer = self.target.post(model, other.payload, item.key)
            task_id, _ = _checks.submission(model, answer.body) if answer.ok else (None, [])
            if answer.ok:
                what = "the same task" if task_id == item.task_id else f"task {task_id}"
                raise LifecycleBroken(
                    f"the Idempotency-Key of task {item.task_id} sent with another body "
                    f"answered HTTP {answer.status} with {what}; the wire protocol refuses "
                    f"a key reused with another request ({KEY_REUSED})"
                )
            if answer.status >= 500:
                raise ServerFailed(
                    model.name, f"a reused key got HTTP {answer.status}", other.payload
                )
            if answer.status != KEY_REUSED or _checks.error_body(answer.body):
                raise LifecycleBroken(
                    f"the Idempotency-Key of task {item.task_id} sent with another body got "
                    f"HTTP {answer.status} {answer.text[:200]}; the wire protocol answers "
                    f"{KEY_REUSED} with the error envelope"
                )

        @rule(item=tasks)
        def poll(self, item: Tracked) -> None:
            answer = self.target.task(item.task_id)
            if answer.status >= 500:
                raise ServerFailed(
                    item.model.name, f"polling {item.task_id}: HTTP {answer.status}", None
                )
            if not answer.ok:
                raise LifecycleBroken(f"polling {item.task_id}: HTTP {answer.status}")
            task = answer.body.get("data") if isinstance(answer.body, dict) else None
            expected = _checks.results_expected(item.model, item.case.payload)
            problems = _checks.task_object(item.model, task, expected_results=expected)
            if problems:
                raise LifecycleBroken(f"task {item.task_id}: {problems[0]}")
            assert isinstance(task, dict)
            status = str(task.get("status"))
            rank = _checks.STATUS_ORDER.get(status, item.rank)
            if rank < item.rank:
                raise LifecycleBroken(
                    f"task {item.task_id} went back from {item.status} to {status}"
                )
            progress = task.get("progress")
            if isinstance(progress, int | float):
                if progress < item.progress:
                    raise LifecycleBroken(f"task {item.task_id} progress fell to {progress}")
                item.progress = float(progress)
            item.rank, item.status, item.task = rank, status, task

        @rule(seconds=st.sampled_from([1.0, 10.0, 60.0, 600.0]))
        def time_passes(self, seconds: float) -> None:
            self.target.wait(seconds if self.target.advance is not None else min(seconds, 0.05))

        @rule(pick=st.integers(0, 2**16))
        def download(self, pick: int) -> None:
            # which tasks are done depends on the server: what is drawn must not
            done = [t for t in self.tracked if t.status == "completed"]
            if not done:
                return
            item = done[pick % len(done)]
            key = "images" if item.model.output == "image" else "videos"
            first = item.task["result"][key][0]["url"]
            url = first[0] if isinstance(first, list) else first
            answer = self.target.fetch(url)
            if answer.status == 404 and self.target.advance is not None:
                return  # expired: results live a limited time, and virtual time runs fast
            if answer.status != 200 or not answer.content:
                raise LifecycleBroken(f"downloading {url}: HTTP {answer.status}")
            kind = answer.headers.get("content-type", "")
            if not kind.startswith(RESULT_TYPES[item.model.output]):
                raise LifecycleBroken(f"a {item.model.output} result came as {kind}")

        @precondition(lambda self: target.deliveries is not None)
        @rule()
        def deliver_webhooks(self) -> None:
            assert self.target.deliveries is not None
            for request in self.target.deliveries():
                if str(request.url).startswith(self.hook_url):  # ours, not other cases'
                    self.hooks.append(json.loads(request.content))

        def teardown(self) -> None:
            if getattr(self, "target", target) is not target:
                self.target.close()

        @rule(item=consumes(tasks))
        def forget(self, item: Tracked) -> None:
            """Stop polling one task (the bundle stays small)."""

        @invariant()
        def webhooks_carry_finished_tasks(self) -> None:
            known = {t.task_id for t in self.tracked}
            for hook in getattr(self, "hooks", []):
                if hook.get("id") not in known:
                    raise LifecycleBroken(f"a webhook for a task never submitted: {hook.get('id')}")
                if hook.get("status") not in _checks.TERMINAL:
                    raise LifecycleBroken(f"a webhook for an unfinished task: {hook.get('status')}")

    return TaskLifecycle


def _positive(build: CaseBuilder) -> st.SearchStrategy[Case]:
    from apimart_codegen.contract.strategies import _cases

    return _cases(build, None, None)
