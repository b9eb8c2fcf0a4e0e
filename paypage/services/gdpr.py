"""The debtor's rights under the GDPR: access (Art. 15) and erasure (Art. 17).

Erasure anonymises: the personal fields go (name becomes a placeholder, contact details, address and date
of birth become empty, message contents and recipients, the debtor's free text and uploads are removed,
and the claim snapshots in the timeline lose the debtor's details), while the booking records stay as the
law requires: claims with their amounts and dates, payments, ledger entries and plans. It is refused while
any of the debtor's claims is still open, because collecting it needs the data. Both rights are exercised
by the creditor (the controller), scoped to its own debtors, and leave an entry in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from paypage.domain.states import is_final
from paypage.services import audit
from paypage.services.errors import RequestError, not_found
from paypage.store import models

ERASED_NAME = "[erased]"
SNAPSHOT_PERSONAL = ("name", "email", "phone", "address", "date_of_birth")
FREE_TEXT_KEYS = ("note", "reason", "message", "reply_to")
"""Keys of request data and event data that hold what the debtor typed."""


class ErasureRefused(RequestError):
    """Erasure is not possible yet: a legal reason to keep the data applies (HTTP 409 on every face)."""

    def __init__(self, message: str) -> None:
        super().__init__(409, "retention_applies", message)


@dataclass(frozen=True)
class ErasureResult:
    debtor_id: str
    claims: int
    messages: int
    """Messages sent to the debtor and received from them."""
    requests: int
    uploads: int
    events: int
    already_erased: bool


# ------------------------------------------------------------------------------------------------ lookup


def _debtor(session: Session, creditor_id: str, debtor_id: str, for_update: bool = False) -> models.Debtor:
    query = select(models.Debtor).where(models.Debtor.creditor_id == creditor_id, models.Debtor.id == debtor_id)
    if for_update:
        query = query.with_for_update()
    debtor = session.scalars(query).first()
    if debtor is None:
        raise not_found("debtor", debtor_id)
    return debtor


def _claims(session: Session, debtor: models.Debtor) -> list[models.Claim]:
    return list(
        session.scalars(
            select(models.Claim)
            .where(models.Claim.creditor_id == debtor.creditor_id, models.Claim.debtor_id == debtor.id)
            .order_by(models.Claim.id)
        )
    )


def _of_claims(session: Session, model: Any, creditor_id: str, claim_ids: list[str]) -> list[Any]:
    if not claim_ids:
        return []
    return list(
        session.scalars(
            select(model).where(model.creditor_id == creditor_id, model.claim_id.in_(claim_ids)).order_by(model.id)
        )
    )


# ------------------------------------------------------------------------------------------------ access


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _plain(value: object) -> object:
    return _iso(value) if isinstance(value, dt.date) else value


_CLAIM_SECTIONS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("events", models.Event, ("id", "type", "created_at", "data")),
    (
        "messages",
        models.ContactMessage,
        ("id", "channel", "status", "language", "recipient", "subject", "body_text", "created_at", "sent_at"),
    ),
    (
        "received_messages",
        models.InboundMessage,
        ("id", "channel", "sender", "subject", "body", "intent", "outcome", "received_at"),
    ),
    (
        "payments",
        models.Payment,
        ("id", "provider", "method", "amount", "currency", "status", "created_at", "succeeded_at"),
    ),
    ("plans", models.PaymentPlan, ("id", "status", "total", "currency", "method", "schedule", "created_at")),
    ("requests", models.DebtorRequest, ("id", "kind", "status", "data", "upload_id", "created_at")),
)
"""Each kind of record a claim holds, as it appears in the export: its section and fields, in order."""


def _debtor_document(debtor: models.Debtor) -> dict[str, object]:
    address = None
    if debtor.address_line1 is not None:
        address = {
            "line1": debtor.address_line1,
            "line2": debtor.address_line2,
            "postal_code": debtor.address_postal_code,
            "city": debtor.address_city,
            "region": debtor.address_region,
            "country": debtor.address_country,
        }
    return {
        "id": debtor.id,
        "type": debtor.type,
        "name": debtor.name,
        "email": debtor.email,
        "phone": debtor.phone,
        "address": address,
        "country": debtor.country,
        "language": debtor.language,
        "date_of_birth": _iso(debtor.date_of_birth),
        "livemode": debtor.livemode,
        "created_at": _iso(debtor.created_at),
        "updated_at": _iso(debtor.updated_at),
        "erased_at": _iso(debtor.erased_at),
    }


def _claim_document(claim: models.Claim) -> dict[str, object]:
    return {
        "id": claim.id,
        "external_reference": claim.external_reference,
        "state": claim.state,
        "currency": claim.currency,
        "principal": claim.principal,
        "interest": claim.interest,
        "fees": claim.fees_total,
        "paid": claim.paid,
        "outstanding": claim.principal + claim.interest + claim.fees_total - claim.paid,
        "invoice_date": _iso(claim.invoice_date),
        "due_date": _iso(claim.due_date),
        "description": claim.description,
        "line_items": claim.line_items,
        "transfer_reference": claim.transfer_reference,
        "cancellation_reason": claim.cancellation_reason,
        "created_at": _iso(claim.created_at),
        "closed_at": _iso(claim.closed_at),
    }


def export_debtor(
    session: Session, *, creditor_id: str, debtor_id: str, now: dt.datetime, actor: str = "system"
) -> dict[str, object]:
    """Everything kept about one debtor, as JSON-ready data (amounts in minor units with their currency)."""
    return _export(session, creditor_id, debtor_id, now, actor, "json")


def export_debtor_pdf(
    session: Session, *, creditor_id: str, debtor_id: str, now: dt.datetime, actor: str = "system"
) -> bytes:
    """The same export as a readable PDF, for handing to the debtor."""
    from paypage.services.gdpr_pdf import render_export

    return render_export(_export(session, creditor_id, debtor_id, now, actor, "pdf"))


def _export(
    session: Session, creditor_id: str, debtor_id: str, now: dt.datetime, actor: str, form: str
) -> dict[str, object]:
    debtor = _debtor(session, creditor_id, debtor_id)
    creditor = session.get(models.Creditor, creditor_id)
    claims = _claims(session, debtor)
    ids = [claim.id for claim in claims]
    by_claim: dict[str, dict[str, list[dict[str, object]]]] = {
        claim_id: {
            "events": [],
            "messages": [],
            "received_messages": [],
            "payments": [],
            "plans": [],
            "requests": [],
            "uploads": [],
        }
        for claim_id in ids
    }
    for section, model, fields in _CLAIM_SECTIONS:
        for row in _of_claims(session, model, creditor_id, ids):
            by_claim[row.claim_id][section].append({name: _plain(getattr(row, name)) for name in fields})
    uploads = select(
        models.Upload.id,
        models.Upload.claim_id,
        models.Upload.content_type,
        models.Upload.size,
        models.Upload.sha256,
        models.Upload.created_at,
    ).where(models.Upload.creditor_id == creditor_id, models.Upload.claim_id.in_(ids))
    for upload in session.execute(uploads.order_by(models.Upload.id)) if ids else []:
        by_claim[upload.claim_id]["uploads"].append(
            {
                "id": upload.id,
                "content_type": upload.content_type,
                "size": upload.size,
                "sha256": upload.sha256,
                "created_at": _iso(upload.created_at),
            }
        )
    audit.record(
        session,
        creditor_id=creditor_id,
        actor=actor,
        action="debtor.exported",
        subject=debtor.id,
        detail={"claims": len(claims), "format": form},
        now=now,
    )
    return {
        "generated_at": _iso(now),
        "controller": {"id": creditor_id, "name": creditor.name if creditor else None},
        "debtor": _debtor_document(debtor),
        "claims": [{**_claim_document(claim), **by_claim[claim.id]} for claim in claims],
    }


# ----------------------------------------------------------------------------------------------- erasure


def _scrub_snapshot(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: value for key, value in data.items() if key not in FREE_TEXT_KEYS}
    claim = cleaned.get("claim")
    if isinstance(claim, dict) and isinstance(claim.get("debtor"), dict):
        debtor = dict(claim["debtor"])
        for key in SNAPSHOT_PERSONAL:
            if key in debtor:
                debtor[key] = ERASED_NAME if key == "name" else None
        cleaned["claim"] = {**claim, "debtor": debtor}
    return cleaned


def erase_debtor(
    session: Session, *, creditor_id: str, debtor_id: str, actor: str, now: dt.datetime, reason: str = "request"
) -> ErasureResult:
    """Anonymise one debtor in the caller's transaction. Erasing an erased debtor again changes nothing
    but is recorded, so a repeated request is answered the same way. `reason` goes into the audit entry:
    `request` (the debtor asked) or the retention rule that ran out."""
    debtor = _debtor(session, creditor_id, debtor_id, for_update=True)
    claims = _claims(session, debtor)
    still_open = [claim.id for claim in claims if not is_final(claim.state)]
    if still_open:
        raise ErasureRefused(
            f"debtor {debtor.id} still has {len(still_open)} open claim(s) ({', '.join(still_open[:5])}); "
            "their data is needed to collect them. Cancel or settle them first."
        )
    already = debtor.erased_at is not None
    ids = [claim.id for claim in claims]

    debtor.name = ERASED_NAME
    debtor.email = debtor.phone = None
    debtor.address_line1 = debtor.address_line2 = debtor.address_postal_code = None
    debtor.address_city = debtor.address_region = debtor.address_country = None
    debtor.date_of_birth = None
    debtor.erased_at = debtor.erased_at or now
    debtor.updated_at = now

    messages = _of_claims(session, models.ContactMessage, creditor_id, ids)
    for message in messages:
        message.recipient = ""
        message.subject = None
        message.body_text = ""
        message.body_html = None
    received = _of_claims(session, models.InboundMessage, creditor_id, ids)
    for inbound in received:
        inbound.sender = ""
        inbound.subject = None
        inbound.body = ""
    requests = _of_claims(session, models.DebtorRequest, creditor_id, ids)
    for request in requests:
        request.data = {key: value for key, value in request.data.items() if key not in FREE_TEXT_KEYS}
        request.upload_id = None
    events = _of_claims(session, models.Event, creditor_id, ids)
    for event in events:
        event.data = _scrub_snapshot(event.data)
    for plan in _of_claims(session, models.PaymentPlan, creditor_id, ids):
        plan.recurring_token = None  # a stored payment method is personal data too; the plans are over
    uploads = 0
    if ids:
        deleted = session.execute(
            delete(models.Upload).where(models.Upload.creditor_id == creditor_id, models.Upload.claim_id.in_(ids))
        )
        uploads = int(deleted.rowcount or 0)  # type: ignore[attr-defined]
    result = ErasureResult(
        debtor_id=debtor.id,
        claims=len(claims),
        messages=len(messages) + len(received),
        requests=len(requests),
        uploads=uploads,
        events=len(events),
        already_erased=already,
    )
    audit.record(
        session,
        creditor_id=creditor_id,
        actor=actor,
        action="debtor.erased",
        subject=debtor.id,
        detail={
            "claims": result.claims,
            "messages": result.messages,
            "requests": result.requests,
            "uploads": result.uploads,
            "events": result.events,
            "already_erased": already,
            "reason": reason,
        },
        now=now,
    )
    return result
