"""Creditors (tenants) and their API keys. A key is shown once; only its SHA-256 digest is stored."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.domain.ids import new_id
from paypage.domain.tokens import api_key_digest
from paypage.services.errors import not_found
from paypage.services.tenancy import Tenant
from paypage.store import models

_KEY_ALPHABET = string.ascii_letters + string.digits
_KEY_LENGTH = 40  # about 238 bits
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    id: str
    secret: str
    livemode: bool


def create_creditor(session: Session, name: str, now: dt.datetime) -> models.Creditor:
    creditor = models.Creditor(id=new_id("cred", now), name=name, settings={}, created_at=now)
    session.add(creditor)
    session.flush()
    return creditor


def issue_key(
    session: Session, creditor_id: str, livemode: bool, now: dt.datetime, name: str | None = None
) -> IssuedKey:
    prefix = "sk_live_" if livemode else "sk_test_"
    secret = prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(_KEY_LENGTH))
    key = models.ApiKey(
        creditor_id=creditor_id,
        id=new_id("key", now),
        livemode=livemode,
        digest=api_key_digest(secret),
        hint=secret[-4:],
        name=name,
        created_at=now,
    )
    session.add(key)
    session.flush()
    return IssuedKey(id=key.id, secret=secret, livemode=livemode)


def authenticate(session: Session, secret: str, now: dt.datetime) -> tuple[Tenant, str] | None:
    """The tenant and key id for a presented key, or None when it is unknown or revoked."""
    if not secret.startswith(("sk_test_", "sk_live_")) or len(secret) > 200:
        return None
    key = session.scalars(select(models.ApiKey).where(models.ApiKey.digest == api_key_digest(secret))).first()
    if key is None or key.revoked_at is not None:
        return None
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_RESOLUTION:
        key.last_used_at = now  # coarse on purpose: one write a minute per key, not one per request
    return Tenant(creditor_id=key.creditor_id, livemode=key.livemode), key.id


def revoke_key(session: Session, tenant: Tenant, key_id: str, now: dt.datetime) -> models.ApiKey:
    """Refuse the key from now on. The row stays, so the portal can show when it was used last."""
    key = session.get(models.ApiKey, (tenant.creditor_id, key_id))
    if key is None or key.livemode != tenant.livemode:
        raise not_found("API key", key_id)
    if key.revoked_at is None:
        key.revoked_at = now
    return key
