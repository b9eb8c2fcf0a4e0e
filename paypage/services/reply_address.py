"""Per-claim reply addresses: `r-<claim>-<check>@<inbound domain>`.

An answer we send carries one as Reply-To, so the debtor's reply finds its claim without a reference.
The check is an HMAC of the creditor and the claim under the service's secret, so nobody can make up an
address that lands on someone else's claim. A local part stays within the 64 characters SMTP allows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

LABEL = b"inkasso reply address v1"
_PATTERN = re.compile(r"r-([0-9a-z]{26})-([a-z2-7]{16})", re.IGNORECASE)


def _check(secret: bytes, creditor_id: str, claim_id: str) -> str:
    digest = hmac.new(secret, LABEL + f"\x1f{creditor_id}\x1f{claim_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode("ascii").lower()


def local_part(secret: bytes, creditor_id: str, claim_id: str) -> str:
    return f"r-{claim_id.removeprefix('clm_')}-{_check(secret, creditor_id, claim_id)}"


def address(secret: bytes, creditor_id: str, claim_id: str, domain: str) -> str:
    return f"{local_part(secret, creditor_id, claim_id)}@{domain}"


def claim_id_of(local: str) -> tuple[str, str] | None:
    """(claim id, check) when `local` has the reply-address form; `verify` must still be called."""
    found = _PATTERN.fullmatch(local.split("+", 1)[0].strip())
    return (f"clm_{found.group(1).lower()}", found.group(2).lower()) if found else None


def verify(secret: bytes, creditor_id: str, claim_id: str, check: str) -> bool:
    return hmac.compare_digest(_check(secret, creditor_id, claim_id), check)
