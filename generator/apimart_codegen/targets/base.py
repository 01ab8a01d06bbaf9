"""What a target is, and the pieces every target shares (templates, escaping, formatting)."""

from __future__ import annotations

import re
import subprocess
import tempfile
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import jinja2

from apimart_codegen.kinds.base import RuleKind
from apimart_codegen.spec.model import SpecSet

Files = dict[str, str]
"""Relative path (with '/') → file content."""


class Target:
    """A generation target. Subclasses set ``name`` and ``owns`` and implement ``render``.

    ``owns`` names the directories (relative to the output root) the target fills
    completely: files found there that the target did not render are stale.
    """

    name: ClassVar[str] = ""
    owns: ClassVar[tuple[str, ...]] = ()

    def render(self, specs: SpecSet, kinds: Mapping[str, RuleKind]) -> Files:
        raise NotImplementedError


def template_env(directory: Path) -> jinja2.Environment:
    """Templates receive already-escaped values; they only loop and branch."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def docstring(text: str, indent: str = "    ", width: int = 92) -> str:
    """A triple-quoted literal whose words are exactly those of ``text``.

    Prose is re-wrapped (whitespace is not significant in a docstring); backslashes,
    quotes and unprintable characters are escaped so no text can end the literal early.
    """
    words = " ".join(text.split())
    escaped = "".join(_escape_char(ch) for ch in words)
    # A quote followed by another quote, or ending the text, is escaped: no run of quotes
    # inside can close the literal.
    escaped = re.sub(r'"(?=")|"$', r'\\"', escaped)
    lines = textwrap.wrap(
        escaped, width - len(indent), break_long_words=False, break_on_hyphens=False
    ) or [""]
    if len(lines) == 1:
        return f'"""{lines[0]}"""'
    body = f"\n{indent}".join(lines)
    return f'"""{body}\n{indent}"""'


def _escape_char(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    if ch.isprintable() or ch == " ":
        return ch
    code = ord(ch)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def ruff_format(files: Files, *, line_length: int = 100) -> Files:
    """Sort imports and format the Python files with ruff, ignoring any user configuration."""
    from ruff.__main__ import find_ruff_bin

    python = {path: text for path, text in files.items() if path.endswith(".py")}
    if not python:
        return files
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path, text in python.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
        common = ["--isolated", "--quiet", f"--line-length={line_length}", "--target-version=py311"]
        commands = [
            [
                find_ruff_bin(),
                "check",
                *common,
                "--select=I",
                "--fix",
                "--exit-zero",
                "--config=lint.isort.combine-as-imports=true",
                str(root),
            ],
            [find_ruff_bin(), "format", *common, str(root)],
        ]
        for command in commands:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise RuntimeError(f"ruff failed on generated code:\n{result.stderr}")
        formatted = {path: (root / path).read_text(encoding="utf-8") for path in python}
    return {**files, **formatted}
