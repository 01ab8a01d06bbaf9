"""The generated client's shape comes from the specs: method and argument names, types,
defaults and docs; the package stays self-contained; hostile spec text cannot inject code."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import apimart
import pytest

from apimart_codegen import paths
from apimart_codegen.kinds import RULE_KINDS
from apimart_codegen.spec.loader import load_specs
from apimart_codegen.spec.model import ModelSpec, SpecSet
from apimart_codegen.targets.python import TARGET, python_name

GENERATED = paths.generated_dir() / "apimart"
OPTIONS = ["extra_body", "validate", "idempotency_key", "timeout", "extra_headers"]


@pytest.fixture(scope="module")
def specs() -> SpecSet:
    return load_specs(paths.specs_dir())


def hints(client: type, method: str) -> dict[str, Any]:
    return typing.get_type_hints(getattr(client, method))


@pytest.mark.parametrize("client", [apimart.Client, apimart.AsyncClient])
def test_every_model_has_a_method_whose_arguments_are_its_parameters(
    specs: SpecSet, client: type
) -> None:
    for model in specs.models:
        method = getattr(client, model.identifier)
        signature = inspect.signature(method)
        params = [p for p in model.parameters if p.name != "model"]
        expected = [p.name for p in params if p.required] + [
            p.name for p in params if not p.required
        ]
        assert list(signature.parameters) == ["self", *expected, *OPTIONS], model.name
        for param in params:
            argument = signature.parameters[param.name]
            assert argument.kind is inspect.Parameter.KEYWORD_ONLY
            assert (argument.default is inspect.Parameter.empty) is param.required
        assert inspect.iscoroutinefunction(method) is (client is apimart.AsyncClient)


def test_enum_parameters_are_literal_annotations_with_the_spec_values(specs: SpecSet) -> None:
    checked = 0
    for model in specs.models:
        types = hints(apimart.Client, model.identifier)
        for param in model.parameters:
            if param.enum is None or param.name == "model":
                continue
            annotation = types[param.name]
            literal = next(a for a in typing.get_args(annotation) if a is not type(None))
            assert typing.get_origin(literal) is typing.Literal
            assert set(typing.get_args(literal)) == set(param.enum)
            # typing caches Literals ignoring order; the source keeps the spec's order:
            source = getattr(apimart.Client, model.identifier).__annotations__[param.name]
            values = ast.literal_eval(ast.parse(source, mode="eval").body.left.slice)
            assert tuple(values) == param.enum
            checked += 1
    assert checked == sum(
        1 for m in specs.models for p in m.parameters if p.enum and p.name != "model"
    )
    assert checked >= 10
    resolution = hints(apimart.Client, "wan2_6")["resolution"]
    assert resolution == typing.Optional[typing.Literal["720p", "1080p"]]  # noqa: UP045


def test_list_and_object_parameters_are_typed_from_their_items() -> None:
    r2v = hints(apimart.Client, "wan2_7_r2v")
    (items,) = typing.get_args(typing.get_args(r2v["image_with_roles"])[0])
    assert items.__name__ == "Wan27R2vImageWithRolesItem"
    assert list(items.__annotations__) == ["url", "role", "reference_voice"]
    assert hints(apimart.Client, "viduq3")["image_urls"] == list[str]
    assert hints(apimart.Client, "wan2_6")["return"] is apimart.TaskHandle
    assert hints(apimart.AsyncClient, "wan2_6")["return"] is apimart.AsyncTaskHandle


def test_docstrings_carry_the_spec_descriptions_and_defaults(specs: SpecSet) -> None:
    for model in specs.models:
        doc = " ".join((inspect.getdoc(getattr(apimart.Client, model.identifier)) or "").split())
        assert " ".join(model.description.split()) in doc
        for param in model.parameters:
            if param.name == "model":
                continue
            assert f"{param.name}: {' '.join(param.description.split())}" in doc
            if param.has_default:
                assert f"Default: {json.dumps(param.default)}." in doc
        for mode in model.modes:
            assert f"{mode.name}: {' '.join(mode.description.split())}" in doc


def test_all_is_sorted_and_names_exactly_the_public_objects() -> None:
    names = apimart.__all__
    order = sorted(names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
    assert names == order
    assert len(set(names)) == len(names)
    for name in names:
        value = getattr(apimart, name)
        assert name == "MODELS" or value.__module__.startswith("apimart._"), name
    public = {n for n in vars(apimart) if not n.startswith("_")}
    assert public - set(names) == set()


def test_importing_apimart_loads_neither_the_generator_nor_its_dependencies() -> None:
    code = (
        "import sys, json, apimart\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=GENERATED.parent,
    )
    loaded = set(json.loads(result.stdout))
    generator = {"apimart_codegen", "generator", "yaml", "jinja2", "jsonschema", "ruff"}
    assert generator & loaded == set()
    # httpx comes with the client, on first use (tests/test_startup.py)
    assert "apimart" in loaded and "httpx" not in loaded


def test_the_generated_package_imports_only_the_standard_library_and_httpx() -> None:
    roots = set()
    for path in GENERATED.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots.add(node.module.split(".")[0])
    # httpcore is httpx's own transport layer (installed with it): _netpolicy wraps its
    # network backend to put an overall deadline on every request
    assert roots - set(sys.stdlib_module_names) == {"apimart", "httpx", "httpcore"}


# -- names and hostile text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "prefix", "reserved", "expected"),
    [
        ("wan2_6", "model_", set(), "wan2_6"),
        ("2x", "model_", set(), "model_2x"),
        ("class", "field_", set(), "class_"),
        ("validate", "field_", {"validate"}, "validate_"),
        ("a-b.c", "field_", set(), "a_b_c"),
        ("submit", "model_", {"submit"}, "submit_"),
    ],
)
def test_python_names_are_identifiers_clear_of_keywords_and_the_clients_own(
    name: str, prefix: str, reserved: set[str], expected: str
) -> None:
    assert python_name(name, prefix=prefix, reserved=frozenset(reserved)) == expected


HOSTILE = 'Ends """ early; import os; os._exit(7) # \\ \\" {{ x }} {% if y %} é ✓ \u0000 tail"'
HOSTILE_LINES = '\n"""\nraise SystemExit(9)\n"""\n\'\'\''


def _hostile(model: ModelSpec) -> ModelSpec:
    params = []
    for param in model.body.properties:
        changes: dict[str, Any] = {"description": HOSTILE + " " + HOSTILE_LINES}
        if param.name == "seed":
            changes["name"] = "validate"
        if param.enum is not None and param.name != "model":
            changes["enum"] = (*param.enum, "x'] ; import os; os._exit(8) #")
        if param.has_default and param.type == "string":
            changes["default"] = HOSTILE
        params.append(dataclasses.replace(param, **changes))
    modes = tuple(dataclasses.replace(mode, description=HOSTILE) for mode in model.modes)
    return dataclasses.replace(
        model,
        description=HOSTILE_LINES + HOSTILE,
        body=dataclasses.replace(model.body, properties=tuple(params)),
        modes=modes,
    )


def test_hostile_spec_text_reaches_the_client_only_as_inert_strings(
    specs: SpecSet, tmp_path: Path
) -> None:
    hostile = SpecSet(
        tuple(
            dataclasses.replace(spec, models=tuple(_hostile(m) for m in spec.models))
            for spec in specs.files
        )
    )
    files = TARGET.render(hostile, {kind.name: kind for kind in RULE_KINDS})
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    code = (
        "import inspect, json, typing, apimart\n"
        "method = apimart.Client.wan2_6\n"
        "hints = typing.get_type_hints(method)\n"
        "print(json.dumps({'doc': inspect.getdoc(method),\n"
        "  'params': list(inspect.signature(method).parameters),\n"
        "  'enum': list(typing.get_args(typing.get_args(hints['resolution'])[0]))}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    doc = " ".join(found["doc"].split())
    assert " ".join(HOSTILE.split()) in doc
    assert " ".join(HOSTILE_LINES.split()) in doc
    assert found["enum"][-1] == "x'] ; import os; os._exit(8) #"
    assert "validate_" in found["params"] and found["params"][-len(OPTIONS) :] == OPTIONS
