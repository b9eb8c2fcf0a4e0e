"""A synthetic collection history with known payment behaviour, written as real rows (claims, debtors,
events) so the propensity model, the forecast and the experiment report read it exactly as they read
production data.

Each debtor has a hidden willingness to pay. The daily chance of paying in full rises with it, falls
with the amount and with time, and jumps for a few days after each contact; willing debtors open the
pay page more often after a contact, so visits carry signal without giving the outcome away. Some
debtors pay part first. Unpaid claims are escalated on day 90.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from inkasso.types import API_VERSION
from sqlalchemy.orm import Session

from paypage.domain.ids import new_id
from paypage.store import models

CONTACT_DAYS = ((0, "email"), (4, "sms"), (14, "email"), (28, "letter"), (35, "sms"), (56, "letter"), (70, "email"))
COUNTRIES = (("DE", "EUR"), ("AT", "EUR"), ("NL", "EUR"), ("FR", "EUR"), ("CH", "CHF"))
FINAL_DAY = 90


@dataclass(frozen=True)
class Truth:
    claim_id: str
    willingness: float
    paid_day: int | None


def _event(creditor_id: str, livemode: bool, claim_id: str, kind: str, at: dt.datetime, **data: object) -> models.Event:
    return models.Event(
        creditor_id=creditor_id,
        id=new_id("evt", at),
        livemode=livemode,
        claim_id=claim_id,
        type=kind,
        api_version=API_VERSION,
        data=dict(data),
        created_at=at,
    )


def seed(
    session: Session,
    creditor_id: str,
    *,
    now: dt.datetime,
    claims: int,
    days: int = 365,
    seed: int = 7,
    livemode: bool = False,
    lift: float = 1.0,
) -> list[Truth]:
    """Write `claims` claims handed over evenly in the `days` before `now`, and their timelines.

    `lift` multiplies every debtor's daily chance of paying: an experiment's better strategy, say.
    """
    rng = random.Random(seed)
    truths: list[Truth] = []
    debtors: list[models.Debtor] = []
    rows: list[models.Claim] = []
    timelines: list[models.Event] = []
    for number in range(claims):
        created = now - dt.timedelta(days=days * (claims - number) / claims, hours=rng.random())
        country, currency = rng.choice(COUNTRIES)
        company = rng.random() < 0.2
        amount = int(math.exp(rng.gauss(math.log(12_000), 1.0)))
        willingness = rng.betavariate(2, 3)
        debtor = models.Debtor(
            creditor_id=creditor_id,
            id=new_id("dbt", created),
            livemode=livemode,
            type="company" if company else "person",
            name="Synthetic Debtor",
            email="debtor@example.org",
            phone=None,
            country=country,
            created_at=created,
            updated_at=created,
        )
        claim = models.Claim(
            creditor_id=creditor_id,
            id=new_id("clm", created),
            livemode=livemode,
            debtor_id=debtor.id,
            state="in_collection",
            external_reference=f"SYN-{seed}-{number:06d}",
            country=country,
            currency=currency,
            principal=amount,
            interest=0,
            fees_total=0,
            paid=0,
            invoice_date=(created - dt.timedelta(days=30)).date(),
            due_date=(created - dt.timedelta(days=14)).date(),
            line_items=[],
            fees=[],
            metadata_={},
            created_at=created,
            updated_at=created,
        )
        debtors.append(debtor)
        rows.append(claim)
        timeline = [_event(creditor_id, livemode, claim.id, "claim.created", created)]
        base = lift * (0.004 + 0.05 * willingness**2) * (1.25 if company else 1.0) / (1 + amount / 60_000)
        contacts = dict(CONTACT_DAYS)
        last_contact = -100
        paid_day: int | None = None
        partial_done = False
        elapsed = int((now - created).total_seconds() // 86_400)
        for day in range(min(elapsed, FINAL_DAY) + 1):
            at = created + dt.timedelta(days=day, hours=9 + rng.random() * 8)
            if at + dt.timedelta(days=1) >= now:
                break
            if day in contacts:
                last_contact = day
                timeline.append(_event(creditor_id, livemode, claim.id, "claim.contacted", at, channel=contacts[day]))
                if rng.random() < 0.15 + 0.7 * willingness:
                    seen = at + dt.timedelta(hours=rng.random() * 20)
                    timeline.append(_event(creditor_id, livemode, claim.id, "claim.viewed", seen))
            boost = 3.0 if day - last_contact <= 3 else 1.0
            hazard = base * boost * math.exp(-day / 120)
            if not partial_done and rng.random() < hazard * 0.3:
                partial_done = True
                part = amount // 3
                claim.paid += part
                pay_at = at + dt.timedelta(hours=1)
                timeline.append(
                    _event(creditor_id, livemode, claim.id, "claim.payment_succeeded", pay_at, payment={"amount": part})
                )
                continue
            if rng.random() < hazard:
                pay_at = at + dt.timedelta(hours=2)
                rest = amount - claim.paid
                claim.paid = amount
                claim.state = "paid"
                claim.closed_at = pay_at
                timeline.append(
                    _event(creditor_id, livemode, claim.id, "claim.payment_succeeded", pay_at, payment={"amount": rest})
                )
                timeline.append(_event(creditor_id, livemode, claim.id, "claim.paid", pay_at))
                paid_day = day
                break
        else:
            if elapsed >= FINAL_DAY:
                end = created + dt.timedelta(days=FINAL_DAY, hours=12)
                claim.state = "escalated"
                claim.closed_at = end
                timeline.append(_event(creditor_id, livemode, claim.id, "claim.escalated", end))
        timelines += timeline
        truths.append(Truth(claim.id, willingness, paid_day))
    # No ORM relationships tie these rows together, so the order of the inserts is made explicit.
    for batch in (debtors, rows, timelines):
        session.add_all(batch)
        session.flush()
    return truths
