"""The ``docs`` target: a Markdown reference page per model in ``generated/docs/``.

Each page has the model's parameters as a table, every rule with the sentence of the
vendor's page it cites, and every documented example three ways: the JSON body, the Python
call that sends it with the generated client, and the curl command that sends it by hand.
``docs/README.md`` lists the models. Pages are plain Markdown any portal renders.
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Mapping
from typing import Any

from apimart_codegen.jsonvalue import EACH
from apimart_codegen.kinds.base import RuleKind
from apimart_codegen.spec.model import Example, ModelSpec, Parameter, SpecSet
from apimart_codegen.targets.base import Files, Target, ruff_format
from apimart_codegen.targets.jsonschema import file_name as schema_file
from apimart_codegen.targets.jsonschema._conditions import condition_text
from apimart_codegen.targets.python import CLIENT_MEMBERS, METHOD_OPTIONS, python_name


def cell(text: str) -> str:
    """Text for one Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def code(value: Any) -> str:
    """A value as inline code in a table cell."""
    text = json.dumps(value, ensure_ascii=False)
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def python_value(value: Any) -> str:
    """A Python literal for a JSON value (``true`` → ``True``), as a user would type it."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {python_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(python_value(item) for item in value) + "]"
    return repr(value)


def python_call(model: ModelSpec, body: Mapping[str, Any]) -> str:
    """The generated client's call that sends ``body``: the model's method when it can."""
    method = python_name(model.identifier, prefix="model_", reserved=CLIENT_MEMBERS)
    fields = {key: value for key, value in body.items() if key != "model"}
    plain = all(
        key.isidentifier() and not keyword.iskeyword(key) and key not in METHOD_OPTIONS
        for key in fields
    )
    if plain:
        args = "".join(f"\n        {key}={python_value(value)}," for key, value in fields.items())
        call = f"client.{method}({args}\n    )"
    else:
        call = f"client.submit({python_value(dict(body))})"
    return (
        "import apimart\n\n"
        "with apimart.Client() as client:  # APIMART_API_KEY, APIMART_BASE_URL\n"
        f"    handle = {call}\n"
        "    task = handle.wait()\n"
    )


def curl_command(model: ModelSpec, body: Mapping[str, Any]) -> str:
    """The curl command that sends ``body``; the JSON is single-quoted for the shell."""
    data = json.dumps(body, ensure_ascii=False, indent=2).replace("'", "'\\''")
    return (
        f'curl -X POST "$APIMART_BASE_URL{model.endpoint}" \\\n'
        '  -H "Authorization: Bearer $APIMART_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f"  -d '{data}'\n"
    )


def field_name(path: tuple[str, ...]) -> str:
    """``("image_with_roles", "*", "url")`` → ``image_with_roles[].url``."""
    text = ""
    for segment in path:
        text += "[]" if segment == EACH else (f".{segment}" if text else segment)
    return text


def _rows(param: Parameter, required: set[str]) -> list[str]:
    name = field_name(param.path)
    default = code(param.default) if param.has_default else ""
    enum = ", ".join(code(v) for v in param.enum) if param.enum else ""
    rows = [
        f"| `{cell(name)}` | {param.type} | {'yes' if name in required else ''} | {default} "
        f"| {enum} | {cell(param.description)} |"
    ]
    for child in param.properties:
        rows += _rows(child, required)
    if param.items is not None:
        rows += _rows(param.items, required)
    return rows


def _example(model: ModelSpec, example: Example, call: str) -> list[str]:
    body = dict(example.body)
    lines = [f"### {example.name}", ""]
    if example.note:
        lines += [example.note, ""]
    lines += ["```json", json.dumps(body, ensure_ascii=False, indent=2), "```", ""]
    lines += ["```python", call.rstrip("\n"), "```", ""]
    lines += ["```sh", curl_command(model, body).rstrip("\n"), "```", ""]
    return lines


def model_page(model: ModelSpec, kinds: Mapping[str, RuleKind], calls: list[str]) -> str:
    """The model's page; ``calls`` holds the formatted Python call of each example."""
    required = {
        field_name(rule.path) for rule in model.rules if rule.kind == "required" and not rule.when
    }
    lines = [
        f"# {model.name}",
        "",
        model.description,
        "",
        f"- Endpoint: `POST {model.endpoint}` ({model.output})",
        f"- Spec: `{model.spec_path}`; vendor page: `{model.doc}`",
        f"- Validator: `apimart.validate_{model.identifier}`; JSON Schema: "
        f"`schemas/{schema_file(model)}`",
    ]
    if model.price is not None and model.price.amount is not None:
        lines.append(f"- Price: {model.price.amount} {model.price.currency} per {model.price.per}")
    lines += ["", "## Parameters", ""]
    lines += [
        "| parameter | type | required | default | values | description |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for param in model.parameters:
        lines += _rows(param, required)
    if model.modes:
        lines += ["", "## Modes", ""]
        lines += [f"- **{mode.name}**: {cell(mode.description)}" for mode in model.modes]
    lines += ["", "## Rules", ""]
    lines += [f"{len(model.rules)} rules; each quotes the sentence of the page it comes from.", ""]
    for rule in model.rules:
        when = ""
        if rule.when is not None:
            when = f" when `{json.dumps(condition_text(rule.when), ensure_ascii=False)}`"
        lines += [
            f"- `{rule.id}` ({rule.severity}{when}): {cell(kinds[rule.kind].message(rule))}",
            f"  > {cell(rule.source.quote)}",
        ]
        if rule.decision:
            lines.append(f"  Decision: {cell(rule.decision)}")
    if model.unchecked:
        lines += ["", "## Not checked offline", ""]
        for item in model.unchecked:
            lines += [f"- {cell(item.reason)}", f"  > {cell(item.source.quote)}"]
    lines += ["", "## Examples", ""]
    for example, call in zip(model.examples, calls, strict=True):
        lines += _example(model, example, call)
    return "\n".join(lines).rstrip("\n") + "\n"


def index_page(specs: SpecSet) -> str:
    lines = [
        "# Model reference",
        "",
        "Generated by `apimart generate` from `specs/`; one page per model.",
        "",
        "| model | output | endpoint | rules | examples |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| [{model.name}]({model.slug}.md) | {model.output} | `POST {model.endpoint}` "
        f"| {len(model.rules)} | {len(model.examples)} |"
        for model in specs.models
    ]
    return "\n".join(lines) + "\n"


class DocsTarget(Target):
    name = "docs"
    owns = ("docs",)

    def render(self, specs: SpecSet, kinds: Mapping[str, RuleKind]) -> Files:
        # The Python calls are formatted as ruff formats Python inside Markdown (make check).
        snippets = ruff_format(
            {
                f"{m}_{e}.py": python_call(model, example.body)
                for m, model in enumerate(specs.models)
                for e, example in enumerate(model.examples)
            }
        )
        files = {
            f"docs/{model.slug}.md": model_page(
                model, kinds, [snippets[f"{m}_{e}.py"] for e in range(len(model.examples))]
            )
            for m, model in enumerate(specs.models)
        }
        files["docs/README.md"] = index_page(specs)
        return files


TARGET = DocsTarget()
