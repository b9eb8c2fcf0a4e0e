"""Timeline events, written in the transaction of the change that causes them (the outbox)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from inkasso.types import API_VERSION
from inkasso.types import Event as WireEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.domain.ids import new_id
from paypage.services.tenancy import Tenant
from paypage.store import models


def record(
    session: Session,
    tenant: Tenant,
    event_type: str,
    now: dt.datetime,
    claim_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> models.Event:
    event = models.Event(
        creditor_id=tenant.creditor_id,
        id=new_id("evt", now),
        livemode=tenant.livemode,
        claim_id=claim_id,
        type=event_type,
        api_version=API_VERSION,
        data=data or {},
        created_at=now,
    )
    session.add(event)
    return event


def for_claim(session: Session, tenant: Tenant, claim_id: str, limit: int, after: str | None) -> list[models.Event]:
    """The claim's timeline, oldest first, `limit` rows after the event id `after`."""
    query = (
        select(models.Event)
        .where(
            models.Event.creditor_id == tenant.creditor_id,
            models.Event.livemode == tenant.livemode,
            models.Event.claim_id == claim_id,
        )
        .order_by(models.Event.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(models.Event.id > after)
    return list(session.scalars(query))


def to_wire(event: models.Event) -> WireEvent:
    return WireEvent(
        id=event.id,
        type=event.type,
        claim_id=event.claim_id,
        livemode=event.livemode,
        api_version=event.api_version,
        created_at=event.created_at,
        data=event.data,
    )
