"""The ``python`` target: the self-contained ``apimart`` package in ``generated/apimart/``.

Per spec file, one module with each model's request ``TypedDict`` and its validator
(``validate_<model>``), emitted rule by rule through the rule kinds; plus the package's
static support modules and the ``validate()`` entry point.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator import conditions
from generator.kinds.base import Code, RuleKind, literal
from generator.spec.model import ModelSpec, Parameter, SpecFile, SpecSet
from generator.targets.base import Files, Target, docstring, ruff_format, template_env

HERE = Path(__file__).parent
PACKAGE = "apimart"

HELPERS = {
    "_walk": ("_jsonvalue", "walk"),
    "_get": ("_jsonvalue", "get"),
    "_escape": ("_jsonvalue", "escape"),
    "_is_present": ("_jsonvalue", "is_present"),
    "_is_int": ("_jsonvalue", "is_int"),
    "_is_int_list": ("_jsonvalue", "is_int_list"),
    "_is_number": ("_jsonvalue", "is_number"),
    "_json_equal": ("_jsonvalue", "json_equal"),
    "_json_type": ("_jsonvalue", "json_type"),
    "_show": ("_jsonvalue", "show"),
    "_suggest": ("_jsonvalue", "suggest"),
    "_suggest_key": ("_jsonvalue", "suggest_key"),
    "_fail": ("_checks", "fail"),
    "_got": ("_checks", "got"),
    "_hundredths_total": ("_checks", "hundredths_total"),
}


def camel(name: str) -> str:
    """``wan2.7-image-pro`` → ``Wan27ImagePro``; ``image_with_roles`` → ``ImageWithRoles``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9a-zA-Z]+", name) if part)


def module_name(spec: SpecFile) -> str:
    return "_" + re.sub(r"[^0-9a-z]+", "_", spec.family.lower()).strip("_")


@dataclass(frozen=True)
class TypedDictField:
    name: str
    annotation: str
    doc: str


@dataclass(frozen=True)
class TypedDictClass:
    name: str
    doc: str
    fields: tuple[TypedDictField, ...]


class _Annotations:
    """Builds the TypedDicts of one model's request body, nested objects first."""

    def __init__(self, model: ModelSpec) -> None:
        self.model = model
        self.classes: list[TypedDictClass] = []

    def request(self) -> str:
        name = f"{camel(self.model.name)}Request"
        doc = f"The request body of {self.model.name}. {self.model.description}"
        self._object(name, self.model.body, doc)
        return name

    def _object(self, name: str, param: Parameter, doc: str) -> None:
        fields = []
        for child in param.properties:
            annotation = self.annotation(child, f"{name.removesuffix('Request')}{camel(child.name)}")
            if child.required:
                annotation = f"Required[{annotation}]"
            text = child.description
            if child.has_default:
                text += f" Default: {json.dumps(child.default, ensure_ascii=False)}."
            fields.append(TypedDictField(child.name, annotation, docstring(text)))
        self.classes.append(TypedDictClass(name, docstring(doc), tuple(fields)))

    def annotation(self, param: Parameter, name: str) -> str:
        if param.enum is not None:
            return f"Literal[{', '.join(literal(v) for v in param.enum)}]"
        if param.type == "array":
            assert param.items is not None, f"array parameter {param.name} has no items"
            return f"list[{self.annotation(param.items, name + 'Item')}]"
        if param.type == "object":
            if not param.properties:
                return "dict[str, object]"
            self._object(name, param, param.description or f"One {param.name} entry.")
            return name
        return {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}[param.type]


def _mode_order(model: ModelSpec, used: set[str]) -> list[str]:
    """The modes the rules use, and those they are defined from, dependencies first."""
    by_name = {mode.name: mode for mode in model.modes}
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for dependency in sorted(conditions.mode_names(by_name[name].when)):
            visit(dependency)
        order.append(name)

    for name in sorted(used):
        visit(name)
    return order


def _indent(lines: list[str], depth: int) -> list[str]:
    return [("    " * depth + line) if line else line for line in lines]


class PythonTarget(Target):
    name = "python"
    owns = (PACKAGE,)

    def render(self, specs: SpecSet, kinds: Mapping[str, RuleKind]) -> Files:
        env = template_env(HERE / "templates")
        files: Files = {}
        families = []
        for spec in specs.files:
            module = module_name(spec)
            models = [self._model(model, kinds) for model in spec.models]
            body = env.get_template("family.py.j2").render(spec=spec, models=models)
            used = sorted(name for name in HELPERS if re.search(rf"\b{name}\b", body))
            imports: dict[str, list[str]] = {}
            for name in used:
                source, original = HELPERS[name]
                imports.setdefault(source, []).append(f"{original} as {name}")
            header = env.get_template("header.j2").render(
                spec=spec, imports=sorted(imports.items()), uses_re="_re." in body
            )
            files[f"{PACKAGE}/{module}.py"] = header + body
            families.append({"module": module, "models": models})
        exports = ["MODELS", "ModelInfo", "Report", "ValidationError", "Violation", "validate"]
        exports += [m[key] for f in families for m in f["models"] for key in ("request", "function")]
        context = {"families": families, "exports": sorted(exports)}
        for template in ("__init__.py", "_validate.py", "_report.py", "_checks.py"):
            files[f"{PACKAGE}/{template}"] = env.get_template(f"{template}.j2").render(context)
        shared = (Path(__file__).parents[2] / "jsonvalue.py").read_text(encoding="utf-8")
        files[f"{PACKAGE}/_jsonvalue.py"] = (
            "# Copied verbatim from generator/jsonvalue.py by apimart generate. Do not edit.\n"
            + shared
        )
        files[f"{PACKAGE}/py.typed"] = ""
        return ruff_format(files)

    def _model(self, model: ModelSpec, kinds: Mapping[str, RuleKind]) -> dict[str, object]:
        annotations = _Annotations(model)
        request = annotations.request()
        mode_vars = {mode.name: "mode_" + re.sub(r"\W+", "_", mode.name) for mode in model.modes}
        mode_defs = {mode.name: mode.when for mode in model.modes}
        used_modes: set[str] = set()
        rules = []
        for rule in model.rules:
            kind = kinds[rule.kind]
            lines = kind.emit(rule, Code(rule))
            if kind.per_value:
                lines = [f"for at, value in _walk(payload, {literal(rule.path)}):", *_indent(lines, 1)]
            if rule.when is not None:
                used_modes |= conditions.mode_names(rule.when)
                lines = [f"if {conditions.emit(rule.when, mode_vars)}:", *_indent(lines, 1)]
            where = f"{rule.loc.file}:{rule.loc.line}"
            rules.append({"id": rule.id, "where": where, "code": "\n".join(_indent(lines, 1))})
        modes = [
            {"var": mode_vars[name], "expr": conditions.emit(mode_defs[name], mode_vars)}
            for name in _mode_order(model, used_modes)
        ]
        return {
            "name": literal(model.name),
            "plain_name": model.name,
            "identifier": model.identifier,
            "function": f"validate_{model.identifier}",
            "request": request,
            "typeddicts": annotations.classes,
            "doc": docstring(
                f"Every violation and warning of a {model.name} request body, checked against "
                f"the {len(model.rules)} rules of {model.spec_path}."
            ),
            "modes": modes,
            "rules": rules,
            "info": {
                "family": literal(model.family),
                "endpoint": literal(model.endpoint),
                "output": literal(model.output),
                "modes": literal([[mode.name, mode.description] for mode in model.modes]),
                "spec": literal(model.spec_path),
                "rules": len(model.rules),
            },
        }


TARGET = PythonTarget()
