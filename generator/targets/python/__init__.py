"""The ``python`` target: the self-contained ``apimart`` package in ``generated/apimart/``.

Per spec file, one module with each model's request ``TypedDict`` and its validator
(``validate_<model>``), emitted rule by rule through the rule kinds; the client's per-model
methods (``client.wan2_6(...)``, sync and async), typed from the same parameters; plus the
package's static support modules (the clients, tasks, errors, retries) and ``validate()``.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import conditions
from generator.jsonvalue import EACH, escape, pointer
from generator.kinds.base import Code, RuleKind, literal
from generator.spec.model import ModelSpec, Parameter, Rule, SpecFile, SpecSet
from generator.targets.base import Files, Target, docstring, ruff_format, template_env

HERE = Path(__file__).parent
PACKAGE = "apimart"

HELPERS = {
    "_walk": ("_jsonvalue", "walk"),
    "_MISSING": ("_jsonvalue", "MISSING"),
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
    "_data_uri_problem": ("_checks", "data_uri_problem"),
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
    bare: str
    """The annotation without ``Required[...]``."""


@dataclass(frozen=True)
class TypedDictClass:
    name: str
    doc: str
    fields: tuple[TypedDictField, ...]

    @property
    def functional(self) -> bool:
        """A field named like a Python keyword (``from``) needs the call form of TypedDict."""
        return any(keyword.iskeyword(field.name) for field in self.fields)

    @property
    def keys(self) -> list[str]:
        return [literal(field.name) for field in self.fields]


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
            bare = self.annotation(child, f"{name.removesuffix('Request')}{camel(child.name)}")
            annotation = f"Required[{bare}]" if child.required else bare
            field_doc = docstring(_described(child))
            fields.append(TypedDictField(child.name, annotation, field_doc, bare))
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


def _described(param: Parameter) -> str:
    """A parameter's description, with its default when the spec gives one."""
    if not param.has_default:
        return param.description
    return f"{param.description} Default: {json.dumps(param.default, ensure_ascii=False)}."


def python_name(name: str, *, prefix: str, reserved: frozenset[str]) -> str:
    """A spec name as a Python identifier that is no keyword and no name in ``reserved``."""
    ident = re.sub(r"\W", "_", name, flags=re.ASCII)
    if not ident or ident[0].isdigit():
        ident = prefix + ident
    if keyword.iskeyword(ident) or ident in reserved:
        ident += "_"
    return ident


CLIENT_MEMBERS = frozenset(
    {
        "submit",
        "get",
        "wait",
        "generate_and_wait",
        "download",
        "upload_image",
        "close",
        "aclose",
        "base_url",
    }
)
"""What Client and AsyncClient define themselves: no model method may take these names."""

METHOD_OPTIONS = frozenset(
    {
        "self",
        "extra_body",
        "validate",
        "idempotency_key",
        "timeout",
        "extra_headers",
        "fields",
        "body",
    }
)
"""Names a model method uses itself: no spec parameter may take them as argument names."""

DOC_WIDTH = 96


def _unquoted(text: str, *, hang: str) -> str:
    """``text`` escaped and wrapped by docstring(), without its quotes; lines after the first
    are indented by ``hang``. Pieces made this way join into one safe docstring literal."""
    inner = docstring(text, indent=hang, width=DOC_WIDTH)[3:-3]
    return inner.rstrip() if "\n" in inner else inner


def doc_sections(summary: str, sections: list[tuple[str, list[str]]], *, indent: str) -> str:
    """A Google-style docstring literal: a summary, then titled sections of items.

    Every piece of text goes through docstring(), which escapes it; the pieces are joined
    only with newlines and indentation, which cannot end the literal or inject code.
    """
    parts = [_unquoted(summary, hang=indent)]
    for title, items in sections:
        lines = [indent + _unquoted(title, hang=indent)]
        lines += [indent + "    " + _unquoted(item, hang=indent + "        ") for item in items]
        parts.append("\n".join(lines))
    return '"""' + "\n\n".join(parts) + "\n" + indent + '"""'


@dataclass(frozen=True)
class MethodArgument:
    name: str
    key: str
    annotation: str
    default: str


@dataclass(frozen=True)
class ModelMethod:
    """One model's client method: its name, typed arguments, docstring and the types it uses."""

    name: str
    model: str
    args: tuple[MethodArgument, ...]
    doc: str
    module: str
    imports: tuple[str, ...]

    @property
    def uses_literal(self) -> bool:
        return any("Literal[" in arg.annotation for arg in self.args)


def _method(
    model: ModelSpec, request: str, classes: list[TypedDictClass], module: str
) -> ModelMethod:
    """A model's client method, its arguments typed like the fields of its request TypedDict."""
    fields = {f.name: f for td in classes if td.name == request for f in td.fields}
    taken: set[str] = set()
    arguments, items = [], []
    params = sorted(
        (p for p in model.parameters if p.name != "model"), key=lambda p: not p.required
    )
    for param in params:
        name = python_name(param.name, prefix="field_", reserved=METHOD_OPTIONS | taken)
        taken.add(name)
        bare = fields[param.name].bare
        annotation, default = (bare, "") if param.required else (f"{bare} | None", " = None")
        arguments.append(MethodArgument(name, literal(param.name), annotation, default))
        items.append(f"{name}: {_described(param)}")
    items += [
        "extra_body: Fields sent as they are, beside the documented ones (they win on a clash).",
        f"validate: Check the body against the {len(model.rules)} rules of {model.spec_path} "
        "before sending (ValidationError on errors, nothing sent); False sends it unchecked.",
        "idempotency_key: The POST's Idempotency-Key; default: a new uuid4, reused by retries.",
        "timeout: This call's timeout (seconds, httpx.Timeout, None for none); default: the "
        "client's.",
        "extra_headers: Headers added to this call (the client's own headers win).",
    ]
    sections = []
    if model.modes:
        sections.append(("Modes:", [f"{mode.name}: {mode.description}" for mode in model.modes]))
    sections.append(("Args:", items))
    sections.append(("Returns:", ["The accepted task's handle; its wait() polls until it ends."]))
    used = tuple(
        sorted(
            td.name
            for td in classes
            if td.name != request
            and any(re.search(rf"\b{td.name}\b", a.annotation) for a in arguments)
        )
    )
    summary = f"Submit a {model.name} task. {model.description}"
    return ModelMethod(
        name=python_name(model.identifier, prefix="model_", reserved=CLIENT_MEMBERS),
        model=literal(model.name),
        args=tuple(arguments),
        doc=doc_sections(summary, sections, indent="        "),
        module=module,
        imports=used,
    )


def _methods_module(
    methods: list[ModelMethod], specs: SpecSet, *, is_async: bool
) -> dict[str, object]:
    """The context of ``_model_methods.py`` (sync) or ``_async_model_methods.py``."""
    imports: dict[str, list[str]] = {}
    for method in methods:
        if method.imports:
            imports.setdefault(method.module, []).extend(method.imports)
    kind = "coroutine" if is_async else "method"
    return {
        "module_doc": docstring(
            f"One {kind} per model, generated from the specs: keyword arguments typed from the "
            "model's parameters, documented from its page, validated locally, then submitted. "
            f"From {', '.join(spec.path for spec in specs.files)}.",
            indent="",
        ),
        "typing_names": ["Literal"] if any(method.uses_literal for method in methods) else [],
        "imports": sorted((module, sorted(names)) for module, names in imports.items()),
        "handle": "AsyncTaskHandle" if is_async else "TaskHandle",
        "class_name": "AsyncModelMethods" if is_async else "ModelMethods",
        "class_doc": docstring(
            f"The per-model {kind}s of {'AsyncClient' if is_async else 'Client'}; each builds "
            "a request body from its arguments and submits it.",
            indent="    ",
        ),
        "def_": "async def" if is_async else "def",
        "await_": "await " if is_async else "",
        "methods": methods,
    }


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


VALIDATION_EXPORTS = ("MODELS", "ModelInfo", "Report", "ValidationError", "Violation", "validate")

STATIC = (
    "_errors.py",
    "_tasks.py",
    "_wire.py",
    "_retry.py",
    "_http.py",
    "_uploads.py",
    "_downloads.py",
    "_handles.py",
    "_client.py",
    "_async_client.py",
)
"""The client's support modules: templates without variables."""

CLIENT_EXPORTS = (
    "APIConnectionError",
    "APIMartError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncTaskHandle",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "IdempotencyKeyReusedError",
    "InsufficientBalanceError",
    "InternalServerError",
    "Media",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "Task",
    "TaskError",
    "TaskFailedError",
    "TaskHandle",
    "TaskResult",
    "TaskStatus",
    "UnexpectedResponseError",
    "UploadedImage",
    "WaitTimeoutError",
    "parse_webhook",
)


def _example_call(models: tuple[ModelSpec, ...], methods: list[ModelMethod]) -> str:
    """A call for the docs' examples: the first model needing nothing but a prompt."""
    for model, method in zip(models, methods, strict=True):
        required = {p.name for p in model.parameters if p.required} - {"model"}
        if required <= {"prompt"} and model.parameter("prompt") is not None:
            return f'{method.name}(prompt="a red kite over a grey sea")'
    return 'submit({"model": "...", "prompt": "a red kite over a grey sea"})'


def _export_order(name: str) -> tuple[int, str]:
    """isort's order, which ruff holds ``__all__`` to: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def _reach(path: tuple[str, ...]) -> tuple[list[str], str, int]:
    """Statements binding ``value`` to each value ``path`` reaches: (lines, the value's JSON
    Pointer as a Python expression, the depth at which code using ``value`` goes).

    The same walk as ``_jsonvalue.walk`` (keys of objects, items of arrays, nothing through
    a value of the wrong type), written out so that no generator runs and no pointer is
    built unless a violation is reported.
    """
    if not path:
        return ["value = payload"], literal(""), 0
    lines: list[str] = []
    node, depth, pointer_text = "payload", 0, ""
    for level, segment in enumerate(path):
        target = "value" if level == len(path) - 1 else f"node{level}"
        pad = "    " * depth
        if segment == EACH:
            lines += [
                f"{pad}if isinstance({node}, list):",
                f"{pad}    for i{level}, {target} in enumerate({node}):",
            ]
            pointer_text += f"/{{i{level}}}"
            depth += 2
        else:
            key = literal(segment)
            lines += [
                f"{pad}if isinstance({node}, dict) and {key} in {node}:",
                f"{pad}    {target} = {node}[{key}]",
            ]
            pointer_text += "/" + escape(segment).replace("{", "{{").replace("}", "}}")
            depth += 1
        node = target
    at = f'f"{pointer_text}"' if EACH in path else literal(pointer(path))
    return lines, at, depth


class PythonTarget(Target):
    name = "python"
    owns = (PACKAGE,)

    def render(self, specs: SpecSet, kinds: Mapping[str, RuleKind]) -> Files:
        env = template_env(HERE / "templates")
        files: Files = {}
        families: list[dict[str, Any]] = []
        methods: list[ModelMethod] = []
        for spec in specs.files:
            module = module_name(spec)
            models = [self._model(model, kinds) for model in spec.models]
            methods += [
                _method(model, context["request"], context["typeddicts"], module)
                for model, context in zip(spec.models, models, strict=True)
            ]
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
        exports = [*VALIDATION_EXPORTS, *CLIENT_EXPORTS]
        exports += [m[k] for f in families for m in f["models"] for k in ("request", "function")]
        context = {
            "families": families,
            "exports": sorted(exports, key=_export_order),
            "example_call": _example_call(specs.models, methods),
        }
        for template in ("__init__.py", "_validate.py", "_report.py", "_checks.py", *STATIC):
            files[f"{PACKAGE}/{template}"] = env.get_template(f"{template}.j2").render(context)
        for name, is_async in (("_model_methods.py", False), ("_async_model_methods.py", True)):
            context = _methods_module(methods, specs, is_async=is_async)
            files[f"{PACKAGE}/{name}"] = env.get_template("model_methods.py.j2").render(context)
        shared = (Path(__file__).parents[2] / "jsonvalue.py").read_text(encoding="utf-8")
        files[f"{PACKAGE}/_jsonvalue.py"] = (
            "# Copied verbatim from generator/jsonvalue.py by apimart generate. Do not edit.\n"
            + shared
        )
        files[f"{PACKAGE}/py.typed"] = ""
        return ruff_format(files)

    @staticmethod
    def _emit(rule: Rule, kind: RuleKind) -> list[str]:
        """A rule's code; a per-value kind judges each value its path reaches."""
        if not kind.per_value:
            return kind.emit(rule, Code(rule))
        reach, at, depth = _reach(rule.path)
        return [*reach, *_indent(kind.emit(rule, Code(rule, at=at)), depth)]

    def _model(self, model: ModelSpec, kinds: Mapping[str, RuleKind]) -> dict[str, Any]:
        annotations = _Annotations(model)
        request = annotations.request()
        mode_vars = {mode.name: "mode_" + re.sub(r"\W+", "_", mode.name) for mode in model.modes}
        mode_defs = {mode.name: mode.when for mode in model.modes}
        used_modes: set[str] = set()
        rules = []
        for rule in model.rules:
            kind = kinds[rule.kind]
            lines = self._emit(rule, kind)
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
