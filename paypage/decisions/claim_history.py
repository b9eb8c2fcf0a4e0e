"""A claim's past as the propensity model sees it: the hand-over and the timeline of events, nothing else.

Everything here comes from the platform's own records (claims and their events). The debtor row is read
for its type and country only: no name, date of birth, address or language ever reaches a feature.
Queries are scoped to one creditor and mode; a pooled history is the union of per-creditor reads.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.store import models

TERMINAL_EVENTS = frozenset({"claim.paid", "claim.cancelled", "claim.escalated", "claim.written_off"})
"""After one of these the claim no longer waits for a payment we could predict."""

MAX_IN_LIST = 500

RELEVANT_EVENTS = (
    "claim.contacted",
    "claim.viewed",
    "claim.payment_succeeded",
    "claim.payment_refunded",
    "claim.plan_created",
    "claim.plan_defaulted",
    "claim.paused",
    "claim.disputed",
    "debtor.message_received",
    *sorted(TERMINAL_EVENTS),
)


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    type: str
    channel: str | None = None
    amount: int = 0
    """Payment amount in minor units of the claim's currency (negative for a refund)."""


@dataclass
class ClaimHistory:
    creditor_id: str
    claim_id: str
    livemode: bool
    country: str
    currency: str
    debtor_type: str
    principal: int
    """The amount handed over, in minor units of `currency`."""
    due_date: dt.date
    created_at: dt.datetime
    timeline: list[TimelineEntry] = field(default_factory=list)
    """Oldest first."""

    def before(self, at: dt.datetime) -> list[TimelineEntry]:
        """What had happened strictly before `at`: the only entries a score at `at` may use."""
        return self.timeline[: bisect.bisect_left(self.timeline, at, key=lambda entry: entry.at)]

    def paid_at(self) -> dt.datetime | None:
        return next((entry.at for entry in self.timeline if entry.type == "claim.paid"), None)

    def closed_at(self) -> dt.datetime | None:
        return next((entry.at for entry in self.timeline if entry.type in TERMINAL_EVENTS), None)

    def paid_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Net amount paid in (start, end], minor units."""
        return sum(entry.amount for entry in self.timeline if start < entry.at <= end and entry.amount)


def _entry(row: models.Event) -> TimelineEntry:
    data = row.data or {}
    channel = data.get("channel") if row.type == "claim.contacted" else None
    amount = 0
    if row.type in ("claim.payment_succeeded", "claim.payment_refunded"):
        payment = data.get("payment") or {}
        raw = payment.get("amount", 0)
        amount = int(raw) if isinstance(raw, int) else 0
        if row.type == "claim.payment_refunded":
            amount = -amount
    return TimelineEntry(row.created_at, row.type, str(channel) if channel else None, amount)


def load(
    session: Session,
    creditor_id: str,
    livemode: bool,
    claim_ids: Iterable[str] | None = None,
    states: Sequence[str] | None = None,
) -> list[ClaimHistory]:
    """The creditor's claims (or the given ones, or those in `states`) with their relevant events."""
    query = (
        select(models.Claim, models.Debtor.type)
        .join(
            models.Debtor,
            (models.Debtor.creditor_id == models.Claim.creditor_id) & (models.Debtor.id == models.Claim.debtor_id),
        )
        .where(models.Claim.creditor_id == creditor_id, models.Claim.livemode == livemode)
        .order_by(models.Claim.created_at, models.Claim.id)
    )
    wanted = None if claim_ids is None else set(claim_ids)
    if wanted is not None and not wanted:
        return []
    # A long ID list would exceed the database's limit of bound parameters: read all, keep the wanted.
    narrow = wanted is not None and len(wanted) <= MAX_IN_LIST
    if narrow:
        query = query.where(models.Claim.id.in_(sorted(wanted or ())))
    if states is not None:
        query = query.where(models.Claim.state.in_(list(states)))
    histories: dict[str, ClaimHistory] = {}
    for claim, debtor_type in session.execute(query):
        if wanted is not None and claim.id not in wanted:
            continue
        histories[claim.id] = ClaimHistory(
            creditor_id=claim.creditor_id,
            claim_id=claim.id,
            livemode=claim.livemode,
            country=claim.country,
            currency=claim.currency,
            debtor_type=debtor_type,
            principal=claim.principal,
            due_date=claim.due_date,
            created_at=claim.created_at,
        )
    if not histories:
        return []
    event_query = (
        select(models.Event)
        .where(
            models.Event.creditor_id == creditor_id,
            models.Event.livemode == livemode,
            models.Event.type.in_(RELEVANT_EVENTS),
            models.Event.claim_id.is_not(None),
        )
        .order_by(models.Event.created_at, models.Event.id)
    )
    if narrow:
        event_query = event_query.where(models.Event.claim_id.in_(sorted(histories)))
    elif states is not None:
        # Only the events of claims in those states, without sending their IDs as parameters.
        in_states = select(models.Claim.id).where(
            models.Claim.creditor_id == creditor_id,
            models.Claim.livemode == livemode,
            models.Claim.state.in_(list(states)),
        )
        event_query = event_query.where(models.Event.claim_id.in_(in_states))
    timelines: dict[str, list[TimelineEntry]] = defaultdict(list)
    for row in session.scalars(event_query):
        if row.claim_id in histories:
            timelines[row.claim_id].append(_entry(row))
    for claim_id, timeline in timelines.items():
        histories[claim_id].timeline = timeline
    return list(histories.values())


def creditor_ids(session: Session) -> list[str]:
    return list(session.scalars(select(models.Creditor.id).order_by(models.Creditor.id)))
