"""The contract run: every case judged by both validators and by the server, rule by rule.

For each model: first the negative cases (one per rule at a time, and each bound's broken
edges), which a conforming server refuses and so cost nothing; then the positive cases and
the kept edges, which it accepts, polled to the end. Each rule is one Hypothesis test: on
the first contract violation Hypothesis shrinks the payload, and the finding keeps the
shrunk payload, the server's answer, a curl command and the seed that replays it.
"""

from __future__ import annotations

import concurrent.futures
import json
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Final, Literal

from hypothesis import HealthCheck, Phase, given, reject, seed as hypothesis_seed, settings
from hypothesis.errors import Unsatisfiable as HypothesisUnsatisfiable

from apimart_codegen.contract import _checks
from apimart_codegen.contract._cases import Case, CaseBuilder
from apimart_codegen.contract._follow import Broken
from apimart_codegen.contract._targets import Answer, HarnessError, Skipped, Target
from apimart_codegen.interpreter import Interpreter
from apimart_codegen.jsonvalue import show
from apimart_codegen.spec.model import ModelSpec, SpecSet

FindingKind = Literal[
    "accepts-forbidden",
    "refuses-allowed",
    "server-error",
    "warning-unreported",
    "shape",
    "wire",
    "lifecycle",
    "judge",
]
DRIFT: Final[dict[str, str]] = {
    "accepts-forbidden": "the API accepts what the docs forbid",
    "refuses-allowed": "the API refuses what the docs allow",
    "server-error": "the API failed (5xx) on a request",
    "warning-unreported": "the API does not report a parameter it ignores",
    "shape": "an answer does not have its documented shape",
    "wire": "an answer breaks the wire protocol (status, content type or error envelope)",
    "lifecycle": "a task's life broke a documented promise",
    "judge": "the project's own validators disagree with the case's label",
}
WARNINGS_HEADER: Final = "x-mock-warnings"
POSITIVE = "positive"
WIRE = "wire"
"""The row of a model's answers judged against the wire protocol (docs/wire-protocol.md)."""
SERVER_ERROR = "server-error"
"""The row of a model's requests that the server failed on (5xx), whatever they were."""
CHECKS: Final = (WIRE, SERVER_ERROR)
EDGE_EXAMPLES = 2
"""Cases sent at each edge of a rule (each bound kept and just broken, each enum option)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One contract violation, with everything needed to see it again."""

    model: str
    rule: str
    kind: FindingKind
    message: str
    payload: Any = None
    status: int | None = None
    answer: str = ""
    curl: str = ""
    unexplained: bool = False
    """A refusal of an allowed body that named no rule: which rule to blame is found out
    before it is recorded (``Runner._blame``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "rule": self.rule,
            "kind": self.kind,
            "drift": DRIFT[self.kind],
            "message": self.message,
            "payload": self.payload,
            "status": self.status,
            "answer": self.answer,
            "curl": self.curl,
        }


@dataclass
class RuleStats:
    """What the run did with one rule: cases that kept and broke it, and the server's answers."""

    rule: str
    severity: str = "error"
    kept: int = 0
    broke: int = 0
    accepted: int = 0
    refused: int = 0
    unobservable: int = 0
    skipped: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.findings:
            return DRIFT[self.findings[0].kind]
        if not self.broke:
            return "not sent (dry run or budget)" if self.skipped else "not broken by any case"
        if (
            self.severity == "warning"
            and self.unobservable
            and not self.accepted - self.unobservable
        ):
            return "accepted (what it ignores is not observable)"
        return "enforced as documented"


class ContractBroken(Exception):
    """Raised inside a Hypothesis test so that Hypothesis shrinks the case."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f"{f.rule}: {f.message}" for f in findings))
        self.findings = findings


class Beside:
    """A function run in a daemon thread beside the main one; ``join`` re-raises its error.
    (Hypothesis runs tests in several threads at once since 6.136.9.)"""

    def __init__(self, function: Callable[[], Any]) -> None:
        self._error: BaseException | None = None
        self._function = function
        self._thread = threading.Thread(target=self._run, name="apimart-lifecycle", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._function()
        except BaseException as exc:  # handed to the main thread by join()
            self._error = exc

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


@dataclass(frozen=True, slots=True)
class Pending:
    """A follow-up under way: the case whose task it follows, and its future result."""

    model: ModelSpec
    case: Case
    future: concurrent.futures.Future[Broken | None]


@dataclass
class Options:
    models: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    max_examples: int = 20
    negatives: int = 3
    seed: int = 0
    poll: int | None = None
    """Accepted tasks followed to their end per Hypothesis test (a rule, an edge, a model's
    positives); None: all of them."""
    poll_timeout: float = 60.0
    poll_interval: float = 0.5
    """Seconds between two polls of a task over a socket."""
    shrink: bool = True
    lifecycle: bool = True


@dataclass
class Run:
    """The whole run's results, in the order they came."""

    target: str
    seed: int
    target_flags: str = ""
    """How `apimart contract` picks the same target again (see Target.flags)."""
    stats: dict[str, dict[str, RuleStats]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    cases: int = 0
    seconds: float = 0.0
    requests: int = 0
    spent: str | None = None
    """Live runs: the budget's exposure, what the run may have been charged."""
    reused: int = 0
    """Submissions of a body already sent in this run, answered without sending it again."""
    notes: list[str] = field(default_factory=list)
    secrets: tuple[str, ...] = field(default=(), repr=False)
    """What the reports mask wherever it appears (the key, the Authorization value)."""

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0

    def rules(self) -> Iterator[RuleStats]:
        for per_model in self.stats.values():
            yield from per_model.values()

    def detected(self) -> set[str]:
        return {finding.rule for finding in self.findings}


class Runner:
    """Runs the contract cases of the chosen models against one target."""

    def __init__(
        self,
        specs: SpecSet,
        target: Target,
        options: Options,
        *,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        from apimart_codegen.kinds import RULE_KINDS

        self.specs = specs
        self.target = target
        self.options = options
        self.kinds = {kind.name: kind for kind in RULE_KINDS}
        self.interpreter = Interpreter(specs)
        self.progress = progress or (lambda text: None)
        self.run = Run(
            target=target.name,
            seed=options.seed,
            target_flags=target.flags,
            secrets=target.secrets,
        )
        self._builders: dict[str, CaseBuilder] = {}
        self._pending: list[Pending] = []
        self._followed: set[str] = set()
        self._batch = False
        """True inside execute(): follow-ups are collected at the end, not per rule."""

    # -- the run --------------------------------------------------------------------------

    def models(self) -> list[ModelSpec]:
        chosen = self.options.models or tuple(m.name for m in self.specs.models)
        found = []
        for name in chosen:
            model = self.specs.model(name)
            if model is None:
                known = ", ".join(m.name for m in self.specs.models)
                raise HarnessError(f"unknown model {name!r}; known models: {known}")
            found.append(model)
        return found

    def execute(self) -> Run:
        """Every chosen model, then the task lifecycle. Over a socket the lifecycle's state
        machine runs in a thread of its own beside the models' cases (it mostly waits for
        the server's tasks), and the accepted tasks are followed as the cases go on."""
        started = time.perf_counter()
        self._batch = True
        machine: Beside | None = None
        try:
            models = self.models()
            if self._runs_lifecycle() and self.target.advance is None:
                machine = Beside(self.lifecycle)
            for model in models:
                self.model(model)
            self.progress("following the accepted tasks to their end")
            self._collect(wait=True)
            if machine is not None:
                machine.join()
                self.run.stats["lifecycle"] = self.run.stats.pop("lifecycle", {})  # last row
            elif self._runs_lifecycle():
                self.lifecycle()
        finally:
            self._batch = False
            self._cancel()  # a state machine still running (an error stopped the run) is
            # a daemon thread: it ends with the process
            self.run.seconds = time.perf_counter() - started
            self.run.requests = self.target.sent
            self.run.reused = self.target.reused
            if self.target.budget is not None:
                self.run.spent = str(self.target.budget.spent)
        return self.run

    def _runs_lifecycle(self) -> bool:
        return (
            self.options.lifecycle
            and not self.options.rules
            and not self.target.live
            and self.target.sends
        )

    def _wanted(self, model: ModelSpec) -> list[str]:
        return chosen_rules(model, self.options.rules)

    def model(self, model: ModelSpec) -> None:
        wanted = self._wanted(model)
        rules = [rule for rule in model.rules if rule.id in wanted]
        for index, rule in enumerate(rules, start=1):
            self.progress(f"{model.name}: breaking rule {index}/{len(rules)} {rule.id}")
            self.rule(model, rule.id)
        if not self.options.rules:
            self.progress(f"{model.name}: positive cases")
            self.positives(model)

    def _builder(self, model: ModelSpec) -> CaseBuilder:
        if model.name not in self._builders:
            self._builders[model.name] = CaseBuilder(model, self.kinds)
            stats = self.run.stats.setdefault(model.name, {})
            wanted = set(self._wanted(model))  # --rule: the table shows those rules alone
            for rule in model.rules:
                if rule.id in wanted:
                    stats[rule.id] = RuleStats(rule.id, rule.severity)
            if not self.options.rules:
                for row in (POSITIVE, *CHECKS):
                    stats[f"{model.name}/{row}"] = RuleStats(f"{model.name}/{row}")
        return self._builders[model.name]

    def rule(self, model: ModelSpec, rule_id: str) -> list[Finding]:
        """Break one rule (and cross each of its edges); the findings it produced."""
        build = self._builder(model)
        rule = next(r for r in model.rules if r.id == rule_id)
        before = len(self.run.findings)
        self._property(
            build,
            f"negative {rule.id}",
            self.options.negatives,
            lambda: build_strategy(build, "negative", rule),
        )
        for edge in self.kinds[rule.kind].edges(rule):  # each edge, kept or just broken
            self._property(
                build,
                f"{rule.id} at {edge[0]}",
                EDGE_EXAMPLES,
                partial(build_strategy, build, "boundary", rule, edge),
            )
        if not self._batch:
            self._collect(wait=True)
        return self.run.findings[before:]

    def positives(self, model: ModelSpec) -> list[Finding]:
        """Cases that keep every rule, sent and followed to their end; the findings."""
        build = self._builder(model)
        before = len(self.run.findings)
        self._property(
            build,
            f"positive {model.name}",
            self.options.max_examples,
            lambda: build_strategy(build, "positive"),
        )
        if not self._batch:
            self._collect(wait=True)
        return self.run.findings[before:]

    def lifecycle(self, *, examples: int = 8, steps: int = 20) -> list[Finding]:
        """Run the task-lifecycle state machine; a broken promise is a finding."""
        from hypothesis.stateful import get_state_machine_test

        from apimart_codegen.contract._lifecycle import LifecycleBroken, machine

        self.progress("task lifecycle")
        before = len(self.run.findings)
        owner = "apimart/lifecycle"
        stats = self.run.stats.setdefault("lifecycle", {})
        stats.setdefault(owner, RuleStats(owner))
        machine_class = machine(self.specs, self.target, self.kinds)
        phases = [Phase.explicit, Phase.generate]
        if self.options.shrink and self.target.fresh is not None:
            phases.append(Phase.shrink)  # replaying needs a server that starts anew each time
        test = get_state_machine_test(
            machine_class,
            settings=settings(
                max_examples=examples,
                stateful_step_count=steps,
                database=None,
                deadline=None,
                phases=phases,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                print_blob=False,
            ),
        )
        test = hypothesis_seed(self.options.seed)(test)  # type: ignore[no-untyped-call]
        try:
            test()  # the run's seed replays the machine's steps too
            stats[owner].kept += examples
        except LifecycleBroken as exc:
            self._record_lifecycle(owner, exc)
        except BaseExceptionGroup as group:
            matched, rest = group.split(LifecycleBroken)
            if rest is not None:
                raise HarnessError(f"task lifecycle: the harness failed: {rest!r}") from group
            for leaf in _leaves(matched, LifecycleBroken):
                self._record_lifecycle(owner, leaf)
        except HarnessError:
            raise
        except Exception as exc:  # Hypothesis's own errors (Flaky...): a harness bug, said so
            message = f"task lifecycle: the harness failed: {type(exc).__name__}: {exc}"
            raise HarnessError(message) from exc
        return self.run.findings[before:]

    def _record_lifecycle(self, owner: str, broken: AssertionError) -> None:
        from apimart_codegen.contract._lifecycle import ServerFailed

        if isinstance(broken, ServerFailed):  # a 5xx is a server error, not a lifecycle bug
            model = self.specs.model(broken.model)
            assert model is not None
            rule = f"{model.name}/{SERVER_ERROR}"
            finding = Finding(
                model=model.name,
                rule=rule,
                kind="server-error",
                message=f"task lifecycle: {broken}",
                payload=broken.payload,
                curl=self.target.curl(model, broken.payload) if broken.payload else "",
            )
            self.run.findings.append(finding)
            stats = self.run.stats.setdefault(model.name, {})
            stats.setdefault(rule, RuleStats(rule)).findings.append(finding)
            return
        finding = Finding(model="lifecycle", rule=owner, kind="lifecycle", message=str(broken))
        self.run.findings.append(finding)
        self.run.stats["lifecycle"][owner].findings.append(finding)

    def _property(
        self, build: CaseBuilder, what: str, examples: int, strategy: Callable[[], Any]
    ) -> None:
        """One Hypothesis test: every drawn case exercised; the first violation shrunk."""
        polled = [0]
        stopped: list[HarnessError] = []  # the server cannot be tested: stop, don't shrink

        def check(case: Case) -> None:
            if stopped:
                reject()
            try:
                findings = self.exercise(build.model, case, polled)
            except HarnessError as exc:
                stopped.append(exc)
                reject()
            if findings:
                raise ContractBroken(findings)

        phases = [Phase.explicit, Phase.reuse, Phase.generate]
        if self.options.shrink and not self.target.live:
            phases.append(Phase.shrink)  # shrinking resends: never on the paid API
        test = settings(
            max_examples=max(1, examples),
            database=None,
            deadline=None,
            phases=phases,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            print_blob=False,
        )(given(strategy())(check))
        test = hypothesis_seed(self.options.seed)(test)  # type: ignore[no-untyped-call]
        try:
            test()
        except ContractBroken as broken:
            for finding in broken.findings:
                self._record(build.model, finding)
        except BaseExceptionGroup as group:  # Hypothesis found several distinct failures
            matched, rest = group.split(ContractBroken)
            if rest is not None:
                raise HarnessError(f"{what}: the harness failed: {rest!r}") from group
            for exc in _leaves(matched):
                for finding in exc.findings:
                    self._record(build.model, finding)
        except HypothesisUnsatisfiable:
            if not stopped:
                self.run.notes.append(
                    f"{what}: no case could be built (the spec's rules conflict?)"
                )
        except HarnessError:
            raise
        except Exception as exc:  # a bug in a strategy or a check: say so, never hide it
            message = f"{what}: the harness failed: {type(exc).__name__}: {exc}"
            raise HarnessError(message) from exc
        if stopped:
            raise stopped[0]

    def _record(self, model: ModelSpec, finding: Finding) -> None:
        if finding.unexplained:
            finding = self._blame(model, finding)
        self.run.findings.append(finding)
        stats = self.run.stats[model.name]
        holder = stats.get(finding.rule) or stats.setdefault(finding.rule, RuleStats(finding.rule))
        holder.findings.append(finding)

    def _blame(self, model: ModelSpec, finding: Finding) -> Finding:
        """The rule to name for an allowed body refused without a reason: the case's own
        (its label), unless the server accepts the body without one other field, whose rule
        is then the one it does not keep. One request per optional field at most, sent once
        per finding (after shrinking); never on the paid API."""
        payload = finding.payload
        if self.target.live or not self.target.sends or not isinstance(payload, dict):
            return finding
        required = {p.name for p in model.parameters if p.required}
        for name in [key for key in payload if key not in required]:
            reduced = {key: value for key, value in payload.items() if key != name}
            if not self.interpreter.judge(reduced).valid:
                continue
            answer = self.target.submit(model, reduced)
            if isinstance(answer, Skipped) or not answer.ok:
                continue
            rule = self._judging(model, name, reduced)
            if rule is None:
                break
            message = (
                f"{finding.message}; it accepts the body without /{name} "
                f"({show(payload[name])}), which {rule} allows"
            )
            return replace(finding, rule=rule, message=message, unexplained=False)
        return replace(finding, unexplained=False)

    def _judging(self, model: ModelSpec, name: str, payload: dict[str, Any]) -> str | None:
        """The rule that judges field ``name`` of this payload, one with edges (an enum, a
        bound) first: the rule a value refused there was sent to keep."""
        build = self._builders[model.name]
        stats = self.run.stats[model.name]
        judging = [
            rule
            for rule in model.rules
            if name in build.fields(rule) and rule.id in stats and build._holds(rule, payload)
        ]
        judging.sort(key=lambda rule: not self.kinds[rule.kind].edges(rule))
        return judging[0].id if judging else None

    # -- one case ----------------------------------------------------------------------------

    def exercise(self, model: ModelSpec, case: Case, polled: list[int]) -> list[Finding]:
        """Judge one case locally and on the server; the violations it shows."""
        self._collect(wait=False)  # a follow-up that stopped the run stops it now
        self.run.cases += 1
        stats = self.run.stats[model.name]
        owner = case.rule or f"{model.name}/{POSITIVE}"
        if case.kind == "positive":
            stats[owner].kept += 1
        findings = self._judges(model, case, owner)
        answer = self.target.submit(model, case.payload)
        if isinstance(answer, Skipped):
            stats[owner].skipped += 1
            return findings
        findings += self._wire(model, case, answer)
        if answer.status >= 500:
            return [*findings, self._server_error(model, case, answer)]
        self._count(model, SERVER_ERROR)
        if case.valid:
            findings += self._accepted_case(model, case, answer, owner, polled)
        else:
            findings += self._refused_case(model, case, answer)
        return findings

    def _count(self, model: ModelSpec, row: str) -> str:
        """Count one answer judged on a check's row (shown with every rule, or once it has
        a finding when --rule picks rules); the row's id."""
        rule = f"{model.name}/{row}"
        if rule in self.run.stats[model.name]:
            self.run.stats[model.name][rule].kept += 1
        return rule

    def _wire(self, model: ModelSpec, case: Case, answer: Answer) -> list[Finding]:
        """The answer against the wire protocol: its own row, whatever the case's verdict."""
        row = self._count(model, WIRE)
        problems = _checks.wire(answer.status, answer.headers, answer.body, invalid=not case.valid)
        if not problems:
            return []
        return [self._finding(model, case, row, "wire", "; ".join(problems), answer)]

    def _server_error(self, model: ModelSpec, case: Case, answer: Answer) -> Finding:
        """A 5xx: a server error of its own, with the request that caused it."""
        row = f"{model.name}/{SERVER_ERROR}"
        allowed = "allow" if case.valid else f"forbid ({case.describe()})"
        message = f"HTTP {answer.status} for a body the docs {allowed}"
        return self._finding(model, case, row, "server-error", message, answer)

    def _finding(
        self,
        model: ModelSpec,
        case: Case,
        rule: str,
        kind: FindingKind,
        message: str,
        answer: Answer | None = None,
    ) -> Finding:
        return Finding(
            model=model.name,
            rule=rule,
            kind=kind,
            message=message,
            payload=case.payload,
            status=answer.status if answer is not None else None,
            answer=answer.text if answer is not None else "",
            curl=self.target.curl(model, case.payload),
        )

    def _judges(self, model: ModelSpec, case: Case, owner: str) -> list[Finding]:
        import apimart

        label = {(e.rule, e.pointer, e.severity) for e in case.expected}
        interpreted = self.interpreter.judge(case.payload)
        generated = apimart.validate(case.payload)
        found = []
        for name, verdict in (
            ("the rule interpreter", interpreted),
            ("the generated validators", generated),
        ):
            seen = {(v.rule, v.path, "error") for v in verdict.errors} | {
                (v.rule, v.path, "warning") for v in verdict.warnings
            }
            if seen != label:
                message = (
                    f"{name} report {sorted(seen)}, the case was built to have {sorted(label)}"
                )
                found.append(self._finding(model, case, owner, "judge", message))
        return found

    def _refused_case(self, model: ModelSpec, case: Case, answer: Answer) -> list[Finding]:
        stats = self.run.stats[model.name]
        # a broken rule on the model field is reported by dispatch (apimart/model): count it
        # under the rule the case was built to break
        broken = sorted({e.rule for e in case.errors if e.rule in stats} | {case.rule or ""} - {""})
        for rule in set(broken) | {e.rule for e in case.warnings}:
            if rule in stats:
                stats[rule].broke += 1
        if answer.ok:
            for rule in broken:
                if rule in stats:
                    stats[rule].accepted += 1
            rule = case.rule or broken[0]
            message = f"HTTP {answer.status} for a body that breaks {', '.join(broken)}"
            if case.edge is not None:
                message += f" (at {case.edge})"
            return [self._finding(model, case, rule, "accepts-forbidden", message, answer)]
        for rule in broken:
            if rule in stats:
                stats[rule].refused += 1
        # A server that names the rules it applies (the mock does) must name the broken one:
        # refusing for another reason is not enforcing it.
        named = set(_checks.named_rules(answer.body))
        missing = [e.rule for e in case.errors if named and e.rule in stats and e.rule not in named]
        if missing:
            message = (
                f"HTTP {answer.status}, but the answer names {', '.join(sorted(named))}, "
                f"not {', '.join(missing)}"
            )
            return [self._finding(model, case, missing[0], "accepts-forbidden", message, answer)]
        return []

    def _accepted_case(
        self, model: ModelSpec, case: Case, answer: Answer, owner: str, polled: list[int]
    ) -> list[Finding]:
        stats = self.run.stats[model.name]
        for rule in case.active:
            if rule in stats and rule not in {e.rule for e in case.warnings}:
                stats[rule].kept += 1
        for expected in case.warnings:
            if expected.rule in stats:
                stats[expected.rule].broke += 1
        answered = [rule for rule in case.active if rule in stats]
        if case.kind == "positive":
            answered.append(owner)
        if not answer.ok:
            for rule in answered:
                stats[rule].refused += 1
            named = [r for r in _checks.named_rules(answer.body) if r in stats]
            rule = named[0] if named else owner
            message = f"HTTP {answer.status} for a body every rule allows"
            if named:
                message += f"; the server names {', '.join(named)}"
            else:
                message += "; the server did not say why (no violations list)"
            finding = self._finding(model, case, rule, "refuses-allowed", message, answer)
            return [replace(finding, unexplained=not named)]
        for rule in answered:
            stats[rule].accepted += 1
        findings = []
        task_id, problems = _checks.submission(model, answer.body)
        if problems:
            findings.append(self._finding(model, case, owner, "shape", problems[0], answer))
        findings += self._warnings(model, case, answer)
        limit = self.options.poll
        if task_id is not None and (limit is None or polled[0] < limit) and not case.warnings:
            polled[0] += 1
            self._follow(model, case, task_id)
        return findings

    def _warnings(self, model: ModelSpec, case: Case, answer: Answer) -> list[Finding]:
        """Warning rules: observable where the server reports them (the mock's header)."""
        stats = self.run.stats[model.name]
        header = answer.headers.get(WARNINGS_HEADER)
        if header is None:
            for warning in case.warnings:
                if warning.rule in stats:
                    stats[warning.rule].unobservable += 1
            return []
        reported = {part.strip() for part in header.split(",") if part.strip()}
        wanted = {e.rule for e in case.warnings}
        findings = []
        for rule in sorted(wanted - reported):
            message = f"{rule} is not among the ignored parameters it reports ({header or 'none'})"
            findings.append(self._finding(model, case, rule, "warning-unreported", message, answer))
        return findings

    def _follow(self, model: ModelSpec, case: Case, task_id: str) -> None:
        """Follow an accepted task (see _follow): over a socket it runs beside the rest of
        the run and its findings are collected later; in process it runs to its end now."""
        from apimart_codegen.contract._follow import follow

        owner = f"{model.name}/lifecycle"
        self.run.stats[model.name].setdefault(owner, RuleStats(owner))
        if task_id in self._followed:  # the same answer again (a body is sent once per run)
            return
        self._followed.add(task_id)
        coroutine = follow(
            self.target,
            model,
            case.payload,
            task_id,
            timeout=self.options.poll_timeout,
            interval=self.options.poll_interval,
        )
        pending = Pending(model, case, self.target.spawn(coroutine))
        self._pending.append(pending)
        if self.target.advance is not None:
            self._collect(wait=True)

    def _collect(self, *, wait: bool) -> None:
        """Record the follow-ups that ended (all of them, waiting, when ``wait``). A harness
        error in one stops the run; the others are cancelled."""
        still = []
        try:
            for pending in self._pending:
                if not wait and not pending.future.done():
                    still.append(pending)
                    continue
                self._ended(pending, pending.future.result())
        except BaseException:
            self._cancel()
            raise
        self._pending = still

    def _cancel(self) -> None:
        for pending in self._pending:
            pending.future.cancel()
        self._pending = []

    def _ended(self, pending: Pending, broken: Broken | None) -> None:
        model, case = pending.model, pending.case
        owner = f"{model.name}/lifecycle"
        if broken is None:
            self.run.stats[model.name][owner].kept += 1
            return
        finding = self._finding(model, case, owner, broken.kind, broken.message, broken.answer)
        self._record(model, finding)


def chosen_rules(model: ModelSpec, rules: Iterable[str]) -> list[str]:
    """The ids of ``model``'s rules that ``--rule`` names (every rule when it names none),
    in spec order; a rule is named by its id (``wan2.6/duration-enum``) or its bare name."""
    named = {r if "/" in r else f"{model.name}/{r}" for r in rules}
    return [rule.id for rule in model.rules if not named or rule.id in named]


def build_strategy(build: CaseBuilder, kind: str, rule: Any = None, edge: Any = None) -> Any:
    """Cases of one kind: positive, breaking ``rule``, or at one ``edge`` of it."""
    from apimart_codegen.contract.strategies import _cases

    if kind == "positive":
        return _cases(build, None, None)
    if kind == "negative":
        return _cases(build, rule, None)
    return _cases(build, rule, edge)


def json_default(value: Any) -> Any:
    return repr(value)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=json_default)


def echo(text: str) -> None:
    print(text, file=sys.stderr)


def iter_findings(run: Run) -> Iterable[Finding]:
    return iter(run.findings)


def _leaves(
    group: BaseExceptionGroup[Any] | None, kind: type[Exception] = ContractBroken
) -> Iterator[Any]:
    if group is None:
        return
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            yield from _leaves(exc, kind)
        elif isinstance(exc, kind):
            yield exc
