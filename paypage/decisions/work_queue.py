"""The engine's work queue: due claims in the order they are due, and among claims due at the same moment
(steps are scheduled at the same local hour, so many are) the most valuable first: by expected
collection within 90 days (propensity × outstanding, `claim_scores.priority`). Claims not scored yet come
after scored ones of the same moment, in ID order, so nothing is starved: every due claim is still taken
before any claim due later.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from paypage.engine import dunning
from paypage.store import models
from paypage.store.db import Database


def lease(db: Database, now: dt.datetime, limit: int, lease_for: dt.timedelta = dunning.LEASE) -> list[dunning.Due]:
    """Like `dunning.lease`, ordered by due time, then priority; the same `SKIP LOCKED` lease."""
    query = (
        select(models.Claim)
        .outerjoin(
            models.ClaimScore,
            (models.ClaimScore.creditor_id == models.Claim.creditor_id)
            & (models.ClaimScore.claim_id == models.Claim.id),
        )
        .where(models.Claim.next_action_at <= now, models.Claim.state.in_(dunning.ACTIVE_STATES))
        .order_by(models.Claim.next_action_at, func.coalesce(models.ClaimScore.priority, -1).desc(), models.Claim.id)
        .limit(limit)
    )
    with db.transaction() as session:
        if db.dialect == "postgresql":
            query = query.with_for_update(of=models.Claim, skip_locked=True)
        found = list(session.scalars(query))
        for claim in found:
            claim.next_action_at = now + lease_for
        return [dunning.Due(claim.creditor_id, claim.id, claim.livemode) for claim in found]
