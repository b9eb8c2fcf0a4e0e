"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) and recovery codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import urllib.parse

STEP = 30
DIGITS = 6
WINDOW = 1
"""Codes of the neighbouring steps are accepted too, for clocks a little apart."""


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def code_at(secret: str, timestamp: float) -> str:
    counter = int(timestamp // STEP)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**DIGITS
    return f"{number:0{DIGITS}d}"


def verify(secret: str, code: str, timestamp: float) -> bool:
    code = code.replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return False
    return any(
        hmac.compare_digest(code_at(secret, timestamp + step * STEP), code) for step in range(-WINDOW, WINDOW + 1)
    )


def provisioning_uri(secret: str, account: str, issuer: str = "inkasso") -> str:
    label = urllib.parse.quote(f"{issuer}:{account}")
    query = urllib.parse.urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP})
    return f"otpauth://totp/{label}?{query}"


def recovery_codes(count: int = 10) -> list[str]:
    return [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(count)]


def code_digest(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode("ascii", "ignore")).hexdigest()
