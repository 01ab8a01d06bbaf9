"""``apimart mock``: serve the mock API over HTTP until Ctrl-C.

Exit codes: 0 after a clean stop, 2 for bad options (bad fault spec, port in use...),
1 for problems in the specs (reported by ``apimart_codegen.cli``).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Final

from apimart_codegen import paths
from apimart_codegen.mock._faults import Fault, FaultSpecError, parse_faults

if TYPE_CHECKING:
    import socket

    import uvicorn

    from apimart_codegen.mock._api import MockAPI

DEFAULT_PORT: Final = 8000
EXIT_OK, EXIT_USAGE = 0, 2


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``mock`` on the ``apimart`` command's subparsers."""
    mock = commands.add_parser(
        "mock",
        help="serve the mock API (tasks, uploads, webhooks, faults) for apps and CI",
        description="Serve the mock APIMart API over HTTP. The first line printed is "
        "'mock listening on URL'. Ctrl-C stops it.",
    )
    mock.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default: %(default)s)"
    )
    mock.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help="the port; 0 picks a free one (default: %(default)s)",
    )
    mock.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed for timings, failures and request ids; task and upload ids are never "
        "reused, not even by a restarted mock, so no seed repeats them (default: %(default)s)",
    )
    mock.add_argument(
        "--speed",
        type=_positive,
        default=1.0,
        metavar="X",
        help="run X times faster than the real API (default: %(default)s)",
    )
    mock.add_argument(
        "--api-key",
        action="append",
        default=[],
        dest="api_keys",
        type=_api_key,
        metavar="KEY",
        help="accept only this key (repeatable; default: any non-empty key)",
    )
    mock.add_argument(
        "--fault",
        action="append",
        default=[],
        dest="faults",
        type=_fault,
        metavar="SPEC",
        help="inject NAME[*TIMES] into every request (repeatable); names: "
        "429, 500, 502, 503, 402, slow, drop, drop-after, fail",
    )
    mock.add_argument(
        "--failure-rate",
        type=_probability,
        default=0.0,
        metavar="P",
        help="chance that a task fails on its own (default: %(default)s)",
    )
    mock.add_argument(
        "--drop-rule",
        action="append",
        default=[],
        dest="drop_rules",
        metavar="RULE",
        help="stop enforcing this rule id (repeatable): a server that drifted from the docs, "
        "for trying the contract tests",
    )
    mock.add_argument("--access-log", action="store_true", help="log every request on stderr")
    mock.add_argument(
        "--specs",
        default=str(paths.specs_dir()),
        metavar="DIR",
        help="the spec directory (default: %(default)s)",
    )
    mock.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load the specs, bind, print the URL, serve until SIGINT (Ctrl-C) or SIGTERM."""
    from apimart_codegen.mock._api import MockAPI
    from apimart_codegen.mock._server import bind, build_server
    from apimart_codegen.spec.loader import load_specs

    stop = _Stop()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            specs = load_specs(Path(args.specs)).without_rules(args.drop_rules)
        except KeyError as exc:
            print(f"apimart mock: --drop-rule: no rule {exc.args[0]}", file=sys.stderr)
            return EXIT_USAGE
        api = MockAPI(
            specs=specs,
            seed=args.seed,
            speed=args.speed,
            api_keys=args.api_keys,
            faults=[fault for group in args.faults for fault in group],
            failure_rate=args.failure_rate,
        )
        try:
            sock = bind(args.host, args.port)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            print(
                f"apimart mock: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr
            )
            return EXIT_USAGE
        try:
            server = stop.server = build_server(api, access_log=args.access_log)
            if not stop.requested:
                _serve(api, server, sock, args)
        finally:
            sock.close()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("mock stopped", flush=True)
    return EXIT_OK


class _Stop:
    """The SIGINT/SIGTERM handler: asks uvicorn to shut down gracefully, whenever it comes.

    It never raises, so a signal that arrives while uvicorn starts or tears its event loop
    down cannot interrupt either half-way (uvicorn installs its own handlers while it serves,
    and re-raises what it caught once it has stopped; that lands here and is harmless).
    """

    def __init__(self) -> None:
        self.requested = False
        self.server: uvicorn.Server | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        if self.server is not None:
            self.server.should_exit = True


def _serve(
    api: MockAPI, server: uvicorn.Server, sock: socket.socket, args: argparse.Namespace
) -> None:
    import logging

    from apimart_codegen.mock._server import url_of

    print(f"mock listening on {url_of(sock)}", flush=True)
    keys = f"{len(args.api_keys)} key(s)" if args.api_keys else "any key"
    faults = ", ".join(str(f) for f in api.options.faults) or "none"
    dropped = f", dropped rules: {', '.join(args.drop_rules)}" if args.drop_rules else ""
    print(
        f"seed {args.seed}, speed {args.speed:g}x, {keys}, faults: {faults}{dropped}; Ctrl-C stops",
        flush=True,
    )
    if args.access_log:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    server.run(sockets=[sock])


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0-65535, got {port}")
    return port


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number greater than 0, got {text}")
    return value


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _api_key(text: str) -> str:
    """A key a client can send in ``Authorization: Bearer KEY``: not empty, no spaces."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an API key cannot be empty")
    if text != text.strip() or any(char.isspace() for char in text):
        raise argparse.ArgumentTypeError("an API key cannot contain spaces")
    return text


def _fault(text: str) -> list[Fault]:
    try:
        return list(parse_faults([text]))
    except FaultSpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
