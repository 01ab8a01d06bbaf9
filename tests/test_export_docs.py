"""The Markdown reference pages: every parameter, rule and example, and the calls that send them.

The Python call on a page is run against a stand-in client and the curl command's body is
parsed back: each must send exactly the example's body.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import pytest

from apimart_codegen.targets.docs import field_name
from tests.support import GENERATED, specs

MODELS = {model.name: model for model in specs().models}


def page(name: str) -> str:
    return (GENERATED / "docs" / f"{name}.md").read_text("utf-8")


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)\n```", text, re.DOTALL)


class RecordingClient:
    """Stands in for apimart.Client: records the body each model method would send."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.sent: list[dict[str, Any]] = []

    def __enter__(self) -> RecordingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def submit(self, body: dict[str, Any]) -> RecordingClient:
        self.sent.append(body)
        return self

    def __getattr__(self, method: str) -> Any:
        def call(**fields: Any) -> RecordingClient:
            self.sent.append({"model": self.model, **fields})
            return self

        return call

    def wait(self) -> None:
        return None


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_parameter_and_rule_is_on_the_page_with_its_source(name: str) -> None:
    model = MODELS[name]
    text = page(name)
    for param in model.parameters:
        assert f"| `{field_name(param.path)}` |" in text
    for rule in model.rules:
        assert f"- `{rule.id}` ({rule.severity}" in text
        assert " ".join(rule.source.quote.split()).replace("|", "\\|") in text
    index = (GENERATED / "docs" / "README.md").read_text("utf-8")
    assert f"[{name}]({name}.md)" in index


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_example_is_shown_sent_from_python_and_from_curl(name: str) -> None:
    model = MODELS[name]
    text = page(name)
    bodies = [dict(example.body) for example in model.examples]
    assert [json.loads(block) for block in blocks(text, "json")] == bodies
    sent = []
    for block in blocks(text, "python"):
        client = RecordingClient(name)
        namespace: dict[str, Any] = {}
        exec(block.replace("import apimart\n", ""), {"apimart": _Module(client)}, namespace)
        sent += client.sent
    assert sent == bodies
    curls = blocks(text, "sh")
    assert len(curls) == len(bodies)
    for command, body in zip(curls, bodies, strict=True):
        words = shlex.split(command.replace("\\\n", " "))
        assert words[:4] == ["curl", "-X", "POST", f"$APIMART_BASE_URL{model.endpoint}"]
        assert json.loads(words[words.index("-d") + 1]) == body


class _Module:
    def __init__(self, client: RecordingClient) -> None:
        self.client = client

    def Client(self) -> RecordingClient:  # stands in for apimart.Client
        return self.client
