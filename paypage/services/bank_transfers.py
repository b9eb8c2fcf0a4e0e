"""Incoming bank transfers: matched to a claim by the reference printed on the pay page and in the QR code,
booked once per bank transaction id."""

from __future__ import annotations

import datetime as dt

from inkasso import types as wire
from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.domain.money import Money
from paypage.payments.bank_transfer.camt053 import BankCredit
from paypage.payments.bank_transfer.matching import find_reference, references_in_text, stored_reference
from paypage.services import claims, payments
from paypage.services.tenancy import Tenant
from paypage.store import models

SOURCE = "bank_transfer"


def _claim_for(session: Session, tenant: Tenant, reference: str | None) -> models.Claim | None:
    if reference is None:
        return None
    return session.scalars(
        select(models.Claim).where(
            models.Claim.creditor_id == tenant.creditor_id,
            models.Claim.livemode == tenant.livemode,
            models.Claim.transfer_reference == reference,
        )
    ).first()


def _already_booked(session: Session, tenant: Tenant, bank_reference: str) -> models.LedgerEntry | None:
    return session.scalars(
        select(models.LedgerEntry).where(
            models.LedgerEntry.creditor_id == tenant.creditor_id,
            models.LedgerEntry.source == SOURCE,
            models.LedgerEntry.source_reference == bank_reference,
            models.LedgerEntry.kind == "payment",
        )
    ).first()


def book(
    session: Session,
    tenant: Tenant,
    amount: Money,
    bank_reference: str,
    reference: str | None,
    now: dt.datetime,
) -> wire.BankTransaction:
    answer = {"bank_reference": bank_reference, "amount": amount.amount, "currency": amount.currency}
    booked = _already_booked(session, tenant, bank_reference)
    if booked is not None:
        return wire.BankTransaction(
            status="duplicate", reference=reference, claim_id=booked.claim_id, payment_id=booked.payment_id, **answer
        )
    claim = _claim_for(session, tenant, reference)
    if claim is None or claim.currency != amount.currency:
        return wire.BankTransaction(status="unmatched", reference=reference, **answer)
    row = claims.get(session, tenant, claim.id, for_update=True)
    payment = payments.start(session, row, SOURCE, "bank_transfer", amount, now)
    payment.status = "succeeded"
    payment.succeeded_at = now
    payment.provider_payment_id = bank_reference
    payments.enter_ledger(session, tenant, row, payment, "payment", amount.amount, SOURCE, bank_reference, now)
    return wire.BankTransaction(
        status="booked", reference=reference, claim_id=claim.id, payment_id=payment.id, **answer
    )


def book_reported(
    session: Session, tenant: Tenant, params: wire.BankTransactionParams, now: dt.datetime
) -> wire.BankTransaction:
    reference = stored_reference(params.reference) if params.reference else None
    if reference is None and params.remittance_text:
        found = references_in_text(params.remittance_text)
        reference = found[0] if found else None
    return book(session, tenant, Money(params.amount, params.currency), params.bank_reference, reference, now)


def book_statement(
    session: Session, tenant: Tenant, credits: list[BankCredit], now: dt.datetime
) -> wire.BankStatementResult:
    results: list[wire.BankTransaction] = []
    skipped = 0
    for credit in credits:
        key = credit.dedupe_key
        if credit.reversal or key is None:
            skipped += 1  # a reversal or an entry without the bank's reference goes to a person, not the books
            continue
        results.append(book(session, tenant, credit.amount, key, find_reference(credit), now))
    return wire.BankStatementResult(
        booked=sum(1 for r in results if r.status == "booked"),
        duplicates=sum(1 for r in results if r.status == "duplicate"),
        unmatched=sum(1 for r in results if r.status == "unmatched"),
        skipped=skipped,
        transactions=results,
    )
