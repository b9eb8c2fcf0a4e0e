"""Idempotency-Key handling: the first request's result is stored in the same transaction as its effect.

A second request with the same key finds the stored result and gets the same answer. Concurrent requests
with one key are serialised by the key's primary key: on PostgreSQL the later insert waits for the first
transaction and then fails on the unique key, on SQLite writers queue on the database lock; either way
the loser starts over and finds the stored result, so exactly one claim is created.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from paypage.services.errors import RequestError
from paypage.services.tenancy import Tenant
from paypage.store import models
from paypage.store.db import Database

KEY_LIFETIME = dt.timedelta(hours=24)
_LOCK_TIMEOUT_SQLSTATE = "55P03"


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]
    replayed: bool


#: Does the work in the session; returns the HTTP status and the IDs needed to render the answer again.
Work = Callable[[Session], tuple[int, dict[str, Any]]]
#: Renders the answer body from those IDs (on first run and on every replay).
Render = Callable[[Session, dict[str, Any]], dict[str, Any]]


def request_digest(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise RequestError(
            400,
            "idempotency_key_invalid",
            "Idempotency-Key must be 1 to 255 printable characters",
            param="Idempotency-Key",
        )
    return key


def _existing(session: Session, tenant: Tenant, operation: str, key: str) -> models.IdempotencyRecord | None:
    return session.scalars(
        select(models.IdempotencyRecord).where(
            models.IdempotencyRecord.creditor_id == tenant.creditor_id,
            models.IdempotencyRecord.livemode == tenant.livemode,
            models.IdempotencyRecord.operation == operation,
            models.IdempotencyRecord.key == key,
        )
    ).first()


def run(
    db: Database,
    tenant: Tenant,
    operation: str,
    key: str | None,
    digest: str,
    now: dt.datetime,
    work: Work,
    render: Render,
) -> Outcome:
    if key is None:
        with db.transaction() as session:
            status, result = work(session)
            return Outcome(status, render(session, result), replayed=False)
    for _attempt in range(3):
        try:
            return _run_once(db, tenant, operation, key, digest, now, work, render)
        except IntegrityError:
            continue  # a concurrent request with this key committed first: its result is there now
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) == _LOCK_TIMEOUT_SQLSTATE:
                raise _in_use() from None
            raise
    raise _in_use()


def _in_use() -> RequestError:
    return RequestError(
        409,
        "idempotency_key_in_use",
        "Another request with this Idempotency-Key is being processed; retry shortly",
        headers={"Retry-After": "1"},
    )


def _run_once(
    db: Database,
    tenant: Tenant,
    operation: str,
    key: str,
    digest: str,
    now: dt.datetime,
    work: Work,
    render: Render,
) -> Outcome:
    with db.transaction() as session:
        if db.dialect == "postgresql":
            # Wait at most this long for a concurrent request with the same key.
            session.execute(text("SET LOCAL lock_timeout = '10s'"))
        record = _existing(session, tenant, operation, key)
        if record is not None and record.created_at < now - KEY_LIFETIME:
            session.delete(record)
            session.flush()
            record = None
        if record is not None:
            if record.request_digest != digest:
                raise RequestError(
                    409,
                    "idempotency_key_reused",
                    "This Idempotency-Key was used with a different request body; use a new key for a new request",
                    param="Idempotency-Key",
                )
            return Outcome(record.status_code, render(session, record.result), replayed=True)
        record = models.IdempotencyRecord(
            creditor_id=tenant.creditor_id,
            livemode=tenant.livemode,
            operation=operation,
            key=key,
            request_digest=digest,
            status_code=0,
            result={},
            created_at=now,
        )
        session.add(record)
        session.flush()  # claims the key before any work: a concurrent twin blocks or fails right here
        status, result = work(session)
        record.status_code = status
        record.result = result
        return Outcome(status, render(session, result), replayed=False)
