"""The name and version of what the generator releases, derived from the specs.

The version's last part is a fingerprint of every spec file's bytes, so a changed spec
changes the version (and nothing else does). It is a public PEP 440 version, not a local
one, so the client distribution can be uploaded to a package index.
"""

from __future__ import annotations

import hashlib

from apimart_codegen.spec.model import SpecSet

DISTRIBUTION = "apimart"
"""The generated client's distribution (and import) name."""
SERIES = "0.1"
"""Raised by hand when the generated package's interface changes."""


def fingerprint(specs: SpecSet) -> str:
    """A digest of every spec file (path and content hash), in a stable order."""
    digest = hashlib.sha256()
    for spec in sorted(specs.files, key=lambda spec: spec.path):
        digest.update(f"{spec.path}\0{spec.sha256}\n".encode())
    return digest.hexdigest()


def release_version(specs: SpecSet) -> str:
    """``0.1.<n>``: ``n`` is the first 32 bits of the spec fingerprint, as a decimal number."""
    return f"{SERIES}.{int(fingerprint(specs)[:8], 16)}"
