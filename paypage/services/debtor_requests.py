"""What the debtor asks for on the pay page. Each request is stored, changes the claim where it must
(a pause, a dispute), and becomes an event in the timeline for the creditor."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy.orm import Session

from paypage.domain.ids import new_id
from paypage.services import claims, events
from paypage.services.tenancy import Tenant
from paypage.store import models

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_TYPES = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
"""Accepted proof-of-payment types, each checked against the file's first bytes, not its name."""


class UploadRejected(ValueError):
    pass


def check_upload(content: bytes, declared_type: str) -> str:
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadRejected("too_large")
    for content_type, magic in UPLOAD_TYPES.items():
        if content.startswith(magic):
            return content_type
    raise UploadRejected("wrong_type")


def _store(
    session: Session,
    tenant: Tenant,
    claim: models.Claim,
    kind: str,
    data: dict[str, Any],
    now: dt.datetime,
    upload_id: str | None = None,
) -> models.DebtorRequest:
    request = models.DebtorRequest(
        creditor_id=tenant.creditor_id,
        id=new_id("dbr", now),
        claim_id=claim.id,
        kind=kind,
        data=data,
        upload_id=upload_id,
        status="open",
        created_at=now,
    )
    session.add(request)
    return request


def already_paid(
    session: Session,
    tenant: Tenant,
    row: claims.Row,
    paid_on: dt.date,
    amount: int,
    note: str,
    proof: tuple[bytes, str] | None,
    now: dt.datetime,
) -> models.DebtorRequest:
    claim, _ = row
    upload_id = None
    if proof is not None:
        content, content_type = proof
        upload = models.Upload(
            creditor_id=tenant.creditor_id,
            id=new_id("upl", now),
            claim_id=claim.id,
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            created_at=now,
        )
        session.add(upload)
        upload_id = upload.id
    data = {"paid_on": paid_on.isoformat(), "amount": amount, "currency": claim.currency, "note": note}
    request = _store(session, tenant, claim, "already_paid", data, now, upload_id)
    _message_event(session, tenant, row, "already_paid", request.id, now)
    return request


def pause(
    session: Session, tenant: Tenant, row: claims.Row, until: dt.date, reason: str, now: dt.datetime
) -> models.DebtorRequest:
    claim, _ = row
    request = _store(session, tenant, claim, "pause", {"until": until.isoformat(), "reason": reason}, now)
    claim.resume_state = claim.state
    claim.next_action_at = dt.datetime.combine(until, dt.time(8), tzinfo=dt.UTC)
    claims.transition(session, tenant, row, "paused", now, until=until.isoformat(), reason=reason)
    return request


def dispute(session: Session, tenant: Tenant, row: claims.Row, reason: str, now: dt.datetime) -> models.DebtorRequest:
    claim, _ = row
    request = _store(session, tenant, claim, "dispute", {"reason": reason}, now)
    claim.resume_state = claim.state
    claim.next_action_at = None  # collection stops until the creditor resolves the dispute
    claims.transition(session, tenant, row, "disputed", now, reason=reason)
    return request


def contact(
    session: Session, tenant: Tenant, row: claims.Row, message: str, reply_to: str, now: dt.datetime
) -> models.DebtorRequest:
    claim, _ = row
    request = _store(session, tenant, claim, "contact", {"message": message, "reply_to": reply_to}, now)
    _message_event(session, tenant, row, "contact", request.id, now)
    return request


def _message_event(
    session: Session, tenant: Tenant, row: claims.Row, intent: str, request_id: str, now: dt.datetime
) -> None:
    data = {**claims.snapshot(row), "channel": "pay_page", "intent": intent, "message_id": request_id}
    events.record(session, tenant, "debtor.message_received", now, row[0].id, data)
