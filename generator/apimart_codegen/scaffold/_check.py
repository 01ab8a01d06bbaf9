"""The draft checked the way a hand-written spec is: loaded, linted against its page, its
examples judged. Elided values in the page's examples ("...") get a stand-in the draft's
own format accepts, recorded as ``substitute:`` with a note, as a person does by hand."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apimart_codegen.scaffold._collect import Draft
from apimart_codegen.scaffold._draft import draft_spec
from apimart_codegen.scaffold._page import read_page
from apimart_codegen.scaffold._write import render_draft

_ELIDED = frozenset({"...", "…", "<base64>", "<url>", "xxx"})
_ONE_PIXEL_PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQ"
    "GAhKmMIQAAAABJRU5ErkJggg=="
)
_STAND_INS = {
    "http-url": "https://example.com/elided.png",
    "http-url-or-image-data-uri": _ONE_PIXEL_PNG,
    "image-data-uri": _ONE_PIXEL_PNG,
}


@dataclass(slots=True)
class Scaffold:
    text: str  # the YAML
    draft: Draft
    remaining: list[str] = field(default_factory=list)  # lint's problems with the draft

    @property
    def review(self) -> list[tuple[str, str]]:
        return self.draft.review


def scaffold(
    page_text: str, *, doc: str, docs_root: Path, url: str | None = None, family: str | None = None
) -> Scaffold:
    notes_path = docs_root / "API_NOTES.md"
    notes = notes_path.read_text(encoding="utf-8") if notes_path.is_file() else None
    page = read_page(page_text)
    draft = draft_spec(page, doc=doc, url=url, family=family, notes=notes)
    if draft.problems:
        return Scaffold("", draft, list(draft.problems))
    _substitute_elided(draft, docs_root, page_text)
    text = render_draft(draft.spec, _header(doc, draft))
    return Scaffold(text, draft, _lint(text, draft.spec, docs_root, page_text))


def _header(doc: str, draft: Draft) -> list[str]:
    lines = [f"Drafted by `apimart docs scaffold` from {doc}: every rule quotes its sentence."]
    if draft.review:
        lines.append(
            f'{len(draft.review)} sentence(s) under `unchecked:` say "review:": the page states '
        )
        lines.append("them, no rule was drafted; write the rule or keep them with a reason.")
    return lines


def _loaded(
    text: str, spec: dict[str, Any], docs_root: Path, page_text: str
) -> tuple[Any, Path, Path]:
    from apimart_codegen.spec.loader import load_specs

    work = Path(tempfile.mkdtemp(prefix="apimart-scaffold-"))
    specs_dir, docs_dir = work / "specs", work / "docs"
    specs_dir.mkdir()
    docs_dir.mkdir()
    (specs_dir / f"{spec['family']}.yaml").write_text(text, encoding="utf-8")
    (docs_dir / spec["doc"]).parent.mkdir(parents=True, exist_ok=True)
    (docs_dir / spec["doc"]).write_text(page_text, encoding="utf-8")
    notes = docs_root / "API_NOTES.md"
    if notes.is_file():
        (docs_dir / "API_NOTES.md").write_text(notes.read_text(encoding="utf-8"), encoding="utf-8")
    return load_specs(specs_dir), specs_dir, docs_dir


def _lint(text: str, spec: dict[str, Any], docs_root: Path, page_text: str) -> list[str]:
    import shutil

    from apimart_codegen.lint import lint
    from apimart_codegen.spec.loader import SpecErrors

    work: Path | None = None
    try:
        specs, specs_dir, docs_dir = _loaded(text, spec, docs_root, page_text)
        work = specs_dir.parent
        return [_shown(p, specs_dir) for p in lint(specs, docs_dir)]
    except SpecErrors as exc:
        return [str(p) for p in exc.problems]
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def _shown(problem: Any, specs_dir: Path) -> str:
    return str(problem)


def _substitute_elided(draft: Draft, docs_root: Path, page_text: str) -> None:
    """An example value the page elides ("...") gets a stand-in of the parameter's format."""
    formats = _formats(draft.spec["parameters"])
    for example in draft.spec["examples"]:
        body = example["body"]
        substitute = {}
        for key, value in list(body.items()):
            places: list[tuple[str, Any, str, int | None]] = [(f"/{key}", value, key, None)]
            if isinstance(value, list):
                places = [(f"/{key}/{i}", item, key, i) for i, item in enumerate(value)]
            for pointer, item, name, index in places:
                if not (isinstance(item, str) and item.strip() in _ELIDED):
                    continue
                stand_in = _STAND_INS.get(formats.get(name, ""))
                if stand_in is None:
                    continue
                if index is None:
                    body[name] = stand_in
                else:
                    body[name][index] = stand_in
                substitute[pointer] = item
        if substitute:
            example["substitute"] = substitute
            example["note"] = (
                "The page elides this value; a stand-in of the parameter's format takes its place."
            )


def _formats(params: dict[str, Any]) -> dict[str, str]:
    found = {}
    for name, param in params.items():
        fmt = param.get("format") or (param.get("items") or {}).get("format")
        if isinstance(fmt, str):
            found[name] = fmt
    return found
