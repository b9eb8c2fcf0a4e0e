"""The decision log as the claim's timeline shows it: what the policy chose, how likely, and why.

    for record in decisions_for_claim(session, creditor_id=tenant_id, claim_id=claim_id):
        print(record.created_at, record.choice.channel, record.choice.hour, record.explanation)

Scoped by creditor: another creditor's claim id yields an empty list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.store import models


@dataclass(frozen=True)
class DecisionChoice:
    channel: str
    hour: int
    """Local hour of day in the debtor's country."""
    tone: str


@dataclass(frozen=True)
class DecisionRecord:
    id: str
    created_at: dt.datetime
    step_key: str
    choice: DecisionChoice
    send_at: dt.datetime
    propensity: float
    """Probability the policy had of making this choice (for off-policy evaluation)."""
    explored: bool
    explanation: str
    status: str
    """pending, sent, void or settled."""
    reward: int | None
    """1 when a payment or plan followed within the attribution window, 0 when none did; None until settled."""


def decisions_for_claim(session: Session, *, creditor_id: str, claim_id: str) -> list[DecisionRecord]:
    rows = session.scalars(
        select(models.ContactDecision)
        .where(models.ContactDecision.creditor_id == creditor_id, models.ContactDecision.claim_id == claim_id)
        .order_by(models.ContactDecision.id)
    )
    return [
        DecisionRecord(
            id=row.id,
            created_at=row.created_at,
            step_key=row.step_key,
            choice=DecisionChoice(row.channel, row.hour, row.tone),
            send_at=row.send_at,
            propensity=row.propensity,
            explored=row.explored,
            explanation=row.explanation,
            status=row.status,
            reward=row.reward,
        )
        for row in rows
    ]
