"""Webhook endpoints of a creditor: create, change, delete, rotate the signing secret, resend events."""

from __future__ import annotations

import datetime as dt

from inkasso import types as wire
from inkasso.webhooks import new_secret
from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.domain.ids import new_id
from paypage.services.errors import RequestError, not_found
from paypage.services.tenancy import Tenant
from paypage.services.url_safety import UnsafeURLError, check_target
from paypage.store import models

ROTATION_OVERLAP = dt.timedelta(hours=24)


def _check_url(url: str, tenant: Tenant) -> None:
    try:
        check_target(url, tenant.livemode)
    except UnsafeURLError as exc:
        raise RequestError(400, "url_not_allowed", f"url: {exc}", "url") from None


def render(endpoint: models.WebhookEndpoint, show_secret: bool = False) -> wire.WebhookEndpoint:
    return wire.WebhookEndpoint(
        id=endpoint.id,
        livemode=endpoint.livemode,
        url=endpoint.url,
        events=endpoint.events,
        description=endpoint.description,
        status=endpoint.status,
        disabled_reason=endpoint.disabled_reason,
        secret=endpoint.secret if show_secret else None,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def create(
    session: Session, tenant: Tenant, params: wire.WebhookEndpointCreateParams, now: dt.datetime
) -> models.WebhookEndpoint:
    _check_url(params.url, tenant)
    endpoint = models.WebhookEndpoint(
        creditor_id=tenant.creditor_id,
        id=new_id("whe", now),
        livemode=tenant.livemode,
        url=params.url,
        events=params.events,
        description=params.description,
        status="enabled",
        secret=new_secret(),
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def get(session: Session, tenant: Tenant, endpoint_id: str) -> models.WebhookEndpoint:
    endpoint = session.scalars(
        select(models.WebhookEndpoint).where(
            models.WebhookEndpoint.creditor_id == tenant.creditor_id,
            models.WebhookEndpoint.livemode == tenant.livemode,
            models.WebhookEndpoint.id == endpoint_id,
            models.WebhookEndpoint.deleted_at.is_(None),
        )
    ).first()
    if endpoint is None:
        raise not_found("webhook endpoint", endpoint_id)
    return endpoint


def list_page(
    session: Session, tenant: Tenant, limit: int, before: str | None
) -> tuple[list[models.WebhookEndpoint], bool]:
    query = (
        select(models.WebhookEndpoint)
        .where(
            models.WebhookEndpoint.creditor_id == tenant.creditor_id,
            models.WebhookEndpoint.livemode == tenant.livemode,
            models.WebhookEndpoint.deleted_at.is_(None),
        )
        .order_by(models.WebhookEndpoint.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(models.WebhookEndpoint.id < before)
    rows = list(session.scalars(query))
    return rows[:limit], len(rows) > limit


def update(
    session: Session, tenant: Tenant, endpoint_id: str, params: wire.WebhookEndpointUpdateParams, now: dt.datetime
) -> models.WebhookEndpoint:
    endpoint = get(session, tenant, endpoint_id)
    if params.url is not None:
        _check_url(params.url, tenant)
        endpoint.url = params.url
    if params.events is not None:
        endpoint.events = params.events
    if "description" in params.model_fields_set:
        endpoint.description = params.description
    if params.status == "enabled":
        endpoint.status = "enabled"
        endpoint.disabled_reason = None
        endpoint.failing_since = None
    elif params.status == "disabled":
        endpoint.status = "disabled"
        endpoint.disabled_reason = "disabled by the creditor"
    endpoint.updated_at = now
    return endpoint


def delete(session: Session, tenant: Tenant, endpoint_id: str, now: dt.datetime) -> None:
    endpoint = get(session, tenant, endpoint_id)
    endpoint.deleted_at = now
    endpoint.status = "disabled"
    endpoint.disabled_reason = "deleted"
    pending = session.scalars(
        select(models.WebhookDelivery).where(
            models.WebhookDelivery.creditor_id == tenant.creditor_id,
            models.WebhookDelivery.endpoint_id == endpoint_id,
            models.WebhookDelivery.status == "pending",
        )
    )
    for delivery in pending:
        delivery.status = "cancelled"
        delivery.completed_at = now


def rotate_secret(session: Session, tenant: Tenant, endpoint_id: str, now: dt.datetime) -> models.WebhookEndpoint:
    """A new secret; the old one keeps signing beside it for 24 hours so receivers can switch over."""
    endpoint = get(session, tenant, endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    endpoint.updated_at = now
    return endpoint


def signing_secrets(endpoint: models.WebhookEndpoint, now: dt.datetime) -> list[str]:
    secrets = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        secrets.append(endpoint.previous_secret)
    return secrets


def attempts_page(
    session: Session, tenant: Tenant, endpoint_id: str, limit: int, before: str | None
) -> tuple[list[models.WebhookAttempt], bool]:
    get(session, tenant, endpoint_id)
    query = (
        select(models.WebhookAttempt)
        .where(
            models.WebhookAttempt.creditor_id == tenant.creditor_id,
            models.WebhookAttempt.endpoint_id == endpoint_id,
        )
        .order_by(models.WebhookAttempt.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(models.WebhookAttempt.id < before)
    rows = list(session.scalars(query))
    return rows[:limit], len(rows) > limit


def render_attempt(attempt: models.WebhookAttempt) -> wire.WebhookAttempt:
    return wire.WebhookAttempt(
        id=attempt.id,
        endpoint_id=attempt.endpoint_id,
        event_id=attempt.event_id,
        event_type=attempt.event_type,
        attempt=attempt.attempt,
        status_code=attempt.status_code,
        duration_ms=attempt.duration_ms,
        response_body=attempt.response_body,
        error=attempt.error,
        succeeded=attempt.succeeded,
        created_at=attempt.created_at,
    )


def subscribed(endpoint: models.WebhookEndpoint, event_type: str) -> bool:
    return "*" in endpoint.events or event_type in endpoint.events


def enqueue(
    session: Session,
    creditor_id: str,
    endpoint_id: str,
    event_id: str,
    claim_id: str | None,
    now: dt.datetime,
) -> models.WebhookDelivery:
    delivery = models.WebhookDelivery(
        creditor_id=creditor_id,
        id=new_id("wdl", now),
        endpoint_id=endpoint_id,
        event_id=event_id,
        claim_id=claim_id,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    return delivery


def resend(session: Session, tenant: Tenant, event_id: str, endpoint_id: str, now: dt.datetime) -> None:
    event = session.get(models.Event, (tenant.creditor_id, event_id))
    if event is None or event.livemode != tenant.livemode:
        raise not_found("event", event_id)
    endpoint = get(session, tenant, endpoint_id)
    if endpoint.status != "enabled":
        raise RequestError(
            409, "endpoint_disabled", "endpoint: enable the endpoint before resending events to it", "endpoint"
        )
    enqueue(session, tenant.creditor_id, endpoint.id, event.id, event.claim_id, now)
