"""The ``python`` target: the self-contained ``apimart`` package in ``generated/apimart/``.

Per spec file, one module with each model's request ``TypedDict`` and its validator
(``validate_<model>``), emitted rule by rule through the rule kinds; the client's per-model
methods (``client.wan2_6(...)``, sync and async), typed from the same parameters; plus the
package's static support modules (the clients, tasks, errors, retries) and ``validate()``.
"""

from __future__ import annotations

import builtins
import json
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apimart_codegen import conditions
from apimart_codegen.jsonvalue import EACH, escape, pointer
from apimart_codegen.kinds.base import Code, RuleKind, literal
from apimart_codegen.spec.model import ModelSpec, Parameter, Rule, SpecFile, SpecSet
from apimart_codegen.targets.base import Files, Target, docstring, ruff_format, template_env

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
    "_report": ("_checks", "report"),
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

VERBATIM = {
    "_jsonvalue.py": "jsonvalue.py",
    "_magic.py": "magic.py",
    "_netpolicy.py": "netpolicy.py",
}
"""Generator modules the package holds a copy of (standard library and httpx only), so that
the generated code and the generator judge JSON values, file kinds and URLs the same way."""

CLIENT_MODULES: dict[str, tuple[str, ...]] = {
    "_async_client": ("AsyncClient",),
    "_client": ("Client",),
    "_errors": (
        "APIConnectionError",
        "APIMartError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "IdempotencyKeyReusedError",
        "InsufficientBalanceError",
        "InternalServerError",
        "NotFoundError",
        "PayloadTooLargeError",
        "PermissionDeniedError",
        "RateLimitError",
        "ResponseTooLargeError",
        "TaskFailedError",
        "UnexpectedResponseError",
        "UnsafeURLError",
        "WaitTimeoutError",
    ),
    "_handles": ("AsyncTaskHandle", "TaskHandle"),
    "_tasks": ("Media", "Task", "TaskError", "TaskResult", "TaskStatus", "parse_webhook"),
    "_uploads": ("UploadedImage",),
}
"""The client's public names, by module: the package imports them when first used, so
``import apimart`` to validate never imports httpx."""

CLIENT_EXPORTS = tuple(sorted(name for names in CLIENT_MODULES.values() for name in names))


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


def _bare(text: str) -> str:
    """A literal without the parentheses that hold a long string's pieces together."""
    return text[1:-1] if text.startswith("(") else text


class _Node:
    """A place in the request body that per-value rules judge: the rules judging it, in spec
    order, and the places below it (object keys, or ``EACH`` for the items of an array)."""

    def __init__(self, path: tuple[str, ...]) -> None:
        self.path = path
        self.rules: list[Rule] = []
        self.children: dict[str, _Node] = {}

    def add(self, rule: Rule) -> None:
        node = self
        for depth, segment in enumerate(rule.path):
            node = node.children.setdefault(segment, _Node(rule.path[: depth + 1]))
        node.rules.append(rule)


LINE_LENGTH = 100

NEEDS = {EACH: "isinstance(value, list)"}
"""The type test a child place needs of its parent: items need an array, keys an object."""
OBJECT_TEST = "isinstance(value, dict)"


class _Validator:
    """The body of one model's validator: each place of the body fetched once, its type
    tested once, its rules inside that branch; the rules over several fields after them.
    """

    def __init__(
        self,
        model: ModelSpec,
        kinds: Mapping[str, RuleKind],
        modes: dict[str, str],
        patterns: dict[str, str],
        finish: str,
        preamble: list[str],
    ) -> None:
        self.preamble = preamble
        """Statements run once the body is known to be an object (the modes)."""
        self.returns_early = False
        self.kinds = kinds
        self.modes = modes
        self.patterns = patterns
        self.finish = finish
        self.names: set[str] = set()
        self.root = _Node(())
        self.cross: list[Rule] = []
        for rule in model.rules:
            if kinds[rule.kind].per_value:
                self.root.add(rule)
            else:
                self.cross.append(rule)

    def lines(self) -> list[str]:
        lines = ["value = payload", *self._node(self.root, literal(""), "", 1)]
        if not self.returns_early:  # the body may be no object: the preamble copes with that
            lines = [*self.preamble, *lines]
        for rule in self.cross:
            lines += self._rule(rule, self.kinds[rule.kind].emit(rule, self._code(rule, "", 1)))
        lines.append(self.finish)
        # no blank line opens a block; a comment too long for its depth takes two lines
        tidy: list[str] = []
        for n, line in enumerate(lines):
            if not line and lines[n - 1].endswith(":"):
                continue
            if line.lstrip().startswith("# ") and len(line) > LINE_LENGTH - 4:
                pad = line[: len(line) - len(line.lstrip())]
                rule, where = line.lstrip().split(" (", 1)
                tidy += [f"{pad}{rule}", f"{pad}# ({where}"]
                continue
            tidy.append(line)
        return tidy

    def _rule(self, rule: Rule, code: list[str]) -> list[str]:
        """A rule's code under its comment (id and spec line), inside its ``when``."""
        if rule.when is not None:
            code = [f"if {conditions.emit(rule.when, self.modes)}:", *_indent(code, 1)]
        return ["", f"# {rule.id} ({rule.loc.file}:{rule.loc.line})", *code]

    def _code(self, rule: Rule, at: str, depth: int, *, established: str | None = None) -> Code:
        """``depth``: the indentation level the rule's code starts at, inside the function."""
        depth += rule.when is not None
        # a message sits three levels below its rule's `if`, in pieces that leave room for it
        width = min(60, LINE_LENGTH - 4 * (depth + 4) - 8)
        return Code(rule, at=at, established=established, patterns=self.patterns, width=width)

    def _name(self, path: tuple[str, ...]) -> str:
        """A variable for the value at ``path``: ``body``, ``image_urls``, ``image_urls_item``."""
        words = [("item" if s == EACH else s) for s in path] or ["body"]
        base = python_name("_".join(words), prefix="field_", reserved=RESERVED)
        if re.fullmatch(r"(i|node)[0-9]+|mode_\w*", base):
            base += "_"  # the names of indexes, of reach()'s nodes and of modes
        name, n = base, 1
        while name in self.names:
            n += 1
            name = f"{base}_{n}"
        self.names.add(name)
        return name

    def _node(self, node: _Node, at: str, pointer_text: str, depth: int) -> list[str]:
        """The code judging the value bound to ``value``, whose pointer is ``at``; ``depth``
        is the indentation level it goes at."""
        dispatch = None
        for rule in node.rules:
            if rule.when is None:
                found = self.kinds[rule.kind].dispatch(rule, self._code(rule, at, depth))
                if found is not None:
                    dispatch = (rule, found)
                    break
        test = dispatch[1][0] if dispatch else None
        # the body itself, dispatched on being an object: a body that is none is refused and
        # judged no further, so its fields are checked at the top level of the function
        flat = not node.path and test == OBJECT_TEST
        inner = depth if flat else depth + 1
        typed: list[str] = []
        lines: list[str] = []
        for rule in node.rules:
            if dispatch and rule is dispatch[0]:
                continue
            code = self._code(rule, at, inner, established=test)
            emitted = self._rule(rule, self.kinds[rule.kind].emit(rule, code))
            if not code.typed:  # the rule is not guarded by the dispatched type
                emitted = self._rule(
                    rule, self.kinds[rule.kind].emit(rule, self._code(rule, at, depth))
                )
            (typed if code.typed else lines).extend(emitted)
        needs = {NEEDS.get(segment, OBJECT_TEST) for segment in node.children}
        inside = bool(node.children) and needs == {test}
        if node.children and not inside:
            parent = self._name(node.path)
            lines += [
                f"{parent} = value",
                *self._children(node, parent, pointer_text, depth, narrowed=False),
            ]
        if dispatch is None:
            return lines
        rule, (test, other, refuse) = dispatch
        if inside:
            parent = self._name(node.path)
            typed += [
                f"{parent} = value",
                *self._children(node, parent, pointer_text, inner, narrowed=True),
            ]
        refused = self._rule(rule, refuse)[1:]
        if flat:  # not even null: a body that is no object is judged no further
            self.returns_early = True
            refusal = [f"if not {test}:", *_indent([*refused, self.finish], 1)]
            return [*refusal, *self.preamble, *lines, *typed]
        if not typed:
            code = self._code(rule, at, depth)
            return lines + self._rule(rule, self.kinds[rule.kind].emit(rule, code))
        return [*lines, f"if {test}:", *_indent(typed, 1), other, *_indent(refused, 1)]

    def _children(
        self, node: _Node, parent: str, pointer_text: str, depth: int, *, narrowed: bool
    ) -> list[str]:
        """The places below ``node``, whose value ``parent`` holds (``narrowed``: known to
        be of the type they need); ``depth`` is the indentation level of this code."""
        lines: list[str] = []
        for segment, child in node.children.items():
            if segment == EACH:
                index = f"i{len(child.path)}"
                text = f"{pointer_text}/{{{index}}}"
                head = [f"for {index}, value in enumerate({parent}):"]
                if not narrowed:
                    head = [f"if isinstance({parent}, list):", *_indent(head, 1)]
            else:
                key = literal(segment)
                text = pointer_text + "/" + escape(segment).replace("{", "{{").replace("}", "}}")
                guard = f"{key} in {parent}"
                if not narrowed:
                    guard = f"isinstance({parent}, dict) and {guard}"
                head = [f"if {guard}:", f"    value = {parent}[{key}]"]
            at = f'f"{text}"' if EACH in child.path else literal(pointer(child.path))
            inner = 2 if segment == EACH and not narrowed else 1
            body = self._node(child, at, text, depth + inner)
            lines += ["", *head, *_indent(body, inner)] if body else []
        return lines


RESERVED = frozenset(
    {"payload", "value", "errors", "warnings", "key", "found", "total", "other", "expected"}
    | {"refused", "sides", "at", "parent", "Report", "Violation", "Mapping"}
    | set(dir(builtins))
)
"""Names the validators use themselves: no place of the body may take them."""


class PythonTarget(Target):
    name = "python"
    owns = (PACKAGE,)

    def render(self, specs: SpecSet, kinds: Mapping[str, RuleKind]) -> Files:
        env = template_env(HERE / "templates")
        files: Files = {}
        families: list[dict[str, Any]] = []
        methods: list[ModelMethod] = []
        patterns: dict[str, str] = {}  # pattern -> name, shared by every family (_patterns.py)
        for spec in specs.files:
            module = module_name(spec)
            models = [self._model(model, kinds, patterns) for model in spec.models]
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
            compiled = [name for name in patterns.values() if re.search(rf"\b{name}\b", body)]
            if compiled:
                imports["_patterns"] = compiled
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
            "lazy": [
                (module, sorted(names, key=_export_order))
                for module, names in CLIENT_MODULES.items()
            ],
        }
        files[f"{PACKAGE}/_patterns.py"] = env.get_template("_patterns.py.j2").render(
            patterns=[(name, _bare(literal(pattern))) for pattern, name in patterns.items()]
        )
        for template in ("__init__.py", "_validate.py", "_report.py", "_checks.py", *STATIC):
            files[f"{PACKAGE}/{template}"] = env.get_template(f"{template}.j2").render(context)
        for name, is_async in (("_model_methods.py", False), ("_async_model_methods.py", True)):
            context = _methods_module(methods, specs, is_async=is_async)
            files[f"{PACKAGE}/{name}"] = env.get_template("model_methods.py.j2").render(context)
        for copy, original in VERBATIM.items():
            shared = (Path(__file__).parents[2] / original).read_text(encoding="utf-8")
            files[f"{PACKAGE}/{copy}"] = (
                f"# Copied verbatim from generator/apimart_codegen/{original} by apimart"
                " generate. Do not edit.\n" + shared
            )
        files[f"{PACKAGE}/py.typed"] = ""
        return ruff_format(files)

    def _model(
        self, model: ModelSpec, kinds: Mapping[str, RuleKind], patterns: dict[str, str]
    ) -> dict[str, Any]:
        annotations = _Annotations(model)
        request = annotations.request()
        mode_vars = {mode.name: "mode_" + re.sub(r"\W+", "_", mode.name) for mode in model.modes}
        mode_defs = {mode.name: mode.when for mode in model.modes}
        used_modes: set[str] = set()
        for rule in model.rules:
            if rule.when is not None:
                used_modes |= conditions.mode_names(rule.when)
        modes = [
            {"var": mode_vars[name], "expr": conditions.emit(mode_defs[name], mode_vars)}
            for name in _mode_order(model, used_modes)
        ]
        order = "_RULE_ORDER_" + model.identifier.upper()
        finish = f"return _report({literal(model.name)}, errors, warnings, {order})"
        preamble = [f"{mode['var']} = {mode['expr']}" for mode in modes]
        body = _Validator(model, kinds, mode_vars, patterns, finish, preamble).lines()
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
            "body": "\n".join(_indent(body, 1)),
            "order": [literal(rule.id) for rule in model.rules],
            "order_name": order,
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
