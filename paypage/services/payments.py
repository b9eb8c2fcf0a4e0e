"""Booking payments exactly once, in any order, from provider webhooks and bank statements.

Every movement of money is a ledger entry with a unique (source, source reference, kind): a payment
notified three times, or by two event types of one provider, books once; a refund that arrives before
its payment books its negative entry first and the payment later, and the sum is the same. A claim's
`paid` is the sum of its entries, so the books always balance.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paypage.domain.ids import new_id
from paypage.domain.money import Money
from paypage.domain.states import is_final
from paypage.payments.protocol import ProviderEvent
from paypage.services import claims, events
from paypage.services.errors import RequestError
from paypage.services.tenancy import Tenant
from paypage.store import models

log = logging.getLogger(__name__)

_PAYABLE_TO_PAID = {"open", "in_collection", "payment_plan", "paused", "disputed"}


def start(
    session: Session,
    row: claims.Row,
    provider: str,
    method: str | None,
    amount: Money,
    now: dt.datetime,
    plan_id: str | None = None,
    instalment_number: int | None = None,
) -> models.Payment:
    """A pending payment, created before the debtor is sent to the provider."""
    claim, _ = row
    if amount.currency != claim.currency:
        raise RequestError(400, "currency_mismatch", f"the claim is in {claim.currency}, not {amount.currency}")
    payment = models.Payment(
        creditor_id=claim.creditor_id,
        id=new_id("pay", now),
        livemode=claim.livemode,
        claim_id=claim.id,
        provider=provider,
        method=method,
        amount=amount.amount,
        currency=amount.currency,
        status="pending",
        plan_id=plan_id,
        instalment_number=instalment_number,
        created_at=now,
        updated_at=now,
    )
    session.add(payment)
    session.flush()
    return payment


def _summary(payment: models.Payment, amount: int | None = None) -> dict[str, object]:
    return {
        "id": payment.id,
        "amount": payment.amount if amount is None else amount,
        "currency": payment.currency,
        "method": payment.method,
        "provider": payment.provider,
    }


@dataclass(frozen=True)
class Booked:
    event_id: str
    applied: bool
    reason: str


def book_provider_events(
    session: Session, creditor_id: str, provider: str, notifications: Sequence[ProviderEvent], now: dt.datetime
) -> list[Booked]:
    """Apply a provider's verified notifications; each one only once."""
    return [_book_one(session, creditor_id, provider, notification, now) for notification in notifications]


def _book_one(
    session: Session, creditor_id: str, provider: str, notification: ProviderEvent, now: dt.datetime
) -> Booked:
    seen = session.get(models.ProviderEvent, (creditor_id, provider, notification.provider_event_id))
    if seen is not None:
        return Booked(notification.provider_event_id, False, "duplicate notification")
    payment = _find_payment(session, creditor_id, provider, notification)
    session.add(
        models.ProviderEvent(
            creditor_id=creditor_id,
            provider=provider,
            provider_event_id=notification.provider_event_id,
            kind=notification.kind,
            payment_id=payment.id if payment else None,
            received_at=now,
        )
    )
    if payment is None:
        log.warning("%s notification %s names no payment of ours", provider, notification.provider_event_id)
        return Booked(notification.provider_event_id, False, "unknown payment")
    if notification.amount.currency != payment.currency:
        log.warning("%s notification %s has another currency than its payment", provider, payment.id)
        return Booked(notification.provider_event_id, False, "currency differs from the payment")
    payment.provider_payment_id = payment.provider_payment_id or notification.provider_payment_id
    payment.method = payment.method or notification.method
    tenant = Tenant(creditor_id, payment.livemode)
    row = claims.get(session, tenant, payment.claim_id, for_update=True)
    reference = notification.provider_payment_id
    if notification.kind == "payment_succeeded":
        applied = enter_ledger(
            session, tenant, row, payment, "payment", notification.amount.amount, provider, reference, now
        )
        if payment.status in ("pending", "failed", "abandoned"):
            payment.status = "succeeded"
            payment.succeeded_at = now
    elif notification.kind == "payment_refunded":
        applied = enter_ledger(
            session, tenant, row, payment, "refund", notification.amount.amount, provider, reference, now
        )
        payment.status = "refunded"
    elif notification.kind == "payment_failed":
        applied = payment.status == "pending"
        if applied:
            payment.status = "failed"
            payment.failure_reason = notification.failure_reason
            data = {**claims.snapshot(row), "payment": _summary(payment), "failure_reason": notification.failure_reason}
            events.record(session, tenant, "claim.payment_failed", now, payment.claim_id, data)
    else:
        applied = False
    if notification.kind == "payment_succeeded" and payment.plan_id and payment.instalment_number:
        _mark_instalment_paid(session, creditor_id, payment)
    if notification.recurring_token and payment.plan_id:
        plan = session.get(models.PaymentPlan, (creditor_id, payment.plan_id))
        if plan is not None:
            plan.recurring_token = notification.recurring_token
    payment.updated_at = now
    return Booked(notification.provider_event_id, applied, notification.kind)


def _mark_instalment_paid(session: Session, creditor_id: str, payment: models.Payment) -> None:
    plan = session.get(models.PaymentPlan, (creditor_id, payment.plan_id))
    if plan is None:
        return
    schedule = [dict(item) for item in plan.schedule]
    for item in schedule:
        if item["number"] == payment.instalment_number:
            item["status"] = "paid"
            item["payment_id"] = payment.id
    plan.schedule = schedule  # a new list: JSON columns are not change-tracked in place
    if all(item["status"] == "paid" for item in schedule):
        plan.status = "completed"


def _find_payment(
    session: Session, creditor_id: str, provider: str, notification: ProviderEvent
) -> models.Payment | None:
    if notification.payment_id:
        payment = session.get(models.Payment, (creditor_id, notification.payment_id))
        if payment is not None and payment.provider == provider:
            return payment
    return session.scalars(
        select(models.Payment).where(
            models.Payment.creditor_id == creditor_id,
            models.Payment.provider == provider,
            models.Payment.provider_payment_id == notification.provider_payment_id,
        )
    ).first()


def enter_ledger(
    session: Session,
    tenant: Tenant,
    row: claims.Row,
    payment: models.Payment,
    kind: str,
    amount: int,
    source: str,
    source_reference: str,
    now: dt.datetime,
) -> bool:
    """Add one ledger entry unless it exists; recompute the claim's paid sum; record the events."""
    exists = session.scalars(
        select(models.LedgerEntry.id).where(
            models.LedgerEntry.creditor_id == tenant.creditor_id,
            models.LedgerEntry.source == source,
            models.LedgerEntry.source_reference == source_reference,
            models.LedgerEntry.kind == kind,
        )
    ).first()
    if exists is not None:
        return False
    signed = amount if kind == "payment" else -amount
    session.add(
        models.LedgerEntry(
            creditor_id=tenant.creditor_id,
            id=new_id("led", now),
            claim_id=payment.claim_id,
            payment_id=payment.id,
            kind=kind,
            amount=signed,
            currency=payment.currency,
            source=source,
            source_reference=source_reference,
            created_at=now,
        )
    )
    session.flush()
    claim, _ = row
    claim.paid = (
        session.scalar(
            select(func.coalesce(func.sum(models.LedgerEntry.amount), 0)).where(
                models.LedgerEntry.creditor_id == tenant.creditor_id, models.LedgerEntry.claim_id == claim.id
            )
        )
        or 0
    )
    claim.updated_at = now
    event_type = "claim.payment_succeeded" if kind == "payment" else "claim.payment_refunded"
    events.record(
        session, tenant, event_type, now, claim.id, {**claims.snapshot(row), "payment": _summary(payment, amount)}
    )
    if kind == "payment" and claims.outstanding(claim) <= 0 and claim.state in _PAYABLE_TO_PAID:
        claims.transition(session, tenant, row, "paid", now)
    elif kind == "refund" and is_final(claim.state) and claims.outstanding(claim) > 0:
        _notice_reopened_balance(session, claim, now)
    return True


def _notice_reopened_balance(session: Session, claim: models.Claim, now: dt.datetime) -> None:
    # A closed claim is not reopened automatically: a person decides whether to collect again.
    session.add(
        models.Notice(
            creditor_id=claim.creditor_id,
            id=new_id("ntc", now),
            livemode=claim.livemode,
            kind="claim.refund_after_close",
            message=f"A refund left {claims.outstanding(claim)} (minor units, {claim.currency}) open on the closed "
            f"claim {claim.external_reference}. Decide whether to collect it again.",
            subject_id=claim.id,
            created_at=now,
        )
    )
