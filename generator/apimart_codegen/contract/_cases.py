"""Cases that carry their verdict: payloads built to keep every rule, or to break exactly one.

A case is built field by field, in an order where every field a rule's condition reads is
drawn before the fields that rule judges; so when a field is drawn, which rules apply to it
is known from the values already there. Each applying rule's kind narrows the field's plan
(``RuleKind.keep``); the one rule a negative case breaks is handed to its kind's
``violate`` instead, which says what to put where. Conditions the case needs (the rule's
``when``, a branch to cover) are steered beforehand by narrowing the fields they read.

Nothing here asks a judge for a verdict: the expected violations are what the builder did.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import strategies as st

from apimart_codegen import conditions
from apimart_codegen.interpreter import BODY_RULE, MODEL_RULE
from apimart_codegen.jsonvalue import EACH, MISSING, escape, get
from apimart_codegen.kinds.base import Break, RuleKind, Steer
from apimart_codegen.plans import OMIT, Draw, Pin, Plan, Unsatisfiable, fork
from apimart_codegen.spec.model import Condition, ModelSpec, Rule, Severity

CaseKind = Literal["positive", "negative", "boundary"]
DISPATCH_FIELD = "model"
"""The field that chooses the model: rules about it are judged by dispatch, before the model."""


@dataclass(frozen=True, slots=True)
class Expected:
    """One violation a judge must report for a case."""

    rule: str
    pointer: str
    severity: Severity = "error"


@dataclass(frozen=True, slots=True)
class Case:
    """A payload and the verdict it was built to have.

    ``rule`` is the rule the case is about: the one a negative case breaks, or the one a
    boundary case holds at an edge of (for a positive case, None). ``expected`` lists every
    violation: empty for a payload that keeps every rule.
    """

    model: str
    kind: CaseKind
    payload: Any
    rule: str | None = None
    expected: tuple[Expected, ...] = ()
    active: tuple[str, ...] = ()
    """The rules whose condition held: the rules this case kept or broke."""
    edge: str | None = None

    def __repr__(self) -> str:  # Hypothesis prints failing cases: keep them readable
        body = repr(self.payload)
        if len(body) > 400:
            body = body[:400] + f"... ({len(body)} characters)"
        about = f", rule={self.rule!r}" if self.rule else ""
        return f"Case({self.model!r}, {self.kind!r}{about}, payload={body})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # Hypothesis's printer
        printer.text(repr(self))

    @property
    def errors(self) -> tuple[Expected, ...]:
        return tuple(e for e in self.expected if e.severity == "error")

    @property
    def warnings(self) -> tuple[Expected, ...]:
        return tuple(e for e in self.expected if e.severity == "warning")

    @property
    def valid(self) -> bool:
        return not self.errors

    def describe(self) -> str:
        what = {"positive": "keeps every rule", "negative": f"breaks {self.rule}"}.get(
            self.kind, f"holds {self.rule} at {self.edge}"
        )
        if self.kind == "boundary" and self.expected:
            what = f"breaks {self.rule} at {self.edge}"
        return f"{self.model}: {what}"


class NoStrategies(Exception):
    """A rule kind that cannot build cases (a plugin without strategies)."""


class CaseContext:
    """What a kind sees while a case is built (``plans.Context``): the fields drawn so far
    and its own role."""

    def __init__(self, builder: CaseBuilder, draw: Draw, payload: dict[str, Any]) -> None:
        self.builder = builder
        self.draw = draw
        self.payload = payload
        self.field = ""
        self.plan: Plan | None = None
        self.drawn: set[str] = set()
        self.also: list[Expected] = []

    @property
    def model(self) -> ModelSpec:
        return self.builder.model

    def value(self, path: Sequence[str]) -> object:
        """The value at a wildcard-free path of the payload so far (MISSING if not there)."""
        return get(self.payload, path)

    def is_drawn(self, path: Sequence[str]) -> bool:
        return bool(path) and path[0] in self.drawn

    def breaks_too(self, rule: Rule, at: str) -> None:
        """Record that what this case pins necessarily breaks ``rule`` as well."""
        self.also.append(Expected(rule.id, at, rule.severity))


def field_of(path: Sequence[str]) -> str:
    return path[0] if path else ""


class CaseBuilder:
    """Builds the cases of one model; ``draw_case`` runs inside a Hypothesis ``composite``."""

    def __init__(self, model: ModelSpec, kinds: Mapping[str, RuleKind]) -> None:
        self.model = model
        self.kinds = kinds
        self.modes = {mode.name: mode.when for mode in model.modes}
        self.rules = {rule.id: rule for rule in model.rules}
        missing = sorted({rule.kind for rule in model.rules if not kinds[rule.kind].has_strategies})
        if missing:
            raise NoStrategies(
                f"{model.name}: rule kind(s) {', '.join(missing)} bring no strategies "
                "(keep/violate), so their rules cannot be fuzzed"
            )
        self.touching: dict[str, list[Rule]] = {}
        for rule in model.rules:
            for name in self.fields(rule):
                self.touching.setdefault(name, []).append(rule)
        self.order = self._order()

    # -- structure -------------------------------------------------------------------------

    def fields(self, rule: Rule) -> tuple[str, ...]:
        return self.kinds[rule.kind].fields(rule)

    def reads(self, cond: Condition | None) -> set[str]:
        if cond is None:
            return set()
        found = {field_of(path) for path in conditions.paths(cond)}
        for name in conditions.mode_names(cond):
            found |= self.reads(self.modes[name])
        return found

    def _order(self) -> list[str]:
        """Top-level fields, each after every field read by the conditions of its rules."""
        names = [p.name for p in self.model.parameters]
        after: dict[str, set[str]] = {name: set() for name in names}
        for rule in self.model.rules:
            touched = self.fields(rule)
            for name in touched:
                if name in after:
                    after[name] |= (self.reads(rule.when) | set(touched[:-1])) - {name}
        # a multi-field rule (require_any, total_items) sees its fields in the order it lists
        ordered: list[str] = []
        visiting: set[str] = set()

        def visit(name: str) -> None:
            if name in ordered:
                return
            if name in visiting:
                raise NoStrategies(f"{self.model.name}: rule conditions on {name!r} form a cycle")
            visiting.add(name)
            for first in sorted(after[name] & set(after), key=names.index):
                visit(first)
            visiting.discard(name)
            ordered.append(name)

        for name in names:
            visit(name)
        return ordered

    def breakable(self) -> list[Rule]:
        return list(self.model.rules)

    # -- conditions --------------------------------------------------------------------------

    def decided(self, cond: Condition, payload: Mapping[str, Any], drawn: set[str]) -> bool | None:
        """The condition's truth from the drawn fields, or None if it reads one not drawn."""
        if cond.op == "mode":
            return self.decided(self.modes[cond.value], payload, drawn)
        if cond.op in ("present", "absent", "equals", "matches"):
            if field_of(cond.path) not in drawn:
                return None
            return conditions.holds(cond, payload, self.modes)
        parts = [self.decided(part, payload, drawn) for part in cond.parts]
        if cond.op == "not":
            return None if parts[0] is None else not parts[0]
        if cond.op == "all":
            return False if False in parts else (None if None in parts else True)
        return True if True in parts else (None if None in parts else False)

    def steer(
        self,
        cond: Condition,
        truth: bool,
        draw: Draw,
        wants: dict[str, list[Steer]],
        payload: Mapping[str, Any],
        drawn: set[str],
    ) -> None:
        """Narrow the fields not yet drawn so that ``cond`` comes out ``truth``."""
        known = self.decided(cond, payload, drawn)
        if known is not None:
            if known != truth:
                raise Unsatisfiable("the fields already drawn decide this condition otherwise")
            return
        if cond.op == "mode":
            self.steer(self.modes[cond.value], truth, draw, wants, payload, drawn)
        elif cond.op == "not":
            self.steer(cond.parts[0], not truth, draw, wants, payload, drawn)
        elif cond.op in ("all", "any"):
            every = (cond.op == "all") == truth
            open_parts = [p for p in cond.parts if self.decided(p, payload, drawn) is None]
            chosen = open_parts if every else [draw(st.sampled_from(open_parts))]
            for part in chosen:
                self.steer(part, truth, draw, wants, payload, drawn)
        else:
            wants.setdefault(field_of(cond.path), []).append(Steer(cond, truth))

    # -- building --------------------------------------------------------------------------

    def draw_case(
        self,
        draw: Draw,
        *,
        kind: CaseKind = "positive",
        target: Rule | None = None,
        edge: tuple[str, Any, bool] | None = None,
    ) -> Case:
        """One case: positive (``target`` None), breaking ``target``, or at one of its edges.

        ``edge`` is (label, measure, keeps) from ``RuleKind.edges``.
        """
        if target is not None and target.path == () and target.kind == "type":
            junk = draw(st.sampled_from([[], "x", 1, None, True, [{"model": self.model.name}]]))
            body = (Expected(BODY_RULE, "", "error"),)
            return Case(self.model.name, "negative", junk, target.id, body, (target.id,))
        payload: dict[str, Any] = {}
        ctx = CaseContext(self, draw, payload)
        wants: dict[str, list[Steer]] = {}
        breaking = target is not None and (edge is None or not edge[2])
        if target is not None:
            self._steer_for(target, draw, wants)
        else:
            self._steer_branch(draw, wants)
        active: list[str] = [r.id for r in self.touching.get("", []) if r.path == ()]
        self._kept_by_value: list[str] = []
        expected: list[Expected] = []
        for name in self.order:
            ctx.field = name
            param = self.model.parameter(name)
            assert param is not None
            plan = Plan.of(param)
            ctx.plan = plan
            for steer in wants.get(name, []):
                self.kinds_steer(steer, plan, draw)
            holder: Break | None = None
            for rule in self.touching.get(name, []):
                if rule.path == () and rule.kind == "closed":
                    continue  # the body's own closed rule is applied once, below
                if not self._applies(rule, draw, payload, ctx.drawn, plan, name, rule is target):
                    continue
                if rule.id not in active:
                    active.append(rule.id)
                judge = self.kinds[rule.kind]
                node = plan.at(rule.path[1:]) if field_of(rule.path) == name else plan
                if rule is target and breaking:
                    measure = edge[1] if edge is not None else None
                    found = judge.violate(rule, node, ctx, measure=measure)
                    if found is not None and field_of(rule.path) == name:
                        holder = found if found.path is not None else found.at(rule.path[1:])
                    if EACH in rule.path[1:]:
                        judge.keep(rule, node, ctx)  # the items the break does not touch keep it
                elif rule is target and edge is not None:
                    judge.keep_at(rule, node, ctx, edge[1])
                    _given_down_to(plan, rule.path[1:])  # an edge of a nested field builds it
                else:
                    judge.keep(rule, node, ctx)
            where = self._place(name, plan, holder, draw, payload)
            if holder is not None and target is not None:
                expected.append(Expected(target.id, where, target.severity))
            ctx.drawn.add(name)
        active += [rule_id for rule_id in self._kept_by_value if rule_id not in active]
        body_rules = [r for r in self.touching.get("", []) if r.kind == "closed" and r.path == ()]
        for rule in body_rules:
            if rule is target:
                key = self._unknown_key(draw, rule)
                payload[key] = draw(st.sampled_from([1, "x", True, None, [1], {"a": 1}]))
                expected.append(Expected(rule.id, "/" + escape(key), rule.severity))
        if target is not None and breaking and not any(e.rule == target.id for e in expected):
            if not self._holds(target, payload):
                raise Unsatisfiable(f"the condition of {target.id} did not hold")
            at = self.kinds[target.kind].locate(target, payload)
            expected.append(Expected(target.id, at, target.severity))
        expected += ctx.also
        ordered = {p.name: payload[p.name] for p in self.model.parameters if p.name in payload}
        ordered.update((k, v) for k, v in payload.items() if k not in ordered)
        case_kind: CaseKind = (
            "positive" if target is None else ("boundary" if edge is not None else "negative")
        )
        return Case(
            model=self.model.name,
            kind=case_kind,
            payload=ordered,
            rule=target.id if target is not None else None,
            expected=tuple(self._dispatched(e) for e in expected),
            active=tuple(active),
            edge=edge[0] if edge is not None else None,
        )

    def _dispatched(self, expected: Expected) -> Expected:
        """Rules on the model field are judged by dispatch, before any model rule runs."""
        rule = self.rules.get(expected.rule)
        if rule is not None and rule.path[:1] == (DISPATCH_FIELD,) and len(rule.path) == 1:
            return Expected(MODEL_RULE, "/" + DISPATCH_FIELD, "error")
        return expected

    def _holds(self, rule: Rule, payload: Mapping[str, Any]) -> bool:
        return rule.when is None or conditions.holds(rule.when, payload, self.modes)

    def _applies(
        self,
        rule: Rule,
        draw: Draw,
        payload: dict[str, Any],
        drawn: set[str],
        plan: Plan,
        name: str,
        targeted: bool,
    ) -> bool:
        """Whether ``rule`` judges this case; a condition on the field itself is steered false
        (or, for the rule the case breaks, was steered true beforehand)."""
        if rule.when is None:
            return True
        truth = self.decided(rule.when, payload, drawn)
        if truth is not None:
            return truth
        if targeted:
            return True
        # kept by the value this case draws here: the rule is judged, and holds
        self._kept_by_value.append(rule.id)
        wants: dict[str, list[Steer]] = {}
        self.steer(rule.when, False, draw, wants, payload, drawn)
        for steer in wants.get(name, []):
            self.kinds_steer(steer, plan, draw)
        return False

    def kinds_steer(self, steer: Steer, plan: Plan, draw: Draw) -> None:
        """Apply one steered atom (present/absent/equals/matches) to a field's plan."""
        cond, truth = steer.cond, steer.truth
        node = plan.at(cond.path[1:])
        each = EACH in cond.path[1:]
        if cond.op in ("present", "absent"):
            given = truth == (cond.op == "present")
            plan.require() if given else plan.forbid()
            return
        if truth:
            plan.require()
        if cond.op == "matches":
            (node.patterns if truth else node.not_patterns).append(cond.value)
            return
        if not each:
            node.only([cond.value]) if truth else node.excluded.append(cond.value)
            return
        # equals on the items of an array: some item has it, or none has
        array = plan.at(cond.path[1 : cond.path.index(EACH, 1)])
        rest = cond.path[cond.path.index(EACH, 1) + 1 :]
        array.shapers.append(
            _some_item(rest, cond.value, node) if truth else _no_item(rest, cond.value, node)
        )

    def _steer_for(self, target: Rule, draw: Draw, wants: dict[str, list[Steer]]) -> None:
        if target.when is not None:
            self.steer(target.when, True, draw, wants, {}, set())
        # the break needs its field given: steer away from what would leave it out
        for rule in self.touching.get(field_of(target.path), []):
            if rule is target or rule.path[:1] != target.path[:1]:
                continue
            for cond, truth in self.kinds[rule.kind].presence_needs(rule):
                with contextlib.suppress(Unsatisfiable):
                    self.steer(cond, truth, draw, wants, {}, set())
        for steer_cond, truth in self.kinds[target.kind].steers(target):
            self.steer(steer_cond, truth, draw, wants, {}, set())

    def _steer_branch(self, draw: Draw, wants: dict[str, list[Steer]]) -> None:
        """Positive cases visit every branch: steer one rule's condition one way or the other."""
        conditional = [rule.when for rule in self.model.rules if rule.when is not None]
        conditional += [mode.when for mode in self.model.modes]
        if not conditional or draw(st.booleans()):
            return
        cond = draw(st.sampled_from(conditional))
        self.steer(cond, draw(st.booleans()), draw, wants, {}, set())

    def _place(
        self, name: str, plan: Plan, holder: Break | None, draw: Draw, payload: dict[str, Any]
    ) -> str:
        """Draw the field into the payload (with the break, if it sits here); its pointer."""
        at = "/" + escape(name)
        if holder is not None:
            placed: list[Any] = []

            def apply(draw: Draw, original: Any) -> Any:
                value = holder.apply(draw, original)
                placed.append(value)
                return value

            if not holder.path:
                base = plan.draw_given(draw) if plan.need != "absent" else MISSING
                value = apply(draw, base)
                if value is not OMIT and value is not MISSING:
                    payload[name] = value
                return at + holder.where(value)
            route = _pin(plan, holder.path, apply, draw)
            payload[name] = plan.draw_given(draw)
            return at + route + holder.where(placed[-1])
        if plan.need == "present" or (plan.need == "free" and draw(st.booleans())):
            payload[name] = plan.draw_given(draw)
        return at

    def _unknown_key(self, draw: Draw, rule: Rule) -> str:
        known = set(rule.params.get("allowed", []))
        close = [name + "s" for name in sorted(known)] + ["extra", "callback_url", "quality"]
        return str(draw(st.sampled_from([k for k in close if k not in known])))


def _given_down_to(plan: Plan, rel: Sequence[str]) -> None:
    """Require every object on the way to ``rel`` (a kept edge there must be sent), so that
    a nested field's edge case holds the field and not, by chance, an empty parent. Array
    items are given already once their array is (a required array is not empty)."""
    node = plan
    node.require()
    for segment in rel:
        if segment == EACH:
            assert node.items is not None
            node = node.items
            continue
        node = node.properties[segment]
        node.require()


def _pin(plan: Plan, rel: Sequence[str], apply: Pin, draw: Draw) -> str:
    """Route the break down ``rel`` (choosing an item where ``*`` stands); the path taken."""
    parts: list[str] = []
    node = plan
    node.require()
    for depth, segment in enumerate(rel):
        last = depth == len(rel) - 1
        if segment == EACH:
            _lo, hi = (node.count or [(0, None)])[0]
            top = 2 if hi is None else int(min(hi, 3)) - 1
            if top < 0:
                raise Unsatisfiable(f"{node.param.name} can hold no item to break")
            index = draw(st.integers(0, top))
            parts.append(f"/{index}")
            assert node.items is not None
            child = node.items
            key: int | str = index
        else:
            parts.append("/" + escape(segment))
            child = node.properties[segment]
            key = segment
        if last:
            node.pins[key] = apply
        else:
            branch = fork(child)
            branch.need = "present"
            node.pins[key] = _drawn_from(branch)
            node = branch
    return "".join(parts)


def _drawn_from(plan: Plan) -> Callable[[Draw, Any], Any]:
    return lambda draw, _: plan.draw_given(draw)


def _some_item(
    rest: Sequence[str], value: Any, node: Plan
) -> Callable[[Draw, Any, frozenset[int]], Any]:
    def shape(draw: Draw, items: Any, pinned: frozenset[int]) -> Any:
        free = [i for i in range(len(items)) if i not in pinned and isinstance(items[i], dict)]
        if not free:
            raise Unsatisfiable("no item is free to carry the steered value")
        index = draw(st.sampled_from(free))
        items[index][rest[-1]] = value
        return items

    return shape


def _no_item(
    rest: Sequence[str], value: Any, node: Plan
) -> Callable[[Draw, Any, frozenset[int]], Any]:
    from apimart_codegen.jsonvalue import json_equal

    others = [v for v in (node.enum or []) if not json_equal(v, value)]

    def shape(draw: Draw, items: Any, pinned: frozenset[int]) -> Any:
        for index, item in enumerate(items):
            if index in pinned or not isinstance(item, dict):
                continue
            if json_equal(item.get(rest[-1], MISSING), value):
                if others:
                    item[rest[-1]] = draw(st.sampled_from(others))
                else:
                    item.pop(rest[-1])
        return items

    return shape
