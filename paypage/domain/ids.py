"""Prefixed, time-sortable identifiers: `clm_` + 26 Crockford base32 characters (a ULID).

The first 10 characters encode the creation time in milliseconds, the other 16 are 80 random bits, so
IDs sort by creation time and cannot be guessed.
"""

from __future__ import annotations

import datetime as dt
import secrets

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"

PREFIXES = frozenset(
    {"clm", "dbt", "evt", "pay", "whe", "wdl", "wat", "ntc", "cred", "key", "req", "led", "pln", "dbr", "upl", "pev"}
)


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rest = divmod(value, 32)
        chars.append(_ALPHABET[rest])
    return "".join(reversed(chars))


def new_id(prefix: str, now: dt.datetime, randomness: bytes | None = None) -> str:
    """A new ID for an object created at `now` (a timezone-aware datetime)."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown ID prefix {prefix!r}")
    millis = int(now.timestamp() * 1000)
    entropy = randomness if randomness is not None else secrets.token_bytes(10)
    return f"{prefix}_{_encode(millis, 10)}{_encode(int.from_bytes(entropy, 'big'), 16)}"


def has_prefix(value: str, prefix: str) -> bool:
    """True when `value` looks like an ID of the given kind (shape only, not existence)."""
    head, _, body = value.partition("_")
    return head == prefix and len(body) == 26 and all(c in _ALPHABET for c in body)
