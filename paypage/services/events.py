"""Timeline events, written in the transaction of the change that causes them (the outbox)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from inkasso.types import API_VERSION
from inkasso.types import Event as WireEvent
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from paypage.domain.ids import new_id
from paypage.services import webhook_endpoints
from paypage.services.errors import not_found
from paypage.services.tenancy import Tenant
from paypage.store import models

WAKEUP_CHANNEL = "inkasso_work"


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
    for endpoint in _endpoints(session, tenant):
        if webhook_endpoints.subscribed(endpoint, event_type):
            webhook_endpoints.enqueue(session, tenant.creditor_id, endpoint.id, event.id, claim_id, now)
            _wake_workers(session)
    return event


def _wake_workers(session: Session) -> None:
    """On PostgreSQL, tell idle workers at commit that there is something to deliver (LISTEN/NOTIFY)."""
    if session.info.get("inkasso.notified") or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text(f"NOTIFY {WAKEUP_CHANNEL}"))
    session.info["inkasso.notified"] = True


def _endpoints(session: Session, tenant: Tenant) -> list[models.WebhookEndpoint]:
    """The tenant's enabled endpoints, looked up once per transaction (a batch records many events)."""
    key = ("inkasso.endpoints", tenant.creditor_id, tenant.livemode)
    cached = session.info.get(key)
    if cached is None:
        cached = list(
            session.scalars(
                select(models.WebhookEndpoint).where(
                    models.WebhookEndpoint.creditor_id == tenant.creditor_id,
                    models.WebhookEndpoint.livemode == tenant.livemode,
                    models.WebhookEndpoint.status == "enabled",
                    models.WebhookEndpoint.deleted_at.is_(None),
                )
            )
        )
        session.info[key] = cached
    return list(cached)


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


def get(session: Session, tenant: Tenant, event_id: str) -> models.Event:
    event = session.get(models.Event, (tenant.creditor_id, event_id))
    if event is None or event.livemode != tenant.livemode:
        raise not_found("event", event_id)
    return event


def list_page(
    session: Session,
    tenant: Tenant,
    limit: int,
    before: str | None,
    event_type: str | None = None,
    claim_id: str | None = None,
) -> tuple[list[models.Event], bool]:
    """The event log, newest first."""
    query = (
        select(models.Event)
        .where(models.Event.creditor_id == tenant.creditor_id, models.Event.livemode == tenant.livemode)
        .order_by(models.Event.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(models.Event.id < before)
    if event_type is not None:
        query = query.where(models.Event.type == event_type)
    if claim_id is not None:
        query = query.where(models.Event.claim_id == claim_id)
    rows = list(session.scalars(query))
    return rows[:limit], len(rows) > limit
