"""``total_items``: several arrays together hold at most ``max`` items."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from apimart_codegen.jsonvalue import EACH, get, label
from apimart_codegen.kinds.base import Code, Finding, RuleKind
from apimart_codegen.kinds.require_any import POINTERS
from apimart_codegen.kinds.schema import Schema, at_path
from apimart_codegen.spec.model import Rule, split_path

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan


class TotalItemsKind(RuleKind):
    name = "total_items"
    per_value = False
    rule_schema = {"paths": POINTERS, "max": {"type": "integer", "minimum": 0}}
    rule_required = ("paths", "max")

    def paths(self, rule: Rule) -> list[tuple[str, ...]]:
        return [split_path(text) for text in rule.params["paths"]]

    def default_message(self, rule: Rule) -> str:
        names = " and ".join(label(path) for path in self.paths(rule))
        return f"{names} together must have at most {rule.params['max']} items"

    def check(self, rule: Rule, payload: object) -> Iterator[Finding]:
        total = 0
        for path in self.paths(rule):
            value = get(payload, path)
            if isinstance(value, list):
                total += len(value)
        if total > rule.params["max"]:
            yield Finding(rule.pointer, f"{self.message(rule)}, got {total}")

    def emit(self, rule: Rule, code: Code) -> list[str]:
        arrays = ", ".join(f"_get(payload, {code.lit(path)})" for path in self.paths(rule))
        message = code.message(self.default_message(rule))
        return [
            f"total = sum(len(v) for v in ({arrays}) if isinstance(v, list))",
            f"if total > {rule.params['max']!r}:",
            "    " + code.fail(code.lit(rule.pointer), f"{message} + ', got ' + str(total)"),
        ]

    def json_schema(self, rule: Rule) -> Mapping[str, Any] | None:
        """One branch per way to share ``max`` items among the arrays (at most 64 branches)."""
        paths = self.paths(rule)
        if len(set(paths)) != len(paths):
            return None
        branches = _shares(paths, rule.params["max"])
        return {"anyOf": branches} if len(branches) <= _MAX_BRANCHES else None

    def fields(self, rule: Rule) -> tuple[str, ...]:
        return tuple(path[0] for path in self.paths(rule))

    def _room(self, rule: Rule, ctx: Context) -> tuple[int, int]:
        """(items already drawn in the other arrays, arrays still to draw after this one)."""
        drawn = 0
        later = 0
        for path in self.paths(rule):
            if path[0] == ctx.field:
                continue
            if ctx.is_drawn(path):
                value = ctx.value(path)
                drawn += len(value) if isinstance(value, list) else 0
            else:
                later += 1
        return drawn, later

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        drawn, later = self._room(rule, ctx)
        room = rule.params["max"] - drawn - later  # leave one item for each array to come
        lowest = (plan.count or [(0, None)])[0][0] or 0
        if lowest > room:  # this case already pins more items here: the total is broken too
            ctx.breaks_too(rule, rule.pointer)
            return
        if room <= 0:
            plan.forbid()
        else:
            plan.bound("count", [(0, room)])

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> None:
        drawn, later = self._room(rule, ctx)
        plan.require()
        if later:
            plan.bound("count", [(1, rule.params["max"])])
        else:
            over = rule.params["max"] + 1 - drawn
            plan.bound("count", [(max(over, 1), max(over, 1) + 2)])

    def lint(self, rule: Rule) -> Iterator[str]:
        if any(EACH in path for path in self.paths(rule)) or EACH in rule.path:
            yield "total_items paths cannot contain '*'"


_MAX_BRANCHES = 64


def _shares(paths: Sequence[tuple[str, ...]], budget: int) -> list[Schema]:
    """Body schemas, one per split of ``budget``: each array has at most its share of items."""
    splits: list[list[int]] = [[]]
    for index in range(len(paths)):
        last = index == len(paths) - 1
        splits = [
            [*split, share]
            for split in splits
            for share in ([budget - sum(split)] if last else range(budget - sum(split) + 1))
        ][: _MAX_BRANCHES + 1]
    branches: list[Schema] = []
    for split in splits:
        shares = [(path, {"maxItems": share}) for path, share in zip(paths, split, strict=True)]
        if all(len(path) == 1 for path in paths):
            branches.append({"properties": {path[0]: bound for path, bound in shares}})
        else:
            branches.append({"allOf": [at_path(path, bound) for path, bound in shares]})
    return branches


KIND = TotalItemsKind()
