"""Delayed rewards: settle the contact decisions whose outcome is known, and teach the policy.

A sent decision earns 1 when a payment is booked or an instalment plan agreed between its message going
out and the end of its attribution window (seven days, cut short by the claim's next contact), else 0.
It is settled when the window has ended, or earlier when the claim is paid or under a plan (nothing the
contact could still cause is left then). A decision whose
message never left (bounced, cancelled, still pending after its claim was settled) is void and teaches
nothing: the debtor never saw it.

Settlement runs in every worker round and reads the time from the injected clock only, so weeks of it
replay identically in tests. Each decision is settled once: rows are locked (`SKIP LOCKED` on PostgreSQL)
and change status in the same transaction as the model weights they update; the settled decisions of one
creditor and mode are learned as one batch (`logistic.Posterior.learn`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from paypage.decisions import policy
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
        batches: dict[tuple[str, bool], list[tuple[list[str], int]]] = defaultdict(list)
        for row in rows:
            learned = _settle_one(session, row, now)
            if learned is not None:
                batches[(row.creditor_id, row.livemode)].append(learned)
        for (creditor_id, livemode), batch in batches.items():
            _learn(session, db.dialect, creditor_id, livemode, batch, now)
        return len(rows)


def _settle_one(session: Session, row: models.ContactDecision, now: dt.datetime) -> tuple[list[str], int] | None:
    """Settle one decision; returns what the model learns from it (its features and reward), if anything."""
    message = session.get(models.ContactMessage, (row.creditor_id, row.message_id)) if row.message_id else None
    if row.status == "pending" or message is None or message.status not in ("sent", "delivered"):
        row.status = "void"
        row.settled_at = now
        return None
    start = message.sent_at or row.send_at
    end = min(row.settle_after or now, now)
    paid = _recorded_between(session, models.LedgerEntry, row, start, end, models.LedgerEntry.kind == "payment")
    reward = int(paid or _recorded_between(session, models.PaymentPlan, row, start, end))
    row.status = "settled"
    row.reward = reward
    row.settled_at = now
    names = row.context.get("model_features")
    return ([str(name) for name in names], reward) if isinstance(names, list) and names else None


def _recorded_between(
    session: Session,
    model: Any,
    row: models.ContactDecision,
    start: dt.datetime,
    end: dt.datetime,
    *conditions: ColumnElement[bool],
) -> bool:
    """Whether the decision's claim has a `model` row (a ledger entry, a plan) created in [start, end]."""
    total = session.scalar(
        select(func.count())
        .select_from(model)
        .where(
            model.creditor_id == row.creditor_id,
            model.claim_id == row.claim_id,
            model.created_at >= start,
            model.created_at <= end,
            *conditions,
        )
    )
    return bool(total)


def _learn(
    session: Session,
    dialect: str,
    creditor_id: str,
    livemode: bool,
    batch: list[tuple[list[str], int]],
    now: dt.datetime,
) -> None:
    """Update the creditor's model with a batch of settled decisions and write the weights it changed.

    On PostgreSQL the creditor's row is locked first: two workers settling decisions of one creditor at
    once would otherwise each start from the same weights and one update would overwrite the other."""
    if dialect == "postgresql":
        session.execute(select(models.Creditor.id).where(models.Creditor.id == creditor_id).with_for_update())
    names = {name for features, _ in batch for name in features}
    posterior = policy.load_posterior(session, creditor_id, livemode, names)
    changed = posterior.learn(batch)
    weight = models.PolicyWeight
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    for name, value in changed.items():
        values = {
            "creditor_id": creditor_id,
            "livemode": livemode,
            "feature": name,
            "mean": value.mean,
            "precision": value.precision,
            "trials": value.trials,
            "updated_at": now,
        }
        statement = insert(weight).values(values)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["creditor_id", "livemode", "feature"],
                set_={"mean": value.mean, "precision": value.precision, "trials": value.trials, "updated_at": now},
            )
        )
