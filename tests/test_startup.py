"""What a process imports to start: validating needs neither httpx nor the generator's
heavy parts (the spec loader, jsonschema, YAML, the plugin registry, the mock, Hypothesis).

Each check runs in a fresh interpreter, so nothing this test process imported counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from apimart_codegen import cli

HEAVY = (
    "httpx",
    "apimart_codegen.spec.loader",
    "jsonschema",
    "yaml",
    "apimart_codegen.registry",
    "apimart_codegen.mock",
    "apimart_codegen.contract",
    "hypothesis",
)


def imported_after(code: str) -> set[str]:
    """The modules of HEAVY loaded once ``code`` has run in a fresh interpreter."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps(sorted(set(sys.modules) & {set(HEAVY)!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_import_apimart_imports_no_httpx_until_a_client_is_made() -> None:
    assert imported_after("import apimart; apimart.validate({'model': 'wan2.6'})") == set()
    assert "httpx" in imported_after("import apimart; apimart.Client")


def test_the_client_names_stay_reachable_and_listed() -> None:
    import apimart

    assert apimart.Client.__name__ == "Client"
    assert apimart.BadRequestError.__module__ == "apimart._errors"
    assert {"Client", "AsyncClient", "validate", "Violation"} <= set(dir(apimart))
    try:
        apimart.NoSuchName  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchName" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")


def test_validate_and_help_start_without_the_heavy_modules(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text('{"model": "wan2.6", "prompt": "p"}')
    run = "from apimart_codegen.cli import main\nimport contextlib, io\n"
    validate = (
        f"{run}with contextlib.redirect_stdout(io.StringIO()): main(['validate', {str(body)!r}])"
    )
    assert imported_after(validate) == set()
    helping = (
        f"{run}with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass"
    )
    assert imported_after(helping) == set()


def _helps(parser: object) -> dict[str, str | None]:
    group = parser._subparsers._group_actions[0]  # type: ignore[attr-defined]
    return {action.dest: action.help for action in group._choices_actions}


def test_the_listed_commands_and_their_help_are_the_modules_own() -> None:
    full = _helps(cli.build_parser())
    assert _helps(cli.build_parser(["validate", "x.json"])) == full
    assert _helps(cli.build_parser(["mock"])) == full
    assert list(full)[-5:] == ["mock", "submit", "wait", "contract", "docs"]
