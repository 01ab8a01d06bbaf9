"""``apimart docs pull`` and ``apimart docs diff``: the vendor's pages against the specs.

``pull`` fetches the page each spec names (its ``url:``) and stores its text next to the
stored page; ``diff`` says what changed between the stored page and a new one, in the
spec's terms. Exit codes: 0 no drift (pull: stored), 1 drift, 2 an error (unknown family,
unreadable page, failed fetch).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from apimart_codegen import paths

EXIT_SAME, EXIT_DRIFT, EXIT_ERROR = 0, 1, 2


class DocsError(Exception):
    """A problem the user can fix (a name, a file, a URL); exit 2 with this message."""


def add_parser(commands: Any) -> None:
    docs = commands.add_parser("docs", help="the vendor's pages: fetch them, diff them")
    actions = docs.add_subparsers(dest="docs_command", required=True, metavar="ACTION")

    pull = actions.add_parser(
        "pull", help="fetch the pages the specs name and store their text next to the old ones"
    )
    pull.add_argument(
        "families", nargs="*", metavar="FAMILY", help="spec families (default: every spec)"
    )
    pull.add_argument("--url", help="fetch this URL instead of the spec's url (one FAMILY)")
    where = pull.add_mutually_exclusive_group()
    where.add_argument(
        "--out",
        metavar="DIR",
        help="write DIR/<doc> (default: <docs>/<doc>.new, next to the stored page)",
    )
    where.add_argument("--print", action="store_true", help="print the text (one FAMILY)")
    _common_options(pull)
    pull.set_defaults(run=cmd_pull)

    diff = actions.add_parser(
        "diff",
        help="what changed on a page: sentences and the rules quoting them, examples, parameters",
    )
    diff.add_argument("family", metavar="FAMILY", help="a spec family, e.g. wan2.6")
    diff.add_argument(
        "page",
        nargs="?",
        metavar="FILE|URL",
        help="the new page: a text or HTML file, or a URL (default: the spec's url)",
    )
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.add_argument(
        "--apply",
        action="store_true",
        help="rewrite the spec in place where the changed sentences' rules can be derived "
        "again (exit 0 nothing to do, 3 applied all, 1 applied some and named the rest)",
    )
    _common_options(diff)
    diff.set_defaults(run=cmd_diff)

    scaffold = actions.add_parser(
        "scaffold", help="draft a spec from a vendor page: every rule quoting its sentence"
    )
    scaffold.add_argument("page", metavar="PAGE|URL", help="a stored text page, or a URL")
    scaffold.add_argument("--out", metavar="FILE", help="write the draft here (default: stdout)")
    scaffold.add_argument("--family", help="the spec's family (default: from the page)")
    _common_options(scaffold)
    scaffold.set_defaults(run=cmd_scaffold)


def _common_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--specs",
        default=str(paths.specs_dir()),
        metavar="DIR",
        help="the spec directory (default: %(default)s)",
    )
    command.add_argument(
        "--docs",
        dest="docs_root",
        default=str(paths.docs_root()),
        metavar="DIR",
        help="the folder of the stored pages (default: %(default)s)",
    )
    command.add_argument(
        "--timeout",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="the most a page's fetch may take in all, connect to last byte (default: %(default)s)",
    )


MAX_TIMEOUT = 3600.0


def _seconds(text: str) -> float:
    """A number of seconds, more than 0 and at most MAX_TIMEOUT (nan, -1, inf refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds greater than 0 and at most {MAX_TIMEOUT:g}, got {text}"
        )
    return value


def _run(args: argparse.Namespace, action: Any) -> int:
    from apimart_codegen.spec.loader import SpecErrors

    try:
        return int(action(args))
    except SpecErrors as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"apimart docs: {len(exc.problems)} problem(s) in the specs", file=sys.stderr)
    except DocsError as exc:
        print(f"apimart docs {args.docs_command}: {exc}", file=sys.stderr)
    return EXIT_ERROR


def _spec(args: argparse.Namespace, family: str) -> Any:
    from apimart_codegen.spec.loader import load_specs

    specs = load_specs(Path(args.specs))
    for spec in specs.files:
        if spec.family == family:
            return spec
    known = ", ".join(sorted(spec.family for spec in specs.files))
    raise DocsError(f"no spec has family {family!r} (families: {known})")


def _stored(args: argparse.Namespace, spec: Any) -> str:
    from apimart_codegen.lint import Documents

    documents = Documents(Path(args.docs_root))
    text = documents.text(spec.doc)
    if text is None:
        raise DocsError(f"{spec.path}: {documents.problem(spec.doc)}")
    return text


def _new_page(args: argparse.Namespace, spec: Any) -> tuple[str, str]:
    """The new page's text and a label for it: from a file, a URL or the spec's url."""
    where = args.page or (spec.url if spec is not None else None)
    if where is None:
        raise DocsError(f"{spec.path} names no url: give the new page as FILE or URL")
    if where.startswith(("http://", "https://")):
        from apimart_codegen.page_text import PageError, fetch_text

        try:
            return fetch_text(where, timeout=args.timeout), shown(where)
        except PageError as exc:
            raise DocsError(str(exc)) from None
    path = Path(where)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DocsError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DocsError(f"{where}: cannot be read ({exc})") from None
    if _looks_like_html(text):
        from apimart_codegen.page_text import PageError, html_to_text

        try:
            text = html_to_text(text)
        except PageError as exc:
            raise DocsError(f"{where}: {exc}") from None
    return text, where


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html"))


# -- pull ---------------------------------------------------------------------------------


def cmd_pull(args: argparse.Namespace) -> int:
    return _run(args, _pull)


def _pull(args: argparse.Namespace) -> int:
    from apimart_codegen.lint import Documents
    from apimart_codegen.page_text import PageError, fetch_text
    from apimart_codegen.spec.loader import load_specs

    if args.families:
        specs = [_spec(args, family) for family in args.families]
    else:
        specs = list(load_specs(Path(args.specs)).files)
    if (args.print or args.url) and len(specs) != 1:
        raise DocsError("--print and --url take exactly one FAMILY")
    failed = 0
    for spec in specs:
        url = args.url or spec.url
        if url is None:
            print(f"apimart docs pull: {spec.path} names no url", file=sys.stderr)
            failed += 1
            continue
        try:
            text = fetch_text(url, timeout=args.timeout)
        except PageError as exc:
            print(f"apimart docs pull: {spec.family}: {exc}", file=sys.stderr)
            failed += 1
            continue
        if args.print:
            _say(text)
            continue
        stored = Documents(Path(args.docs_root)).path(spec.doc)
        out = Documents(Path(args.out)).path(spec.doc) if args.out else stored
        if stored is None or out is None:
            raise DocsError(f"{spec.doc_loc}: doc {spec.doc!r} leads out of its folder")
        target = out if args.out else stored.with_name(stored.name + ".new")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, text)
        except OSError as exc:
            raise DocsError(f"{target}: cannot be written ({exc.strerror or exc})") from None
        same = stored.is_file() and stored.read_text(encoding="utf-8") == text
        print(
            f"{spec.family}: {shown(url)} -> {target} "
            f"({'same as' if same else 'differs from'} {stored})"
        )
    return EXIT_ERROR if failed else EXIT_SAME


def write_atomically(target: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``target``, then rename it into place: a
    reader sees the old file or the whole new one, and a failed write (a full disk) leaves
    neither a partial page nor the temporary file."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def shown(url: str) -> str:
    from apimart_codegen.page_text import shown

    return shown(url)


# -- scaffold -----------------------------------------------------------------------------


def cmd_scaffold(args: argparse.Namespace) -> int:
    from apimart_codegen.scaffold._cli import scaffold_command

    return _run(args, lambda a: scaffold_command(a, _page_text))


def _page_text(args: argparse.Namespace, where: str) -> tuple[str, str]:
    """A page's text by the same reading as ``docs diff``: a file (text or HTML) or a URL."""
    return _new_page(argparse.Namespace(**{**vars(args), "page": where}), None)


# -- diff ---------------------------------------------------------------------------------


def cmd_diff(args: argparse.Namespace) -> int:
    return _run(args, _diff)


def _diff(args: argparse.Namespace) -> int:
    from apimart_codegen.page_diff import diff_page

    spec = _spec(args, args.family)
    stored = _stored(args, spec)
    new, label = _new_page(args, spec)
    if args.apply:
        from apimart_codegen.scaffold._cli import apply

        return apply(args, spec, stored, new, label)
    result = diff_page(spec, stored, new, new_label=label)
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_diff(result)
    return EXIT_DRIFT if result.drift else EXIT_SAME


def _print_diff(result: Any) -> None:
    """The diff for a person: page text is the vendor's, so control characters are escaped."""
    _say(f"{result.family}: stored {result.stored} vs {result.new}")
    for change in result.sentences:
        _say(f"\n{change.change}:")
        for line in change.old:
            _say(f"  - {line}")
        for line in change.new:
            _say(f"  + {line}")
        for citation in change.citations:
            state = "quote still on the page" if citation.stands else "quote gone"
            _say(f"  quoted by {citation.cited_by} ({citation.loc}, {state})")
    for body in result.bodies:
        name = repr(body.example) if body.example else "no example of the spec"
        _say(f"\nrequest body {body.change} ({name}), after {body.after[:60]!r}")
        for pointer in body.fields:
            key = pointer[1:]
            before, after = (
                json.dumps(side[key], ensure_ascii=False) if key in side else "(absent)"
                for side in (body.old, body.new)
            )
            _say(f"  {pointer}: {before} -> {after}")
        if body.change == "appeared":
            _say(f"  {json.dumps(body.new, ensure_ascii=False)}")
    if result.parameters:
        _say("\nparameters the spec does not know:")
        for parameter in result.parameters:
            _say(f"  {parameter.pointer} (in {'; '.join(parameter.where)})")
    if result.drift:
        _say(
            f"\ndrift: {len(result.sentences)} sentence change(s), "
            f"{len(result.bodies)} request body change(s), "
            f"{len(result.parameters)} unknown parameter(s)"
        )
    else:
        _say("no drift: the page says what the spec quotes")


def _say(text: str) -> None:
    from apimart_codegen.netpolicy import printable

    print(printable(text))
