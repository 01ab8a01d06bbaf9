"""``count_matching``: at most ``max`` of the values a path reaches equal a given value."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from apimart_codegen.jsonvalue import EACH, MISSING, escape, json_equal, show, walk
from apimart_codegen.kinds.base import Break, Code, Finding, RuleKind
from apimart_codegen.kinds.schema import at_path, reaches
from apimart_codegen.spec.model import Rule

if TYPE_CHECKING:
    from apimart_codegen.plans import Context, Plan


class CountMatchingKind(RuleKind):
    name = "count_matching"
    per_value = False
    rule_schema = {"equals": {}, "max": {"type": "integer", "minimum": 0}}
    rule_required = ("equals", "max")

    def default_message(self, rule: Rule) -> str:
        return f"at most {rule.params['max']} {rule.label} may be {show(rule.params['equals'])}"

    def check(self, rule: Rule, payload: object) -> Iterator[Finding]:
        found = [at for at, v in walk(payload, rule.path) if json_equal(v, rule.params["equals"])]
        limit = rule.params["max"]
        if len(found) > limit:
            yield Finding(found[limit], f"{self.message(rule)}, got {len(found)}")

    def emit(self, rule: Rule, code: Code) -> list[str]:
        equals = code.lit(rule.params["equals"])
        limit = rule.params["max"]
        message = code.message(self.default_message(rule))
        reach, at, depth = code.reach(rule.path)
        pad = "    " * depth
        return [
            "found: list[str] = []",
            *reach,
            f"{pad}if _json_equal(value, {equals}):",
            f"{pad}    found.append({at})",
            f"if len(found) > {limit!r}:",
            "    " + code.fail(f"found[{limit!r}]", f"{message} + ', got ' + str(len(found))"),
        ]

    def json_schema(self, rule: Rule) -> Mapping[str, Any] | None:
        """``maxContains`` on the array, when the path fans out over one array only."""
        if rule.path.count(EACH) != 1:
            return None
        split = rule.path.index(EACH)
        matching = reaches(rule.path[split + 1 :], {"const": rule.params["equals"]})
        counted = {"contains": matching, "minContains": 0, "maxContains": rule.params["max"]}
        # "None match, or at most max": the same in 2020-12, and a tool that reads `contains`
        # as draft-07 does (at least one, maxContains unknown) then accepts rather than refuses.
        return at_path(rule.path[:split], {"anyOf": [{"not": {"contains": matching}}, counted]})

    # The strategies handle the common shape: a path ``<array>/*/<key>`` inside one field.
    def _split(self, rule: Rule) -> tuple[tuple[str, ...], str]:
        star = rule.path.index(EACH)
        return rule.path[1:star], rule.path[star + 1]

    def keep(self, rule: Rule, plan: Plan, ctx: Context) -> None:
        array_path, key = self._split(rule)
        equals, limit = rule.params["equals"], rule.params["max"]
        assert ctx.plan is not None
        array = ctx.plan.at(array_path)
        others = [v for v in (plan.enum or []) if not json_equal(v, equals)]

        def shape(draw: Any, items: Any, pinned: frozenset[int]) -> Any:
            from hypothesis import strategies as st

            from apimart_codegen.plans import Unsatisfiable

            def matches(item: Any) -> bool:
                return isinstance(item, dict) and json_equal(item.get(key, MISSING), equals)

            room = limit - sum(matches(items[i]) for i in pinned if i < len(items))
            if room < 0:
                raise Unsatisfiable(f"the pinned items already hold more than {limit} matches")
            for index, item in enumerate(items):
                if index in pinned or not matches(item):
                    continue
                if room > 0:
                    room -= 1
                elif others:
                    item[key] = draw(st.sampled_from(others))
                else:
                    item.pop(key)
            return items

        array.shapers.append(shape)

    def violate(self, rule: Rule, plan: Plan, ctx: Context, *, measure: Any = None) -> Break:
        from hypothesis import strategies as st

        array_path, key = self._split(rule)
        equals, limit = rule.params["equals"], rule.params["max"]
        assert ctx.plan is not None
        array = ctx.plan.at(array_path)
        assert array.items is not None
        items_plan = array.items

        def apply(draw: Any, drawn: Any) -> list[Any]:
            items = list(drawn) if isinstance(drawn, list) else []
            while len(items) < limit + 1:
                items.append(items_plan.draw_given(draw))
            dicts = [i for i, item in enumerate(items) if isinstance(item, dict)]
            chosen = draw(st.permutations(dicts))[: limit + 1]
            for index in chosen:
                items[index][key] = equals
            return items

        def where(items: Any) -> str:
            matches = [
                i
                for i, item in enumerate(items)
                if isinstance(item, dict) and json_equal(item.get(key, MISSING), equals)
            ]
            return f"/{matches[limit]}/{escape(key)}"

        return Break(apply, path=array_path, where=where)


KIND = CountMatchingKind()
