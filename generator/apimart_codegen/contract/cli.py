"""``apimart contract``: fuzz every rule of every model against a server and report drift.

Exit codes: 0 no contract violation, 1 contract violations, 2 a harness or usage error
(unreachable server, refused key, unknown model or rule, live run without a key, a server
that answers too slowly or too much, a result URL refused): a message, never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import os
import random
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from apimart_codegen import paths

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2
KEY_VARIABLE = "APIMART_API_KEY"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "contract",
        help="fuzz every rule against the mock (default), a server, or the live API",
        description="Build cases that keep every rule or break exactly one, judge them with "
        "both validators, send them, and report per rule: enforced as documented, the API "
        "accepts what the docs forbid, or refuses what they allow.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--base-url", metavar="URL", help="any server (the mock over a socket...)")
    where.add_argument(
        "--live",
        action="store_true",
        help=f"the vendor's API; needs {KEY_VARIABLE} and spends money within --max-cost",
    )
    parser.add_argument("--model", action="append", default=[], help="only this model (repeatable)")
    parser.add_argument(
        "--rule", action="append", default=[], help="only this rule id (repeatable)"
    )
    parser.add_argument(
        "--max-examples",
        type=_count,
        default=20,
        metavar="N",
        help="positive cases per model (default: %(default)s)",
    )
    parser.add_argument(
        "--negatives",
        type=_count,
        default=3,
        metavar="N",
        help="cases that break each rule (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, help="replay a run (default: a random seed, printed)")
    parser.add_argument("--report", type=Path, metavar="FILE", help="write the JSON report here")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML here")
    parser.add_argument(
        "--max-cost",
        type=_money,
        metavar="X",
        help="most the run may spend, in the pages' currency: what may have been charged "
        "(a 5xx or a timeout counts) never passes it (default: 0 live, no limit else)",
    )
    parser.add_argument(
        "--allow-unpriced",
        action="store_true",
        help="live: also send to models whose page states no price (counted by --max-requests)",
    )
    parser.add_argument(
        "--max-requests",
        type=_count,
        metavar="N",
        help="live: most submissions that may create a task (default: 50 live, none otherwise)",
    )
    parser.add_argument(
        "--rate", type=_rate, metavar="R", help="most requests per second (default: 2 live)"
    )
    parser.add_argument(
        "--poll",
        type=_count,
        metavar="N",
        help="accepted tasks followed to their end per rule and edge (default: all)",
    )
    parser.add_argument(
        "--poll-timeout",
        type=_rate,
        default=120.0,
        metavar="S",
        help="seconds a polled task may take over a socket (default: %(default)s)",
    )
    parser.add_argument(
        "--concurrency",
        type=_count,
        default=16,
        metavar="N",
        help="most requests in flight at once while tasks are followed (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=_rate,
        default=120.0,
        metavar="S",
        help="overall deadline of each request, body included (default: %(default)s)",
    )
    parser.add_argument(
        "--max-bytes",
        type=_count,
        default=1024**3,
        metavar="N",
        help="most bytes read of one result file (default: %(default)s)",
    )
    parser.add_argument(
        "--allow-private-results",
        action="store_true",
        help="fetch result URLs at private, loopback or link-local addresses even when the "
        "base URL is not at one",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be sent and what it would cost; send nothing",
    )
    parser.add_argument("--no-shrink", action="store_true", help="report failing cases unshrunk")
    parser.add_argument(
        "--sensitivity",
        action="store_true",
        help="the test of the tests: for each rule, a mock without it must make the suite "
        "name it; prints the score per model (in process only)",
    )
    parser.add_argument("--quiet", action="store_true", help="only the summary and the findings")
    parser.add_argument(
        "--specs",
        default=str(paths.specs_dir()),
        metavar="DIR",
        help="the spec directory (default: %(default)s)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from apimart_codegen.contract import _report
    from apimart_codegen.contract._runner import Options, Runner
    from apimart_codegen.contract._targets import HarnessError
    from apimart_codegen.spec.loader import load_specs

    specs = load_specs(Path(args.specs))
    unknown = unknown_names(specs, args.model, args.rule)
    if unknown is not None:
        print(f"apimart contract: {unknown}", file=sys.stderr)
        return EXIT_USAGE
    unjudged = _unjudged(specs, args.model, args.specs)
    if unjudged:
        print(f"apimart contract: {unjudged}", file=sys.stderr)
        return EXIT_USAGE
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    if args.sensitivity:
        return _sensitivity(args, specs, seed)
    try:
        target = _target(args, specs)
    except HarnessError as exc:
        print(f"apimart contract: {exc}", file=sys.stderr)
        return EXIT_USAGE
    options = Options(
        models=tuple(args.model),
        rules=tuple(args.rule),
        max_examples=args.max_examples,
        negatives=args.negatives,
        seed=seed,
        poll=args.poll,
        poll_timeout=args.poll_timeout,
        poll_interval=5.0 if target.live else 0.5,
        shrink=not args.no_shrink,
    )
    print(f"contract run against {target.name}, seed {seed}", file=sys.stderr)
    runner = Runner(specs, target, options, progress=_progress())
    try:
        result = runner.execute()
    except HarnessError as exc:
        _clear_progress()
        print(f"apimart contract: {target.shown(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # Hypothesis's own errors (Flaky...) too: a message, no traceback
        _clear_progress()
        first = target.shown(str(exc)).strip().splitlines()
        print(
            f"apimart contract: the harness failed: {type(exc).__name__}"
            + (f": {first[0]}" if first else ""),
            file=sys.stderr,
        )
        return EXIT_USAGE
    finally:
        target.close()
    _clear_progress()
    _report.table(result, sys.stdout, every_rule=not args.quiet)
    for note in result.notes:
        print(f"note: {target.shown(note)}", file=sys.stderr)
    print("\n" + _report.summary(result))
    if args.dry_run:
        print(
            f"dry run: {target.sent} request(s) not sent; estimated cost if all accepted: "
            f"{getattr(target, 'estimated', Decimal(0))}"
        )
    if args.report:
        _report.write_json(result, args.report)
    if args.junit:
        _report.write_junit(result, args.junit)
    return EXIT_VIOLATIONS if result.findings else EXIT_OK


def unknown_names(specs: Any, models: list[str], rules: list[str]) -> str | None:
    """Why ``--model``/``--rule`` name nothing the specs hold (with the nearest ids), or
    None. A rule is named by its id (``wan2.6/duration-enum``) or its bare name."""
    known = [model.name for model in specs.models]
    for name in models:
        if name not in known:
            hint = _nearest(name, known)
            return f"unknown model {name!r}{hint}; known models: {', '.join(known)}"
    chosen = [model for model in specs.models if not models or model.name in models]
    ids = [rule.id for model in chosen for rule in model.rules]
    for name in rules:
        named = name if "/" in name else None
        if named in ids or any(rule_id.split("/", 1)[1] == name for rule_id in ids):
            continue
        where = f" of {', '.join(models)}" if models else ""
        bare = sorted({rule_id.split("/", 1)[1] for rule_id in ids})
        return f"no rule {name!r} in the chosen models{where}{_nearest(name, ids + bare)}"
    return None


def _nearest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(close)}?" if close else ""


def _unjudged(specs: Any, chosen: list[str], specs_dir: str) -> str | None:
    """Why the importable ``apimart`` package cannot judge the run's models, or None.

    Every case is judged by the generated validators too, so they must come from the same
    specs: with ``--specs`` naming other specs, generate a package from them and put it on
    PYTHONPATH.
    """
    import apimart

    missing = [
        model.name
        for model in specs.models
        if (not chosen or model.name in chosen) and model.name not in apimart.MODELS
    ]
    if not missing:
        return None
    where = Path(apimart.__file__).parent
    return (
        f"the generated package at {where} has no validator for {', '.join(missing)}: "
        f"generate one from these specs (apimart generate --specs {specs_dir} --out DIR) "
        "and put DIR on PYTHONPATH"
    )


def _sensitivity(args: argparse.Namespace, specs: Any, seed: int) -> int:
    """Drop each chosen rule from an in-process mock in turn; exit 1 unless each is named."""
    from apimart_codegen.contract._runner import chosen_rules
    from apimart_codegen.contract._sensitivity import sensitivity

    if args.base_url or args.live or args.dry_run:
        print(
            "apimart contract: --sensitivity drops rules from the in-process mock; "
            "it takes no --base-url, --live or --dry-run",
            file=sys.stderr,
        )
        return EXIT_USAGE
    chosen = [model for model in specs.models if not args.model or model.name in args.model]
    wanted = [rule for model in chosen for rule in chosen_rules(model, args.rule)]
    print(f"sensitivity against the in-process mock, seed {seed}", file=sys.stderr)
    result = sensitivity(
        specs, seed=seed, negatives=args.negatives, rules=wanted, progress=_progress()
    )
    _clear_progress()
    print(f"{'model':<20} {'rules':>5} {'detected':>8}  missed")
    for model in chosen:
        ids = [rule.id for rule in model.rules if rule.id in wanted]
        if not ids:
            continue
        found = [rule for rule in ids if rule in result.detected]
        missed = [rule for rule in ids if rule in result.missed]
        print(f"{model.name:<20} {len(ids):>5} {len(found):>8}  {', '.join(missed) or '-'}")
    for rule, others in result.misnamed.items():
        print(f"misnamed: dropping {rule} made the suite blame {', '.join(others)}")
    print(f"\nsensitivity: {result.score} rules detected in {result.seconds:.1f} s (seed {seed})")
    return EXIT_VIOLATIONS if result.missed or result.misnamed else EXIT_OK


def _target(args: argparse.Namespace, specs: Any) -> Any:
    from apimart_codegen.contract._targets import (
        LIVE_URL,
        Budget,
        DryRun,
        HarnessError,
        in_process,
        over_http,
    )

    key = os.environ.get(KEY_VARIABLE, "")
    if args.dry_run:
        return DryRun(args.base_url or (LIVE_URL if args.live else None))
    bounds = {
        "timeout": args.timeout,
        "max_bytes": args.max_bytes,
        "allow_private": args.allow_private_results,
        "concurrency": args.concurrency,
    }
    if args.live:
        if not key:
            raise HarnessError(f"--live needs the {KEY_VARIABLE} environment variable")
        budget = Budget(
            max_cost=args.max_cost if args.max_cost is not None else Decimal(0),
            allow_unpriced=args.allow_unpriced,
            max_requests=args.max_requests if args.max_requests is not None else 50,
        )
        rate = args.rate if args.rate is not None else 2.0
        return over_http(
            LIVE_URL, api_key=key, live=True, budget=budget, min_interval=1 / rate, **bounds
        )
    if args.base_url:
        limits: Budget | None = None
        if args.max_requests is not None or args.max_cost is not None:
            limits = Budget(
                max_cost=args.max_cost if args.max_cost is not None else Decimal("Infinity"),
                allow_unpriced=args.allow_unpriced or args.max_cost is None,
                max_requests=args.max_requests,
            )
        return over_http(
            args.base_url,
            api_key=key or "mock-key",
            budget=limits,
            min_interval=1 / args.rate if args.rate else 0.0,
            **bounds,
        )
    return in_process(specs=specs)


def _progress() -> Any:
    if not sys.stderr.isatty():
        return None

    def show(text: str) -> None:
        width = 100
        sys.stderr.write("\r\x1b[K" + text[:width])
        sys.stderr.flush()

    return show


def _clear_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number greater than 0, got {text}")
    return value


def _money(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"must be an amount of 0 or more, got {text}")
    return value
