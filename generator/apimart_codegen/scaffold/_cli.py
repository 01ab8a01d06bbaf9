"""The ``docs scaffold`` command and ``docs diff --apply``: reading arguments, printing."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apimart_codegen.scaffold._apply import apply_page
from apimart_codegen.scaffold._check import scaffold
from apimart_codegen.scaffold._draft import draft_spec
from apimart_codegen.scaffold._page import read_page

EXIT_OK, EXIT_REMAINS, EXIT_ERROR, EXIT_APPLIED = 0, 1, 2, 3


def scaffold_command(
    args: argparse.Namespace, read: Callable[[argparse.Namespace, str], tuple[str, str]]
) -> int:
    from apimart_codegen.docs_drift import DocsError

    text, label = read(args, args.page)
    docs_root = Path(args.docs_root)
    is_url = args.page.startswith(("http://", "https://"))
    doc = _doc_name(args.page, docs_root, is_url)
    if doc is None:
        # the family: the file's own name when it is one, else the first model's name
        suffix = ".md" if args.page.lower().endswith((".md", ".markdown")) else ".txt"
        named = "" if is_url else Path(args.page).with_suffix(suffix).name
        first = draft_spec(read_page(text), doc=named, url=None, family=args.family, notes=None)
        if first.problems:
            raise DocsError("; ".join(first.problems))
        doc = f"{first.spec['family']}{suffix}"
        stored = docs_root / doc
        if stored.is_file() and stored.read_text(encoding="utf-8") != text:
            raise DocsError(f"{stored} exists and holds another page; move it or give --docs DIR")
    url = args.page if is_url else None
    result = scaffold(text, doc=doc, docs_root=docs_root, url=url, family=args.family)
    if result.draft.problems:
        raise DocsError("; ".join(result.draft.problems))
    if args.out and Path(args.out).exists():
        raise DocsError(
            f"{args.out} exists; the draft never replaces a spec (choose another --out)"
        )
    if not (docs_root / doc).is_file():
        docs_root.mkdir(parents=True, exist_ok=True)
        _write(docs_root / doc, text)
        print(f"stored the page as {docs_root / doc}", file=sys.stderr)
    if args.out:
        _write(Path(args.out), result.text)
    else:
        sys.stdout.write(result.text)
    spec = result.draft.spec
    params = len(spec["parameters"])
    rules = len(spec.get("rules", []))
    print(
        f"draft: {len(spec['models'])} model(s), {params} parameter(s), {rules} rule(s) between "
        f"fields, {len(spec['examples'])} example(s) from {label}",
        file=sys.stderr,
    )
    for quote, why in result.review:
        print(f"  {why.split(':', 1)[0]}: {quote[:100]!r}", file=sys.stderr)
    if result.review:
        print(
            f"{len(result.review)} sentence(s) to review (under unchecked:, reason 'review: ...')",
            file=sys.stderr,
        )
    for problem in result.remaining:
        print(f"remains: {problem}", file=sys.stderr)
    if result.remaining:
        print(f"lint: {len(result.remaining)} problem(s) remain in the draft", file=sys.stderr)
        return EXIT_REMAINS
    print("lint: ok (the draft passes apimart lint as written)", file=sys.stderr)
    return EXIT_OK


def _doc_name(page: str, docs_root: Path, is_url: bool) -> str | None:
    if is_url:
        return None
    path = Path(page).resolve()
    root = docs_root.resolve()
    if path.is_relative_to(root) and path.suffix in (".txt", ".md"):
        return str(path.relative_to(root))
    return None


def _write(path: Path, text: str) -> None:
    """All or nothing: a temporary file beside the target, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def apply(args: argparse.Namespace, spec: Any, stored: str, new: str, label: str) -> int:
    from apimart_codegen.page_diff import diff_page

    diff = diff_page(spec, stored, new, new_label=label)
    if not diff.drift:
        print(f"{spec.family}: no drift: nothing to apply")
        return EXIT_OK
    notes_path = Path(args.docs_root) / "API_NOTES.md"
    notes = notes_path.read_text(encoding="utf-8") if notes_path.is_file() else None
    path = Path(args.specs) / Path(spec.path).name
    result = apply_page(path, stored, new, notes=notes)
    for body in diff.bodies:
        result.named.append(
            f"request body {body.change} ({body.example or 'no example'}): edit examples by hand"
        )
    for parameter in diff.parameters:
        if not any(parameter.pointer.strip("/") in line for line in result.applied):
            result.named.append(f"{parameter.pointer}: a parameter the spec does not know")
    if result.text is not None:
        _write(path, result.text)
    print(f"{spec.family}: {path} against {label}")
    for line in result.applied:
        print(f"  applied: {line}")
    named = list(dict.fromkeys(result.named))
    for line in named:
        print(f"  for a person: {line}")
    if result.applied and not named:
        print(f"applied {len(result.applied)} change(s); nothing left for a person")
        return EXIT_APPLIED
    print(f"applied {len(result.applied)} change(s); {len(named)} left for a person")
    return EXIT_REMAINS
