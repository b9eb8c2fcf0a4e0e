"""Webhook delivery: lease due deliveries, POST them signed, log each attempt, retry with backoff.

A delivery is leased (`locked_until`) in a short transaction before its HTTP request, so no two workers
send the same attempt at once, and a worker that dies mid-request only delays the delivery until the
lease runs out. Delivery is therefore at least once; `webhook-id` (the event id) lets receivers drop the
rare duplicate. Events of one claim go to one endpoint in order: a delivery waits while an earlier one
for the same claim and endpoint is still pending.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import httpx
from inkasso import webhooks as signing
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from paypage.domain.ids import new_id
from paypage.services import events, webhook_endpoints
from paypage.services.url_safety import UnsafeURLError, check_target
from paypage.store import models
from paypage.store.db import Database

log = logging.getLogger(__name__)

#: Wait after the n-th failed attempt; after the last one the delivery is marked failed.
BACKOFF: tuple[dt.timedelta, ...] = (
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
REQUEST_TIMEOUT = 15.0
LEASE = dt.timedelta(seconds=60)
DISABLE_AFTER = dt.timedelta(days=5)
RESPONSE_EXCERPT = 1024
USER_AGENT = "inkasso-webhooks/1"


@dataclass(frozen=True)
class Job:
    creditor_id: str
    delivery_id: str
    endpoint_id: str
    url: str
    livemode: bool
    secrets: tuple[str, ...]
    event_id: str
    event_type: str
    body: bytes
    attempt: int


@dataclass(frozen=True)
class Result:
    status_code: int | None
    duration_ms: int
    response_body: str | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def lease(db: Database, now: dt.datetime, limit: int, lease_for: dt.timedelta = LEASE) -> list[Job]:
    """Take up to `limit` due deliveries for this worker and return what is needed to send them."""
    earlier = aliased(models.WebhookDelivery)
    blocked_by_earlier = exists().where(
        and_(
            earlier.creditor_id == models.WebhookDelivery.creditor_id,
            earlier.endpoint_id == models.WebhookDelivery.endpoint_id,
            earlier.claim_id == models.WebhookDelivery.claim_id,
            earlier.status == "pending",
            earlier.event_id < models.WebhookDelivery.event_id,
        )
    )
    query = (
        select(models.WebhookDelivery)
        .where(
            models.WebhookDelivery.status == "pending",
            models.WebhookDelivery.next_attempt_at <= now,
            or_(models.WebhookDelivery.locked_until.is_(None), models.WebhookDelivery.locked_until < now),
            ~blocked_by_earlier,
        )
        .order_by(models.WebhookDelivery.next_attempt_at, models.WebhookDelivery.event_id)
        .limit(limit)
    )
    with db.transaction() as session:
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        deliveries = list(session.scalars(query))
        if not deliveries:
            return []
        for delivery in deliveries:
            delivery.locked_until = now + lease_for
            delivery.attempts += 1
        return _jobs(session, deliveries, now)


def _jobs(session: Session, deliveries: Sequence[models.WebhookDelivery], now: dt.datetime) -> list[Job]:
    endpoint_keys = {(d.creditor_id, d.endpoint_id) for d in deliveries}
    event_keys = {(d.creditor_id, d.event_id) for d in deliveries}
    endpoints = {(e.creditor_id, e.id): e for e in _by_keys(session, models.WebhookEndpoint, endpoint_keys)}
    found = {(e.creditor_id, e.id): e for e in _by_keys(session, models.Event, event_keys)}
    bodies = {key: events.to_wire(event).model_dump_json().encode() for key, event in found.items()}
    jobs = []
    for delivery in deliveries:
        endpoint = endpoints[(delivery.creditor_id, delivery.endpoint_id)]
        event = found[(delivery.creditor_id, delivery.event_id)]
        jobs.append(
            Job(
                creditor_id=delivery.creditor_id,
                delivery_id=delivery.id,
                endpoint_id=endpoint.id,
                url=endpoint.url,
                livemode=endpoint.livemode,
                secrets=tuple(webhook_endpoints.signing_secrets(endpoint, now)),
                event_id=event.id,
                event_type=event.type,
                body=bodies[(delivery.creditor_id, delivery.event_id)],
                attempt=delivery.attempts,
            )
        )
    return jobs


_Row = TypeVar("_Row", models.WebhookEndpoint, models.Event)


def _by_keys(session: Session, model: type[_Row], keys: set[tuple[str, str]]) -> list[_Row]:
    creditor_ids = {creditor for creditor, _ in keys}
    ids = {object_id for _, object_id in keys}
    rows = session.scalars(select(model).where(model.creditor_id.in_(creditor_ids), model.id.in_(ids)))
    return [row for row in rows if (row.creditor_id, row.id) in keys]


def send(job: Job, http: httpx.Client, clock: Callable[[], dt.datetime], timeout: float = REQUEST_TIMEOUT) -> Result:
    """POST one signed delivery; never raises for what the receiver does."""
    started = time.perf_counter()
    try:
        check_target(job.url, job.livemode)  # again at send time: DNS may have changed since creation
        headers = signing.headers(
            job.body, secret=list(job.secrets), msg_id=job.event_id, timestamp=int(clock().timestamp())
        )
        response = http.post(
            job.url,
            content=job.body,
            headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
            timeout=timeout,
            follow_redirects=False,
        )
        excerpt = response.text[:RESPONSE_EXCERPT]
        return Result(response.status_code, _elapsed_ms(started), excerpt, None)
    except UnsafeURLError as exc:
        return Result(None, _elapsed_ms(started), None, f"url refused: {exc}")
    except httpx.TimeoutException:
        return Result(None, _elapsed_ms(started), None, f"no answer within {timeout:g} s")
    except httpx.HTTPError as exc:
        return Result(None, _elapsed_ms(started), None, f"{type(exc).__name__}: {exc}"[:500])


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def record(db: Database, outcomes: Sequence[tuple[Job, Result]], now: dt.datetime) -> None:
    """Log the attempts of one round and settle each delivery: done, retry later, or failed for good.

    One transaction per round, not per delivery: a crash before it commits only means the round's
    deliveries are sent again when their lease runs out, which at-least-once delivery allows.
    """
    if not outcomes:
        return
    with db.transaction() as session:
        delivery_keys = {(job.creditor_id, job.delivery_id) for job, _ in outcomes}
        creditor_ids = {creditor for creditor, _ in delivery_keys}
        locked = session.scalars(
            select(models.WebhookDelivery)
            .where(
                models.WebhookDelivery.creditor_id.in_(creditor_ids),
                models.WebhookDelivery.id.in_([delivery_id for _, delivery_id in delivery_keys]),
            )
            .order_by(models.WebhookDelivery.creditor_id, models.WebhookDelivery.id)
            .with_for_update()
        )
        deliveries = {(d.creditor_id, d.id): d for d in locked}
        endpoint_keys = {(job.creditor_id, job.endpoint_id) for job, _ in outcomes}
        endpoints = {(e.creditor_id, e.id): e for e in _by_keys(session, models.WebhookEndpoint, endpoint_keys)}
        for job, result in outcomes:
            delivery = deliveries.get((job.creditor_id, job.delivery_id))
            endpoint = endpoints.get((job.creditor_id, job.endpoint_id))
            if delivery is not None and endpoint is not None:
                _settle(session, delivery, endpoint, job, result, now)


def _settle(
    session: Session,
    delivery: models.WebhookDelivery,
    endpoint: models.WebhookEndpoint,
    job: Job,
    result: Result,
    now: dt.datetime,
) -> None:
    session.add(
        models.WebhookAttempt(
            creditor_id=job.creditor_id,
            id=new_id("wat", now),
            delivery_id=job.delivery_id,
            endpoint_id=job.endpoint_id,
            event_id=job.event_id,
            event_type=job.event_type,
            attempt=job.attempt,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            response_body=result.response_body,
            error=result.error,
            succeeded=result.succeeded,
            created_at=now,
        )
    )
    if delivery.status != "pending":
        return  # cancelled meanwhile (endpoint deleted): keep the log, change nothing else
    delivery.locked_until = None
    if result.succeeded:
        delivery.status = "succeeded"
        delivery.completed_at = now
        endpoint.failing_since = None
        return
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = "failed"
        delivery.completed_at = now
    else:
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    endpoint.failing_since = endpoint.failing_since or now
    if endpoint.status == "enabled" and now - endpoint.failing_since >= DISABLE_AFTER:
        _disable(session, endpoint, now)


def _disable(session: Session, endpoint: models.WebhookEndpoint, now: dt.datetime) -> None:
    endpoint.status = "disabled"
    endpoint.disabled_reason = f"every delivery failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC"
    endpoint.updated_at = now
    session.add(
        models.Notice(
            creditor_id=endpoint.creditor_id,
            id=new_id("ntc", now),
            livemode=endpoint.livemode,
            kind="webhook_endpoint.disabled",
            message=(
                f"The webhook endpoint {endpoint.url} was disabled because every delivery to it failed for "
                f"{DISABLE_AFTER.days} days. Fix it, enable it again, and resend the events it missed."
            ),
            subject_id=endpoint.id,
            created_at=now,
        )
    )
    log.warning(
        "webhook endpoint %s of creditor %s disabled after repeated failures", endpoint.id, endpoint.creditor_id
    )
