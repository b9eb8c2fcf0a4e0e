"""The instalments of a creditor's payment plans in one mode, summed by due date in the database.

The schedules stay in the database: its JSON functions unnest them (`jsonb_array_elements` on PostgreSQL,
`json_each` on SQLite) and only a row per (plan status, claim state, currency, due date, paid or not) comes
back, a few hundred rows where shipping and decoding every schedule took seconds at 100,000 claims.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import JSON, BigInteger, Float, and_, cast, column, func, select, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from paypage.store import models


@dataclass(frozen=True)
class InstalmentGroup:
    plan_status: str
    claim_state: str
    currency: str
    due_date: dt.date
    paid: bool
    """The instalment's own status is `paid`."""
    count: int
    amount: int
    """Minor units of `currency`."""
    squares: float
    """Σ amount², for the variance of the forecast's band."""


def grouped(session: Session, creditor_id: str, livemode: bool) -> list[InstalmentGroup]:
    plan, claim = models.PaymentPlan, models.Claim
    if session.get_bind().dialect.name == "postgresql":
        items = func.jsonb_array_elements(plan.schedule).table_valued(column("value", JSONB))
    else:
        items = func.json_each(plan.schedule).table_valued(column("value", JSON))
    value = items.c.value
    amount = cast(value["amount"].as_string(), BigInteger)
    # Grouping on the columns of a subquery: the JSON paths are bound parameters, which PostgreSQL would not
    # recognise as the same expressions in GROUP BY.
    rows = (
        select(
            plan.status.label("plan_status"),
            claim.state.label("claim_state"),
            plan.currency.label("currency"),
            value["due_date"].as_string().label("due_date"),
            (value["status"].as_string() == "paid").label("paid"),
            amount.label("amount"),
        )
        .select_from(plan)
        .join(claim, and_(claim.creditor_id == plan.creditor_id, claim.id == plan.claim_id))
        .join(items, true())
        .where(plan.creditor_id == creditor_id, claim.livemode == livemode)
        .subquery()
    )
    keys = (rows.c.plan_status, rows.c.claim_state, rows.c.currency, rows.c.due_date, rows.c.paid)
    found = session.execute(
        select(
            *keys,
            func.count(),
            func.sum(rows.c.amount),
            func.sum(cast(rows.c.amount, Float) * cast(rows.c.amount, Float)),
        ).group_by(*keys)
    )
    return [
        InstalmentGroup(
            str(status),
            str(state),
            str(currency),
            dt.date.fromisoformat(str(due)),
            bool(paid),
            int(n),
            int(total),
            float(sq),
        )
        for status, state, currency, due, paid, n, total, sq in found
    ]
