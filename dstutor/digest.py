"""SHA-256 in hex, without hashlib: the simulator's one hash (container ids, the API
server's uids of builtin objects) and files.py's.

`import hashlib` loads OpenSSL's libcrypto, about 4 MB resident for the life of the
process, only to hash a few short strings here; CPython's own SHA-256 module (`_sha256`,
`_sha2` from 3.12) gives the same digests. The lowest layer, beside files.py.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def _sha256_constructor() -> Callable[[bytes], Any]:
    for name in ("_sha256", "_sha2"):  # CPython 3.11, 3.12 and later
        try:
            constructor: Callable[[bytes], Any] = importlib.import_module(name).sha256
            return constructor
        except (ImportError, AttributeError):
            continue
    import hashlib  # an interpreter built without its own hash modules

    return hashlib.sha256


_sha256 = _sha256_constructor()


def sha256_hex(data: str | bytes) -> str:
    """The SHA-256 of `data` (text as UTF-8) in hex: results-file chains, container ids."""
    digest: str = _sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()
    return digest
