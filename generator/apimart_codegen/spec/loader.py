"""specs/*.yaml → SpecSet. Every problem in every file is collected and reported together.

Stages: YAML with locations → meta-schema → model build (per-model parameter overrides
merged, parameter keywords desugared into rules through the rule kinds) → reference checks
(paths name declared parameters, modes exist, rule ids are unique, kinds accept their rules).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from apimart_codegen import conditions
from apimart_codegen.jsonvalue import EACH, MISSING, json_type, suggest
from apimart_codegen.kinds import RULE_KINDS
from apimart_codegen.kinds.base import RuleKind
from apimart_codegen.spec import meta_schema, yaml_loc
from apimart_codegen.spec.model import (
    Condition,
    Example,
    Mode,
    ModelSpec,
    Parameter,
    Price,
    Response,
    Rule,
    Source,
    SpecFile,
    SpecSet,
    Unchecked,
    split_path,
)
from apimart_codegen.spec.yaml_loc import Loc, LocDict, LocList


@dataclass(frozen=True, slots=True, order=True)
class SpecProblem:
    loc: Loc
    message: str

    def __str__(self) -> str:
        return f"{self.loc}: error: {self.message}"


class SpecErrors(Exception):
    """Every problem found in the specs, sorted by place."""

    def __init__(self, problems: Iterable[SpecProblem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def load_specs(spec_dir: Path, *, kinds: Iterable[RuleKind] | None = None) -> SpecSet:
    """Load every ``*.yaml`` in ``spec_dir``; raise SpecErrors listing all problems."""
    kind_list = list(RULE_KINDS if kinds is None else kinds)
    if not spec_dir.is_dir():
        raise SpecErrors([SpecProblem(Loc(str(spec_dir), 1, 1), "spec directory not found")])
    paths = sorted(spec_dir.glob("*.yaml"))
    if not paths:
        raise SpecErrors([SpecProblem(Loc(str(spec_dir), 1, 1), "no *.yaml specs found")])
    validator = jsonschema.Draft202012Validator(meta_schema.build(kind_list))
    problems: list[SpecProblem] = []
    files = []
    for path in paths:
        display = f"{spec_dir.name}/{path.name}"
        builder = _FileBuilder(path, display, {k.name: k for k in kind_list}, problems)
        spec = builder.build(validator)
        if spec is not None:
            files.append(spec)
    problems += _name_clashes(model for spec in files for model in spec.models)
    if problems:
        raise SpecErrors(problems)
    return SpecSet(tuple(files))


def _name_clashes(models: Iterable[ModelSpec]) -> Iterator[SpecProblem]:
    """Two models may not share a wire name, nor the names derived from it: a file name
    (names that differ only in case) or a Python name (``wan2.6`` and ``wan2-6``)."""
    claimed: dict[tuple[str, str], ModelSpec] = {}
    for model in models:
        for what, name in (("", model.name), ("file", model.slug), ("Python", model.identifier)):
            other = claimed.setdefault((what, name), model)
            if other is model:
                continue
            if not what:
                message = f"model {model.name!r} is also defined at {other.loc}"
            else:
                message = (
                    f"model {model.name!r} would have the {what} name {name!r} of model "
                    f"{other.name!r} ({other.loc})"
                )
            yield SpecProblem(model.loc, message)
            break


def merge(base: Any, override: Any) -> Any:
    """Recursive merge of mappings (override wins), keeping every key's location."""
    if not (isinstance(base, LocDict) and isinstance(override, LocDict)):
        return override
    out = LocDict(base)
    out.loc = base.loc
    out.key_locs = dict(base.key_locs)
    out.value_locs = dict(base.value_locs)
    for key, value in override.items():
        out[key] = merge(base[key], value) if key in base else value
        out.key_locs[key] = override.key_loc(key)
        out.value_locs[key] = override.value_loc(key)
    return out


class _FileBuilder:
    def __init__(
        self, path: Path, display: str, kinds: Mapping[str, RuleKind], problems: list[SpecProblem]
    ) -> None:
        self.path = path
        self.display = display
        self.kinds = kinds
        self.problems = problems
        self.data: Any = None

    def problem(self, loc: Loc, message: str) -> None:
        self.problems.append(SpecProblem(loc, message))

    def build(self, validator: jsonschema.Draft202012Validator) -> SpecFile | None:
        try:
            raw = self.path.read_bytes()
            self.data = yaml_loc.loads(raw.decode("utf-8"), display=self.display)
        except UnicodeDecodeError as exc:
            self.problem(Loc(self.display, 1, 1), f"not UTF-8 text ({exc.reason})")
            return None
        except yaml_loc.YamlError as exc:
            self.problem(exc.loc, exc.message)
            return None
        if not isinstance(self.data, LocDict):
            self.problem(Loc(self.display, 1, 1), "a spec must be a YAML mapping")
            return None
        before = len(self.problems)
        for error in validator.iter_errors(self.data):
            where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
            loc = yaml_loc.locate(self.data, list(error.absolute_path))
            self.problem(loc, f"{where}: {_schema_message(error)}")
        if len(self.problems) > before:
            return None
        sha = hashlib.sha256(raw).hexdigest()
        models = tuple(
            model for name in self.data["models"] if (model := self.model(name, sha)) is not None
        )
        self.check_examples()
        return SpecFile(
            self.display,
            self.data["family"],
            self.data["doc"],
            sha,
            models,
            url=self.data.get("url"),
            doc_loc=self.data.value_loc("doc"),
        )

    # -- pieces -----------------------------------------------------------------------------

    def source(self, raw: Any, loc: Loc) -> Source:
        if isinstance(raw, Mapping):
            return Source(raw["doc"], raw["quote"], loc)
        return Source(self.data["doc"], raw, loc)

    def modes(self) -> dict[str, Mode]:
        found = {}
        for name, raw in self.data.get("modes", {}).items():
            loc = self.data["modes"].key_loc(name)
            found[name] = Mode(name, conditions.parse(raw["when"], loc), raw["description"], loc)
        return found

    def model(self, name: str, sha: str) -> ModelSpec | None:
        before = len(self.problems)
        raw_model = self.data["models"][name]
        loc = self.data["models"].key_loc(name)
        modes = self.modes()
        mode_conditions = {mode.name: mode.when for mode in modes.values()}
        params = merge(self.data["parameters"], raw_model.get("parameters", LocDict()))
        if not isinstance(params, LocDict):  # pragma: no cover - schema guarantees a mapping
            return None
        root_raw = LocDict(
            type="object",
            properties=params,
            closed=self.data["body"]["closed"],
            source=self.data["body"]["source"],
        )
        root_raw.loc = self.data["body"].loc
        root_raw.key_locs = {
            "type": self.data["body"].loc,
            "properties": self.data.key_loc("parameters"),
            "closed": self.data["body"].key_loc("closed"),
        }
        root_raw.value_locs = dict(root_raw.key_locs)
        rules: list[Rule] = []
        body = self.parameter("body", (), root_raw, None, name, rules)
        if body is None:
            return None
        rules += self.explicit_rules(name)
        self.check_model_field(name, params)
        self.check_references(name, body, rules, modes, mode_conditions)
        if len(self.problems) > before:
            return None
        price = None
        if "price" in raw_model:
            raw_price = raw_model["price"]
            price = Price(
                raw_price["per"],
                self.source(raw_price["source"], raw_price.value_loc("source")),
                raw_price.get("amount"),
                raw_price.get("currency"),
            )
        response = raw_model["response"]
        return ModelSpec(
            name=name,
            family=self.data["family"],
            spec_path=self.display,
            spec_sha256=sha,
            doc=self.data["doc"],
            description=raw_model["description"],
            endpoint=raw_model["endpoint"],
            output=raw_model["output"],
            response=Response(response["code"], response["status"], response.get("message")),
            body=body,
            rules=tuple(rules),
            modes=tuple(modes.values()),
            examples=self.examples(name),
            unchecked=tuple(
                Unchecked(self.source(item["source"], item.loc), item["reason"])
                for item in self.data.get("unchecked", [])
            ),
            price=price,
            loc=loc,
        )

    def parameter(
        self,
        name: str,
        path: tuple[str, ...],
        raw: LocDict,
        inherited: Source | None,
        model: str,
        rules: list[Rule],
    ) -> Parameter | None:
        if "type" not in raw:
            self.problem(raw.loc, f"parameter {name!r} has no type")
            return None
        type_name = raw["type"]
        source = (
            self.source(raw["source"], raw.value_loc("source")) if "source" in raw else inherited
        )
        if source is None:
            self.problem(raw.loc, f"parameter {name!r} cites no source sentence")
            return None
        self.check_values(name, raw, type_name)
        for kind in sorted(self.kinds.values(), key=lambda k: (k.order, k.name)):
            for draft in kind.from_parameter(raw, type_name):
                cite = raw.get("cite", {})
                rule_source = (
                    self.source(cite[draft.keyword], cite.value_loc(draft.keyword))
                    if draft.keyword in cite
                    else source
                )
                rules.append(
                    Rule(
                        id=f"{model}/{_id_label(path)}-{draft.suffix}",
                        kind=kind.name,
                        path=path,
                        severity=draft.severity,
                        source=rule_source,
                        loc=raw.key_loc(draft.keyword),
                        params=draft.params,
                        message=draft.message,
                        decision=raw.get("decision"),
                    )
                )
        items = None
        if "items" in raw:
            items = self.parameter(f"{name}[]", (*path, EACH), raw["items"], source, model, rules)
        properties = []
        for key, child in raw.get("properties", {}).items():
            # a request parameter cites its own sentence; its items and fields may share it
            inherited_source = source if path else None
            built = self.parameter(key, (*path, key), child, inherited_source, model, rules)
            if built is not None:
                properties.append(built)
        return Parameter(
            name=name,
            path=path,
            type=type_name,
            description=raw.get("description", ""),
            required=raw.get("required") is True,
            loc=raw.loc,
            default=raw.get("default", MISSING),
            enum=tuple(raw["enum"]) if "enum" in raw else None,
            items=items,
            properties=tuple(properties),
        )

    def check_model_field(self, model: str, params: LocDict) -> None:
        """A ``model`` field's enum, when the spec gives one, holds the model's name alone.

        The API picks the model by that name (exactly, case and all) before any rule of the
        model runs; another value in the enum could never be sent to this model.
        """
        field = params.get("model")
        if not isinstance(field, LocDict) or "enum" not in field:
            return
        values = list(field["enum"])
        if values != [model]:
            self.problem(
                field.value_loc("enum"),
                f"the model field's enum must be [{model!r}]: the API picks model {model!r} "
                f"by that name alone, spelled as its key under models:, not {values!r}"
                + "".join(suggest(value, [model]) for value in values[:1]),
            )

    def check_values(self, name: str, raw: LocDict, type_name: str) -> None:
        """Enum values and defaults must be of the parameter's own type."""
        candidates = [("enum", v) for v in raw.get("enum", [])]
        if "default" in raw:
            candidates.append(("default", raw["default"]))
        for keyword, value in candidates:
            actual = json_type(value)
            if actual != type_name and not (type_name == "number" and actual == "integer"):
                self.problem(
                    raw.value_loc(keyword),
                    f"{keyword} value {value!r} of {name!r} is {actual}, not {type_name}"
                    + (
                        " (quote it: YAML reads some bare words as numbers)"
                        if type_name == "string"
                        else ""
                    ),
                )

    def explicit_rules(self, model: str) -> list[Rule]:
        rules = []
        raw_rules: LocList = self.data.get("rules", LocList())
        for raw in raw_rules:
            if "models" in raw:
                unknown = [m for m in raw["models"] if m not in self.data["models"]]
                for name in unknown:
                    self.problem(raw.value_loc("models"), f"rule names unknown model {name!r}")
                if model not in raw["models"]:
                    continue
            kind = self.kinds[raw["kind"]]
            params = kind.normalize({key: raw[key] for key in kind.rule_schema if key in raw})
            rules.append(
                Rule(
                    id=f"{model}/{raw['id']}",
                    kind=raw["kind"],
                    path=split_path(raw.get("path", "")),
                    severity=raw.get("severity", "error"),
                    source=self.source(raw["source"], raw.value_loc("source")),
                    loc=raw.loc,
                    params=params,
                    message=raw.get("message"),
                    when=conditions.parse(raw["when"], raw.value_loc("when"))
                    if "when" in raw
                    else None,
                    decision=raw.get("decision"),
                )
            )
        return rules

    def check_references(
        self,
        model: str,
        body: Parameter,
        rules: list[Rule],
        modes: Mapping[str, Mode],
        mode_conditions: Mapping[str, Condition],
    ) -> None:
        seen: dict[str, Loc] = {}
        for rule in rules:
            if rule.id in seen:
                self.problem(
                    rule.loc, f"rule id {rule.id!r} is used twice (also at {seen[rule.id]})"
                )
            seen[rule.id] = rule.loc
            paths = [rule.path] + [
                split_path(rule.params[key]) for key in ("other",) if key in rule.params
            ]
            paths += [split_path(p) for p in rule.params.get("paths", [])]
            if rule.when is not None:
                paths += conditions.paths(rule.when)
                for mode in conditions.mode_names(rule.when) - set(modes):
                    self.problem(rule.loc, f"rule {rule.id!r} refers to unknown mode {mode!r}")
            for path in paths:
                if _declared(body, path) is None:
                    self.problem(
                        rule.loc,
                        f"rule {rule.id!r} names /{'/'.join(path)}, "
                        f"which is not a parameter of {model}",
                    )
            for message in self.kinds[rule.kind].lint(rule):
                self.problem(rule.loc, f"rule {rule.id!r}: {message}")
        for defined in modes.values():
            for name in conditions.mode_names(defined.when) - set(mode_conditions):
                self.problem(defined.loc, f"mode {defined.name!r} refers to unknown mode {name!r}")
            if defined.name in conditions.mode_names(defined.when):
                self.problem(defined.loc, f"mode {defined.name!r} refers to itself")
            for path in conditions.paths(defined.when):
                if _declared(body, path) is None:
                    where = "/" + "/".join(path)
                    message = f"mode {defined.name!r} names {where}, not a parameter"
                    self.problem(defined.loc, message)

    def examples(self, model: str) -> tuple[Example, ...]:
        found = []
        raw_examples: LocList = self.data["examples"]
        for index, raw in enumerate(raw_examples):
            if raw["body"].get("model") != model:
                continue
            found.append(
                Example(
                    name=raw["name"],
                    body=raw["body"],
                    loc=raw_examples.item_loc(index),
                    source=self.source(raw["source"], raw.value_loc("source"))
                    if "source" in raw
                    else None,
                    substitute=raw.get("substitute", {}),
                    note=raw.get("note", ""),
                )
            )
        return tuple(found)

    def check_examples(self) -> None:
        models = self.data["models"]
        for raw in self.data["examples"]:
            name = raw["body"].get("model")
            if name not in models:
                self.problem(
                    raw["body"].value_loc("model"),
                    f"example {raw['name']!r} is for model {name!r}, "
                    "which this spec does not define" + suggest(name, list(models)),
                )


def _declared(body: Parameter, path: tuple[str, ...]) -> Parameter | None:
    node: Parameter | None = body
    for segment in path:
        if node is None:
            return None
        if segment == EACH:
            node = node.items
        else:
            node = next((p for p in node.properties if p.name == segment), None)
    return node


def _id_label(path: tuple[str, ...]) -> str:
    text = ""
    for segment in path:
        text += "[]" if segment == EACH else ("." if text else "") + segment
    return text or "body"


def _schema_message(error: jsonschema.ValidationError) -> str:
    message = str(error.message)
    if error.validator in ("unevaluatedProperties", "additionalProperties"):
        return message.replace("were unexpected", "are not allowed here").replace(
            "was unexpected", "is not allowed here"
        )
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {error.validator_value!r}"
    if error.validator in ("oneOf", "anyOf") and error.context:
        return str(jsonschema.exceptions.best_match(error.context).message)
    return message
