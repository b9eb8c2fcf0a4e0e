"""Pay tokens: 128 bits, derived from the service's secret so a link can be shown again, stored hashed.

The token is HMAC-SHA256(secret, claim id and link version) cut to 16 bytes. It cannot be guessed without
the secret, the database only keeps its SHA-256 digest, and a new link version revokes the old link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def pay_token(secret: bytes, claim_id: str, version: int) -> str:
    mac = hmac.new(secret, f"pay-link:{claim_id}:{version}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).rstrip(b"=").decode()


def token_digest(token: str) -> str:
    """What the database stores and looks up: the hex SHA-256 of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
