"""Prefixed, time-sortable identifiers: `clm_` + 26 Crockford base32 characters (a ULID).

The first 10 characters encode the creation time in milliseconds, the other 16 are 80 random bits, so
IDs sort by creation time and cannot be guessed. Within one millisecond a process counts up from its last
ID by a random step, so IDs it makes with the same timestamp still sort in the order they were made.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"

PREFIXES = frozenset(
    {
        "clm",
        "dbt",
        "evt",
        "pay",
        "whe",
        "wdl",
        "wat",
        "ntc",
        "cred",
        "key",
        "req",
        "led",
        "pln",
        "dbr",
        "upl",
        "pev",
        "msg",
        "dec",
        "usr",
        "inv",
        "imp",
        "pmd",
        "exp",
        "inm",
        "ibx",
    }
)


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rest = divmod(value, 32)
        chars.append(_ALPHABET[rest])
    return "".join(reversed(chars))


_RANDOM_LIMIT = 1 << 80
_last = (0, 0)
_lock = threading.Lock()


def _monotonic_random(millis: int) -> int:
    """Fresh randomness, except within one millisecond, where it counts up from the previous ID: IDs made
    in one transaction with one timestamp (a state change and its events) then sort in creation order."""
    global _last
    with _lock:
        last_millis, last_random = _last
        if millis == last_millis and last_random + 1 < _RANDOM_LIMIT:
            value = last_random + 1 + secrets.randbelow(1 << 16)
            value = value if value < _RANDOM_LIMIT else last_random + 1
        else:
            value = int.from_bytes(secrets.token_bytes(10), "big")
        _last = (millis, value)
        return value


def new_id(prefix: str, now: dt.datetime, randomness: bytes | None = None) -> str:
    """A new ID for an object created at `now` (a timezone-aware datetime)."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown ID prefix {prefix!r}")
    millis = int(now.timestamp() * 1000)
    entropy = int.from_bytes(randomness, "big") if randomness is not None else _monotonic_random(millis)
    return f"{prefix}_{_encode(millis, 10)}{_encode(entropy, 16)}"


def has_prefix(value: str, prefix: str) -> bool:
    """True when `value` looks like an ID of the given kind (shape only, not existence)."""
    head, _, body = value.partition("_")
    return head == prefix and len(body) == 26 and all(c in _ALPHABET for c in body)
