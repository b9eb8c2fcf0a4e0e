"""Delayed rewards: settle the contact decisions whose outcome is known, and teach the policy.

A sent decision earns 1 when a payment is booked or an instalment plan agreed between its message going
out and the end of its attribution window (seven days, cut short by the claim's next contact), else 0.
It is settled when the window has ended, or earlier when the claim is paid or under a plan (nothing the
contact could still cause is left then). A decision whose
message never left (bounced, cancelled, still pending after its claim was settled) is void and teaches
nothing: the debtor never saw it.

Settlement runs in every worker round and reads the time from the injected clock only, so weeks of it
replay identically in tests. Each decision is settled once: rows are locked (`SKIP LOCKED` on PostgreSQL)
and change status in the same transaction as the arms they update.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from paypage.store import models
from paypage.store.db import Database

STALE_PENDING = dt.timedelta(days=2)
"""A decision still waiting this long after its hour was overtaken (the claim was paid, paused, ...)."""


def settle(db: Database, now: dt.datetime, limit: int = 500) -> int:
    """Settle what can be settled now; returns the number of decisions settled or voided."""
    decision = models.ContactDecision
    settled_claim = (
        select(models.Claim.id)
        .where(
            models.Claim.creditor_id == decision.creditor_id,
            models.Claim.id == decision.claim_id,
            models.Claim.state.in_(("paid", "payment_plan")),
        )
        .exists()
    )
    query = (
        select(decision)
        .where(
            or_(
                (decision.status == "sent") & ((decision.settle_after <= now) | settled_claim),
                (decision.status == "pending") & (decision.send_at <= now - STALE_PENDING),
            )
        )
        .order_by(decision.creditor_id, decision.id)
        .limit(limit)
    )
    with db.transaction() as session:
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True, of=decision)
        rows = list(session.scalars(query))
        for row in rows:
            _settle_one(session, db.dialect, row, now)
        return len(rows)


def _settle_one(session: Session, dialect: str, row: models.ContactDecision, now: dt.datetime) -> None:
    message = session.get(models.ContactMessage, (row.creditor_id, row.message_id)) if row.message_id else None
    if row.status == "pending" or message is None or message.status not in ("sent", "delivered"):
        row.status = "void"
        row.settled_at = now
        return
    start = message.sent_at or row.send_at
    end = min(row.settle_after or now, now)
    reward = int(_paid_between(session, row, start, end) or _plan_between(session, row, start, end))
    row.status = "settled"
    row.reward = reward
    row.settled_at = now
    segments = row.context.get("segments", [])
    arms = row.context.get("arms", [])
    _add(session, dialect, row, segments, arms, reward, now)


def _paid_between(session: Session, row: models.ContactDecision, start: dt.datetime, end: dt.datetime) -> bool:
    total = session.scalar(
        select(func.count())
        .select_from(models.LedgerEntry)
        .where(
            models.LedgerEntry.creditor_id == row.creditor_id,
            models.LedgerEntry.claim_id == row.claim_id,
            models.LedgerEntry.kind == "payment",
            models.LedgerEntry.created_at >= start,
            models.LedgerEntry.created_at <= end,
        )
    )
    return bool(total)


def _plan_between(session: Session, row: models.ContactDecision, start: dt.datetime, end: dt.datetime) -> bool:
    total = session.scalar(
        select(func.count())
        .select_from(models.PaymentPlan)
        .where(
            models.PaymentPlan.creditor_id == row.creditor_id,
            models.PaymentPlan.claim_id == row.claim_id,
            models.PaymentPlan.created_at >= start,
            models.PaymentPlan.created_at <= end,
        )
    )
    return bool(total)


def _add(
    session: Session,
    dialect: str,
    row: models.ContactDecision,
    segments: Iterable[str],
    arms: Iterable[str],
    reward: int,
    now: dt.datetime,
) -> None:
    """Add one trial (and `reward` successes) to each arm in each segment, as one upsert per arm."""
    arm = models.PolicyArm
    arm_names = list(arms)
    for segment in segments:
        for name in arm_names:
            values = {
                "creditor_id": row.creditor_id,
                "livemode": row.livemode,
                "segment": segment,
                "arm": name,
                "successes": reward,
                "trials": 1,
                "updated_at": now,
            }
            keys = ["creditor_id", "livemode", "segment", "arm"]
            change = {"successes": arm.successes + reward, "trials": arm.trials + 1, "updated_at": now}
            if dialect == "postgresql":
                pg = postgresql_insert(arm).values(values)
                session.execute(pg.on_conflict_do_update(index_elements=keys, set_=change))
            else:
                lite = sqlite_insert(arm).values(values)
                session.execute(lite.on_conflict_do_update(index_elements=keys, set_=change))
