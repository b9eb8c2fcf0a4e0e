"""Password hashing with scrypt from the standard library (memory-hard, no native dependency).

The stored form names its parameters, `scrypt$<n>$<r>$<p>$<salt>$<hash>`, so they can be raised later
without invalidating existing hashes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1
"""About 16 MiB and a few tens of milliseconds per hash: slow for guessing, fine for one sign-in."""
MIN_LENGTH = 12
MAX_LENGTH = 200


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(_derive(password, salt, N, R, P))}"


def verify_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        derived = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(derived, base64.b64decode(expected))


@functools.cache
def dummy_hash() -> str:
    """Checked against when the account does not exist, so the answer takes as long as for a real one."""
    return hash_password(secrets.token_urlsafe(16))


def problem(password: str) -> str | None:
    """Why a new password is refused (an English message id), or None."""
    if len(password) < MIN_LENGTH:
        return "The password needs at least 12 characters."
    if len(password) > MAX_LENGTH:
        return "The password may have at most 200 characters."
    return None
