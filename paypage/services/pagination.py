"""Opaque cursors for list endpoints: the position is the last ID of the page, base64-wrapped."""

from __future__ import annotations

import base64
import binascii

from paypage.services.errors import RequestError

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    if not raw or "_" not in raw or len(raw) > 40:
        raise RequestError(400, "parameter_invalid", "cursor: is not a cursor this API returned", "cursor")
    return raw


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise RequestError(400, "parameter_invalid", f"limit: must be an integer from 1 to {MAX_LIMIT}", "limit")
    return int(raw)
