"""The name and version of what the generator releases: a number that grows as the specs change.

The release ledger, ``release.json`` at the root of the output (``generated/release.json``,
written by the distribution target and committed), records the fingerprint of the specs last
generated and their release number. ``apimart generate`` numbers the specs it loads against
the ledger of the folder it writes: the same fingerprint keeps the number, any other takes the
next one. So the same specs give the same files (``generate --check`` holds), every spec edit
gives a higher version, and the version, ``<SERIES>.<number>``, is a public PEP 440 version
that pip orders the way the releases were made.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from apimart_codegen import paths
from apimart_codegen.spec.model import SpecSet

DISTRIBUTION = "apimart"
"""The generated client's distribution (and import) name."""
SERIES = "0.2"
"""Raised by hand when the generated package's interface changes. 0.2 began the counted
releases: it is above every ``0.1.<fingerprint>`` version made before them."""
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


class LedgerError(Exception):
    """A release ledger that cannot be read; the message names the file."""


@dataclass(frozen=True, slots=True)
class Release:
    number: int
    specs: str  # the fingerprint of the specs it was made from

    @property
    def version(self) -> str:
        return f"{SERIES}.{self.number}"

    def ledger(self) -> str:
        """The text of ``release.json`` (the version too, for readers and setup.py)."""
        record = {"version": self.version, "release": self.number, "specs": self.specs}
        return json.dumps(record, indent=2) + "\n"


def fingerprint(specs: SpecSet) -> str:
    """A digest of every spec file (its name and content hash), in a stable order; the folder
    the specs were read from does not count."""
    digest = hashlib.sha256()
    for name, sha256 in sorted((spec.path.rsplit("/", 1)[-1], spec.sha256) for spec in specs.files):
        digest.update(f"{name}\0{sha256}\n".encode())
    return digest.hexdigest()


def read_ledger(path: Path) -> Release | None:
    """The release recorded at ``path``; None when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(f"{path}: cannot be read ({exc})") from None
    try:
        record = json.loads(text)
        number, specs = record["release"], record["specs"]
    except (ValueError, TypeError, KeyError) as exc:
        raise LedgerError(f"{path}: not a release ledger ({exc!r})") from None
    if not (isinstance(number, int) and not isinstance(number, bool) and number >= 1):
        raise LedgerError(f"{path}: /release must be a whole number from 1, got {number!r}")
    if not (isinstance(specs, str) and _FINGERPRINT.fullmatch(specs)):
        raise LedgerError(f"{path}: /specs must be a sha256 fingerprint, got {specs!r}")
    return Release(number, specs)


def next_release(specs: SpecSet, previous: Release | None) -> Release:
    """The release ``specs`` make after ``previous``: the same one for the same specs."""
    current = fingerprint(specs)
    if previous is None:
        return Release(1, current)
    if previous.specs == current:
        return previous
    return Release(previous.number + 1, current)


def numbered(specs: SpecSet, out: Path) -> SpecSet:
    """``specs`` with the release number they take when generated into ``out``: against
    ``out``'s ledger, or the default one (the checkout's or the bundled) if ``out`` has none."""
    previous = read_ledger(out / paths.LEDGER) or read_ledger(paths.release_ledger())
    return replace(specs, release=next_release(specs, previous).number)


def release_of(specs: SpecSet) -> Release:
    """The release of ``specs``: their own number, or the one the default ledger gives them."""
    if specs.release is not None:
        return Release(specs.release, fingerprint(specs))
    return next_release(specs, read_ledger(paths.release_ledger()))


def release_version(specs: SpecSet) -> str:
    return release_of(specs).version
