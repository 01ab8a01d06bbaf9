"""The ``apimart`` command.

Exit codes: 0 success/valid, 1 invalid payload, failed check or spec problems, 2 usage
errors, unreadable input or an unknown model. User errors never show a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import Any, TextIO

from apimart_codegen import paths
from apimart_codegen.payloads import PayloadError, read_one

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

COMMANDS_ELSEWHERE: dict[str, tuple[tuple[str, str], ...]] = {
    "apimart_codegen.mock.cli": (
        ("mock", "serve the mock API (tasks, uploads, webhooks, faults) for apps and CI"),
    ),
    "apimart_codegen.submit": (
        ("submit", "validate a request body, submit it, optionally wait and download the results"),
        ("wait", "follow a submitted task until it ends, optionally download its results"),
    ),
    "apimart_codegen.contract.cli": (
        ("contract", "fuzz every rule against the mock (default), a server, or the live API"),
    ),
    "apimart_codegen.docs_drift": (("docs", "the vendor's pages: fetch them, diff them"),),
}
"""Commands defined in other modules (module → (command, help)): a module is imported only
when its command runs, so `validate` and `--help` start without the mock, Hypothesis or the
spec loader. The help here must be the module's own (a test holds them equal)."""


class UsageError(Exception):
    """A command-line mistake the user can fix; exit 2."""


def _load(args: argparse.Namespace) -> Any:
    from apimart_codegen.spec.loader import load_specs

    return load_specs(Path(args.specs))


def _kinds() -> dict[str, Any]:
    from apimart_codegen.kinds import RULE_KINDS

    return {kind.name: kind for kind in RULE_KINDS}


# -- generate -----------------------------------------------------------------------------


def cmd_generate(args: argparse.Namespace) -> int:
    from apimart_codegen import generate
    from apimart_codegen.targets import TARGETS
    from apimart_codegen.targets.release import LedgerError, numbered

    if args.out is None:
        raise UsageError(
            "there is no generated/ folder here (the package runs from a wheel, not from a "
            "checkout): give --out DIR"
        )
    out = Path(args.out)
    try:
        specs = numbered(_load(args), out)
    except LedgerError as exc:
        raise UsageError(str(exc)) from None
    names = args.target or TARGETS.names()
    targets = [TARGETS.get(name) for name in names]
    files, owned = generate.render(specs, targets, _kinds())
    if args.check:
        differences = generate.compare(out, files, owned)
        for difference in differences:
            print(f"{difference.state}: {_shown(out / difference.path)}")
        if differences:
            print(
                f"generated/ does not match the specs: {len(differences)} file(s); "
                "run `apimart generate`",
                file=sys.stderr,
            )
            return EXIT_INVALID
        print(f"up to date: {len(files)} files from {len(specs.files)} specs ({', '.join(names)})")
        return EXIT_OK
    changed = generate.write(out, files, owned)
    for difference in changed:
        verb = {"extra": "removed", "missing": "created", "stale": "updated"}[difference.state]
        print(f"{verb}: {_shown(out / difference.path)}")
    print(
        f"{len(files)} files from {len(specs.files)} specs ({', '.join(names)}), "
        f"{len(changed)} changed"
    )
    return EXIT_OK


def _jobs(text: str) -> int:
    """``--jobs``: a whole number of 0 or more (0: every core)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (every core) or more, got {value}")
    return value


def _shown(path: Path) -> Path:
    """A path as a user in the working directory would type it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


# -- validate -----------------------------------------------------------------------------


def _print_report(report: Any, where: str, out: TextIO) -> None:
    status = "valid" if report.valid else "invalid"
    counts = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    print(f"{where}: {report.model or 'unknown model'}: {status} ({counts})", file=out)
    for label, items in (("error", report.errors), ("warning", report.warnings)):
        for v in items:
            print(f"  {label:<7} {v.path or '/'}: {v.message} [{v.rule}]", file=out)


def _known_model(report: Any) -> bool:
    return report.model is not None


def cmd_validate(args: argparse.Namespace) -> int:
    import apimart

    if args.jsonl:
        return _validate_lines(args, apimart.validate)
    try:
        payload = read_one(args.file)
    except PayloadError as exc:
        if args.format == "json":
            print(
                json.dumps(
                    {
                        "valid": False,
                        "model": None,
                        "errors": [{"path": "", "rule": "apimart/unreadable", "message": str(exc)}],
                        "warnings": [],
                    }
                )
            )
        print(f"apimart validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = apimart.validate(payload)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        _print_report(report, "<stdin>" if args.file == "-" else args.file, sys.stdout)
    if not _known_model(report):
        return EXIT_USAGE
    return EXIT_OK if report.valid else EXIT_INVALID


def _validate_lines(args: argparse.Namespace, validate: Callable[[object], Any]) -> int:
    from apimart_codegen.bulk import default_jobs, validate_lines

    valid, invalid, unreadable = validate_lines(
        args.file, validate, sys.stdout, jobs=default_jobs(args.jobs)
    )
    print(
        f"{valid + invalid + unreadable} line(s): {valid} valid, {invalid} invalid, "
        f"{unreadable} unreadable or of unknown model",
        file=sys.stderr,
    )
    if unreadable:
        return EXIT_USAGE
    return EXIT_INVALID if invalid else EXIT_OK


# -- models, lint, demo -------------------------------------------------------------------


def cmd_models(args: argparse.Namespace) -> int:
    from apimart import MODELS

    rows = [
        {
            "model": info.name,
            "family": info.family,
            "endpoint": info.endpoint,
            "output": info.output,
            "modes": [name for name, _ in info.modes],
            "rules": info.rules,
        }
        for info in MODELS.values()
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    print(f"{'model':<18} {'endpoint':<25} {'rules':>5}  modes")
    for row in rows:
        modes = ", ".join(row["modes"]) or "-"  # type: ignore[arg-type]
        print(f"{row['model']:<18} {row['endpoint']:<25} {row['rules']:>5}  {modes}")
    return EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    from apimart_codegen.lint import lint
    from apimart_codegen.spec import meta_schema

    if args.meta_schema:
        print(json.dumps(meta_schema.build(_kinds().values()), indent=2))
        return EXIT_OK
    specs = _load(args)
    problems = lint(specs, Path(args.docs_root))
    for problem in problems:
        print(problem)
    models = specs.models
    summary = (
        f"{len(specs.files)} specs, {len(models)} models, "
        f"{sum(len(m.rules) for m in models)} rules, "
        f"{sum(len(m.examples) for m in models)} examples"
    )
    if problems:
        print(f"lint: {len(problems)} problem(s) in {summary}", file=sys.stderr)
        return EXIT_INVALID
    print(f"lint: ok ({summary})")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    import os

    from apimart_codegen.demo import run

    out = Path(args.out) if args.out else None
    if args.base_url and not os.environ.get("APIMART_API_KEY"):
        raise UsageError("--base-url needs the API key in APIMART_API_KEY")
    key = os.environ.get("APIMART_API_KEY", "demo-key") if args.base_url else "demo-key"
    return run(
        _load(args), speed=args.speed, seed=args.seed, out=out, base_url=args.base_url, api_key=key
    )


# -- entry point --------------------------------------------------------------------------


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command's parser; given ``argv``, only the module of the command it names is
    imported (the others' commands are listed, with their help, but not built)."""
    chosen = next((arg for arg in argv if not arg.startswith("-")), None) if argv else None
    parser = argparse.ArgumentParser(
        prog="apimart", description="Specs, generated clients and validators for the APIMart API."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def spec_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--specs",
            default=str(paths.specs_dir()),
            metavar="DIR",
            help="the spec directory (default: %(default)s)",
        )

    gen = commands.add_parser("generate", help="regenerate every target from the specs")
    spec_options(gen)
    generated = paths.generated_dir()
    gen.add_argument(
        "--out",
        default=None if generated is None else str(generated),
        metavar="DIR",
        help="the output root (default: the checkout's generated/; needed when the package "
        "runs from a wheel)",
    )
    gen.add_argument(
        "--target",
        action="append",
        metavar="NAME",
        help="only this target (repeatable; default: every registered target)",
    )
    gen.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list stale, missing and extra files and exit 1 if any",
    )
    gen.set_defaults(run=cmd_generate)

    val = commands.add_parser("validate", help="validate request bodies offline")
    val.add_argument("file", metavar="FILE|-", help="a JSON body, or - for standard input")
    val.add_argument("--format", choices=("text", "json"), default="text")
    val.add_argument(
        "--jsonl",
        action="store_true",
        help="one JSON body per line; one JSON result per line, summary on stderr",
    )
    val.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="with --jsonl: validate in N processes (at most one per core), results in input "
        "order (0: every core)",
    )
    val.set_defaults(run=cmd_validate)

    mod = commands.add_parser("models", help="list the models, their endpoints and modes")
    mod.add_argument("--format", choices=("text", "json"), default="text")
    mod.set_defaults(run=cmd_models)

    lin = commands.add_parser("lint", help="check the specs against the vendor documents")
    spec_options(lin)
    lin.add_argument(
        "--docs",
        "--docs-root",
        dest="docs_root",
        default=str(paths.docs_root()),
        metavar="DIR",
        help="the folder of the vendor's pages, which `doc:` paths are relative to "
        "(default: $APIMART_DOCS or %(default)s)",
    )
    lin.add_argument(
        "--meta-schema",
        action="store_true",
        help="print the spec meta-schema (JSON Schema) and exit",
    )
    lin.set_defaults(run=cmd_lint)

    dem = commands.add_parser(
        "demo", help="every documented example: validated, run on the mock, downloaded"
    )
    spec_options(dem)
    dem.add_argument(
        "--speed",
        type=float,
        default=40.0,
        help="the mock's time compression (default: %(default)s)",
    )
    dem.add_argument("--seed", type=int, default=7, help="the mock's seed (default: %(default)s)")
    dem.add_argument("--out", metavar="DIR", help="where results go (default: a temporary folder)")
    dem.add_argument(
        "--base-url",
        metavar="URL",
        help="run against this server instead of starting the mock "
        "(key from APIMART_API_KEY; the live API charges for every task)",
    )
    dem.set_defaults(run=cmd_demo)
    for module, names in COMMANDS_ELSEWHERE.items():
        if argv is None or chosen in {name for name, _ in names}:
            import_module(module).add_parser(commands)
        else:
            for name, help_text in names:
                commands.add_parser(name, help=help_text, add_help=False)
    return parser


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        code = int(args.run(args))
        sys.stdout.flush()
        return code
    except (UsageError, PayloadError) as exc:
        print(f"apimart {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE

    except ImportError as exc:
        print(
            f"apimart {args.command}: the generated package cannot be imported ({exc}); "
            "run `apimart generate`",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:  # stdout or an output file on a full or failing disk
        _silence_stdout()
        where = f" {exc.filename}" if exc.filename else ""
        print(
            f"apimart {args.command}: cannot write{where}: {exc.strerror or exc}", file=sys.stderr
        )
        return EXIT_USAGE
    except Exception as exc:
        # the spec loader and the plugin registry are imported only by the commands that
        # use them: an error of theirs is known by its class once they are loaded
        if _raised(exc, "apimart_codegen.spec.loader", "SpecErrors"):
            problems: list[str] = exc.problems  # type: ignore[attr-defined]
            for problem in problems:
                print(problem, file=sys.stderr)
            print(f"apimart: {len(problems)} problem(s) in the specs", file=sys.stderr)
            return EXIT_INVALID
        if _raised(exc, "apimart_codegen.registry", "PluginError"):
            print(f"apimart {args.command}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        raise
    except KeyboardInterrupt:
        return 130


def _raised(exc: Exception, module: str, name: str) -> bool:
    """Whether ``exc`` is the exception class ``name`` of ``module``, if that is loaded."""
    cls = getattr(sys.modules.get(module), name, None)
    return isinstance(cls, type) and isinstance(exc, cls)


if __name__ == "__main__":
    sys.exit(main())
