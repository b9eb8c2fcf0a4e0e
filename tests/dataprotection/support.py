"""Claims, payments, messages and requests for one debtor, written through the services at a given time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Flask
from inkasso import types as wire
from sqlalchemy.orm import Session

from paypage.domain.ids import new_id
from paypage.extensions import database, links
from paypage.services import claims, creditors, debtor_requests
from paypage.services.tenancy import Tenant
from paypage.store import models
from tests.factories import claim_body, debtor

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass(frozen=True)
class Handed:
    tenant: Tenant
    claim_id: str
    debtor_id: str


def new_tenant(app: Flask, now: dt.datetime, name: str = "Data Shop GmbH") -> Tenant:
    with app.app_context(), database().transaction() as session:
        creditor = creditors.create_creditor(session, name, now)
    return Tenant(creditor_id=creditor.id, livemode=False)


def hand_over(app: Flask, tenant: Tenant, now: dt.datetime, **debtor_fields: Any) -> Handed:
    params = wire.ClaimCreateParams.model_validate(claim_body(debtor=debtor(**debtor_fields)))
    with app.app_context(), database().transaction() as session:
        claim, owner = claims.create(session, tenant, params, links(), now)
    return Handed(tenant, claim.id, owner.id)


def add_history(app: Flask, handed: Handed, now: dt.datetime, secret_text: str) -> None:
    """A sent message, a reply from the debtor, a paid-already request with a note and an upload, a payment
    and its ledger entry."""
    tenant = handed.tenant
    with app.app_context(), database().transaction() as session:
        row = claims.get(session, tenant, handed.claim_id)
        session.add(message(tenant, handed.claim_id, now, secret_text))
        session.add(received(tenant, handed.claim_id, now, secret_text))
        debtor_requests.already_paid(
            session, tenant, row, now.date(), 500, f"note: {secret_text}", (PNG, "image/png"), now
        )
        pay(session, tenant, handed.claim_id, 500, now)


def message(tenant: Tenant, claim_id: str, now: dt.datetime, secret_text: str) -> models.ContactMessage:
    return models.ContactMessage(
        creditor_id=tenant.creditor_id,
        id=new_id("msg", now),
        livemode=tenant.livemode,
        claim_id=claim_id,
        step_key="reminder-1",
        channel="email",
        template="reminder",
        tone="friendly",
        language="de",
        status="sent",
        recipient=f"{secret_text}@example.de",
        subject=f"Erinnerung für {secret_text}",
        body_text=f"Hallo {secret_text}, bitte zahlen Sie.",
        body_html=f"<p>Hallo {secret_text}</p>",
        created_at=now,
        sent_at=now,
        updated_at=now,
    )


def received(tenant: Tenant, claim_id: str, now: dt.datetime, secret_text: str) -> models.InboundMessage:
    return models.InboundMessage(
        creditor_id=tenant.creditor_id,
        id=new_id("inm", now),
        livemode=tenant.livemode,
        claim_id=claim_id,
        channel="email",
        provider_reference=f"<{new_id('inm', now)}@example.de>",
        sender=f"{secret_text}@example.de",
        subject=f"Re: Erinnerung für {secret_text}",
        body=f"Ich zahle nächste Woche. {secret_text}",
        language="de",
        matched_by="token",
        intent="question",
        confidence=0.9,
        outcome="human",
        reason="below_threshold",
        received_at=now,
    )


def pay(session: Session, tenant: Tenant, claim_id: str, amount: int, now: dt.datetime) -> None:
    payment_id = new_id("pay", now)
    session.add(
        models.Payment(
            creditor_id=tenant.creditor_id,
            id=payment_id,
            livemode=tenant.livemode,
            claim_id=claim_id,
            provider="sandbox",
            method="card",
            amount=amount,
            currency="EUR",
            status="succeeded",
            created_at=now,
            updated_at=now,
            succeeded_at=now,
        )
    )
    session.add(
        models.LedgerEntry(
            creditor_id=tenant.creditor_id,
            id=new_id("led", now),
            claim_id=claim_id,
            payment_id=payment_id,
            kind="payment",
            amount=amount,
            currency="EUR",
            source="sandbox",
            source_reference=payment_id,
            created_at=now,
        )
    )


def close(app: Flask, handed: Handed, now: dt.datetime) -> None:
    with app.app_context(), database().transaction() as session:
        claims.cancel(session, handed.tenant, handed.claim_id, "settled out of court", now)
