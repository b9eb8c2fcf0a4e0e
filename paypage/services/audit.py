"""The append-only audit log: who did what that matters, in one SHA-256 hash chain.

Each entry's hash covers a canonical encoding of the entry and the previous entry's hash, so changing,
removing or inserting an entry anywhere breaks every later link, and `verify` finds the first break.
Appends are serialised: on PostgreSQL by a transaction-scoped advisory lock, on SQLite by the write lock
every transaction takes at its start. Sequence numbers are therefore gapless: a gap is a deleted entry.
The database refuses UPDATE and DELETE on the table (triggers from migration 0005). Removing the newest
entries is the one change a chain cannot show on its own; `flask --app paypage audit verify` prints the head
hash so it can be kept elsewhere and compared.

Actors are ids, never names or addresses: `user:usr_...`, `api_key:key_...`, `system`, `operator:cli`,
`anonymous` (someone not signed in).
`detail` holds ids, counts and codes, never personal data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select, text
from sqlalchemy.orm import Session

from paypage.store.models import AuditEntry

__all__ = ["AuditEntry", "VerifyResult", "entries", "record", "verify"]

GENESIS = "0" * 64
ADVISORY_LOCK = 0x696E6B61_75646974  # "inkaudit": one lock for the one chain
ACTOR = re.compile(r"(system|anonymous|[a-z_]+:[A-Za-z0-9_.-]{1,64})")
ACTION = re.compile(r"[a-z_]+(\.[a-z_]+)+")
VERIFY_BATCH = 1000
MAX_LIMIT = 500
_COLUMNS = ("seq", "creditor_id", "actor", "action", "subject", "detail", "created_at", "prev_hash", "hash")


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad: int | None
    """The sequence number of the first entry that does not fit the chain."""
    reason: str | None
    head_hash: str | None = None
    """The newest entry's hash: keep it outside the database to notice removed newest entries later."""


def _check_detail(value: object, path: str = "detail") -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_detail(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: keys must be strings")
            _check_detail(item, f"{path}.{key}")
        return
    # Floats do not survive every JSON round trip bit for bit, and money is never a float anyway.
    raise TypeError(f"{path}: {type(value).__name__} is not allowed; use str, int, bool, None, list or dict")


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("audit timestamps are timezone-aware UTC")
    return moment.astimezone(dt.UTC)


def entry_hash(
    prev_hash: str,
    seq: int,
    creditor_id: str | None,
    actor: str,
    action: str,
    subject: str | None,
    detail: Mapping[str, object],
    created_at: dt.datetime,
) -> str:
    canonical = json.dumps(
        {
            "seq": seq,
            "creditor_id": creditor_id,
            "actor": actor,
            "action": action,
            "subject": subject,
            "detail": detail,
            "created_at": _utc(created_at).isoformat(timespec="microseconds"),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def _hash_of(entry: AuditEntry | Row[Any]) -> str:
    return entry_hash(
        entry.prev_hash,
        entry.seq,
        entry.creditor_id,
        entry.actor,
        entry.action,
        entry.subject,
        entry.detail,
        entry.created_at,
    )


def _serialise(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})


def record(
    session: Session,
    *,
    creditor_id: str | None,
    actor: str,
    action: str,
    subject: str | None,
    detail: Mapping[str, object] | None,
    now: dt.datetime,
) -> AuditEntry:
    """Append one entry in the caller's transaction: it exists exactly when the action it records does."""
    if not ACTOR.fullmatch(actor):
        raise ValueError(f"actor {actor!r}: use 'system', 'anonymous' or 'kind:id' (an id, never a name or an address)")
    if not ACTION.fullmatch(action) or len(action) > 64:
        raise ValueError(f"action {action!r}: use dotted lower-case words, e.g. 'debtor.erased'")
    if subject is not None and len(subject) > 80:
        raise ValueError("subject: at most 80 characters (an object id)")
    document = dict(detail or {})
    _check_detail(document)
    created_at = _utc(now)
    _serialise(session)
    head = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
    entry = AuditEntry(
        seq=seq,
        creditor_id=creditor_id,
        actor=actor,
        action=action,
        subject=subject,
        detail=document,
        created_at=created_at,
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, seq, creditor_id, actor, action, subject, document, created_at),
    )
    session.add(entry)
    session.flush()
    return entry


def entries(
    session: Session, *, creditor_id: str | None, limit: int = 50, before: int | None = None
) -> list[AuditEntry]:
    """Newest first. A creditor sees only its own entries; `creditor_id=None` gives the operator's entries
    (those that belong to no creditor)."""
    limit = max(1, min(limit, MAX_LIMIT))
    scope = AuditEntry.creditor_id.is_(None) if creditor_id is None else AuditEntry.creditor_id == creditor_id
    query = select(AuditEntry).where(scope).order_by(AuditEntry.seq.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    return list(session.scalars(query))


def verify(session: Session) -> VerifyResult:
    """Walk the whole chain in order, a batch at a time."""
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    columns = [getattr(AuditEntry, name) for name in _COLUMNS]
    while True:
        # Plain rows, not ORM objects: the walk must not fill the caller's session with the whole log.
        batch = session.execute(
            select(*columns).where(AuditEntry.seq >= expected_seq).order_by(AuditEntry.seq).limit(VERIFY_BATCH)
        ).all()
        for entry in batch:
            if entry.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, f"entry {expected_seq} is missing")
            if entry.prev_hash != prev_hash:
                return VerifyResult(False, checked, entry.seq, "its link to the previous entry is broken")
            if _hash_of(entry) != entry.hash:
                return VerifyResult(False, checked, entry.seq, "its content does not match its hash")
            checked += 1
            expected_seq, prev_hash = entry.seq + 1, entry.hash
        if len(batch) < VERIFY_BATCH:
            return VerifyResult(True, checked, None, None, None if checked == 0 else prev_hash)
