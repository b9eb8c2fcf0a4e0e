"""Interest and collection costs on a claim, from the dated, sourced rules in `paypage.domain.charges`.

Only verified rules are applied. A country without rules, or with an unverified one, gets no interest or
costs here (never an invented rule); the portal shows the creditor why.

Interest runs from the day after the due date on the principal still unpaid. Payments count towards
costs first and the principal after them (§ 367 BGB's order, simplified: interest already charged is not
set against payments before the principal), so a partial payment lowers the base from its booking day.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import cast

from babel.dates import format_date
from babel.numbers import format_decimal
from inkasso.types import DebtorType
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from paypage import i18n
from paypage.domain.charges import ChargesError, InterestResult, accrue, collection_fee, rules_for
from paypage.domain.countries import Country
from paypage.domain.money import Money
from paypage.store import models

log = logging.getLogger(__name__)

COLLECTION_COSTS = "collection_costs"


def _payments(session: Session | None, claim: models.Claim) -> list[tuple[dt.date, int]]:
    if session is None:
        return []
    rows = session.execute(
        select(models.LedgerEntry.created_at, models.LedgerEntry.amount)
        .where(models.LedgerEntry.creditor_id == claim.creditor_id, models.LedgerEntry.claim_id == claim.id)
        .order_by(models.LedgerEntry.created_at)
    ).all()
    return [(created.date(), int(amount)) for created, amount in rows]


def _interest(claim: models.Claim, country: Country, today: dt.date) -> list[InterestResult]:
    rules = rules_for(country.code)
    if rules is None or rules.interest is None:
        return []
    start = claim.due_date + dt.timedelta(days=1)
    if today <= start:
        return []
    debtor = _debtor_type(claim)
    results: list[InterestResult] = []
    paid = 0
    cuts = [(day, amount) for day, amount in _payments(object_session(claim), claim) if start < day < today]
    segment_start = start
    for day, amount in [*cuts, (today, 0)]:
        base = claim.principal - max(0, paid - claim.fees_total)
        if base > 0 and day > segment_start:
            results.append(accrue(Money(base, claim.currency), segment_start, day, rules.interest, debtor))
        paid += amount
        segment_start = max(segment_start, day)
    return results


def _debtor_type(claim: models.Claim) -> DebtorType:
    session = object_session(claim)
    debtor = session.get(models.Debtor, (claim.creditor_id, claim.debtor_id)) if session else None
    return cast(DebtorType, debtor.type if debtor else "person")


def accrue_interest(claim: models.Claim, country: Country, today: dt.date) -> None:
    """Bring the claim's interest up to `today` (exclusive). Unverified or missing rules: none."""
    if claim.interest_accrued_until == today:
        return
    try:
        results = _interest(claim, country, today)
    except ChargesError as exc:
        log.debug("no interest for claim %s: %s", claim.id, type(exc).__name__)
        results = []
    claim.interest = sum(result.total.amount for result in results)
    claim.interest_accrued_until = today


def interest_note(claim: models.Claim, country: Country, language: str) -> str:
    """ "9.27 % a year since 14 February 2026", in the reader's language, for messages and letters."""
    if not claim.interest:
        return ""
    try:
        results = _interest(claim, country, claim.interest_accrued_until or claim.due_date)
    except ChargesError:
        return ""
    if not results or not results[-1].periods:
        return ""
    locale = i18n.babel_locale(language, country.code)
    rate = format_decimal(results[-1].periods[-1].rate_percent, format="#,##0.00", locale=locale)
    since = format_date(results[0].start, format="long", locale=locale)
    i18n.activate(language)
    return i18n.gettext("%(rate)s %% a year since %(date)s") % {"rate": rate, "date": since}


def apply_collection_fee(
    claim: models.Claim,
    debtor: models.Debtor,
    country: Country,
    today: dt.date,
    warning_received_on: dt.date | None = None,
) -> None:
    """Add the country's collection costs once, where a verified rule allows charging them now.

    `warning_received_on` is when the debtor got the letter that starts a waiting period (the Dutch
    14-day letter); without it, a rule that needs one charges nothing yet."""
    if any(fee.get("type") == COLLECTION_COSTS for fee in claim.fees):
        return
    try:
        result = collection_fee(
            Money(claim.principal, claim.currency),
            country.code,
            cast(DebtorType, debtor.type),
            on=today,
            reminder_received_on=warning_received_on,
        )
    except ChargesError as exc:
        log.debug("no collection costs for claim %s: %s", claim.id, type(exc).__name__)
        return
    if result.status != "charged" or result.total.amount <= 0:
        return
    claim.fees = [
        *claim.fees,
        {"type": COLLECTION_COSTS, "amount": result.total.amount, "description": result.explanation},
    ]
    claim.fees_total += result.total.amount


def announced_costs(claim: models.Claim, debtor: models.Debtor, country: Country) -> Money | None:
    """The costs a warning letter announces (the Dutch 14-day letter): what would be charged later."""
    try:
        result = collection_fee(
            Money(claim.principal, claim.currency),
            country.code,
            cast(DebtorType, debtor.type),
            on=claim.interest_accrued_until or claim.due_date,
        )
    except ChargesError:
        return None
    return result.prospective_total or (result.total if result.total.amount else None)
