"""`/v1/webhook_endpoints` and `/v1/events`: where events go, the delivery log, the event log, resends."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, request
from inkasso import types as wire
from sqlalchemy.orm import Session

from paypage.api import bp
from paypage.api.body import json_object, known_query, optional_json_object
from paypage.api.render import api_actor, json_response, page
from paypage.api.render import tenant as current_tenant
from paypage.extensions import database, settings
from paypage.services import audit, events, webhook_endpoints
from paypage.services.errors import RequestError
from paypage.services.pagination import decode_cursor, parse_limit
from paypage.services.validation import parse


def _paging() -> tuple[int, str | None]:
    return parse_limit(request.args.get("limit")), decode_cursor(request.args.get("cursor"))


@bp.post("/webhook_endpoints")
def create_webhook_endpoint() -> Response:
    params = parse(wire.WebhookEndpointCreateParams, json_object())
    tenant, now = current_tenant(), settings().clock()
    with database().transaction() as session:
        endpoint = webhook_endpoints.create(session, tenant, params, now)
        # A new endpoint is a new recipient of claim snapshots, debtors included.
        _audit(session, "webhook_endpoint.created", endpoint.id, {"host": urlsplit(endpoint.url).hostname or ""})
        return json_response(webhook_endpoints.render(endpoint, show_secret=True), 201)


def _audit(session: Session, action: str, endpoint_id: str, detail: dict[str, object] | None = None) -> None:
    tenant = current_tenant()
    audit.record(
        session,
        creditor_id=tenant.creditor_id,
        actor=api_actor(),
        action=action,
        subject=endpoint_id,
        detail={"livemode": tenant.livemode, **(detail or {})},
        now=settings().clock(),
    )


@bp.get("/webhook_endpoints")
def list_webhook_endpoints() -> Response:
    known_query({"limit", "cursor"})
    limit, before = _paging()
    with database().transaction() as session:
        rows, has_more = webhook_endpoints.list_page(session, current_tenant(), limit, before)
        rendered = [webhook_endpoints.render(row) for row in rows]
    return json_response(page(list(rendered), has_more, rows[-1].id if rows else None))


@bp.get("/webhook_endpoints/<endpoint_id>")
def get_webhook_endpoint(endpoint_id: str) -> Response:
    with database().transaction() as session:
        return json_response(webhook_endpoints.render(webhook_endpoints.get(session, current_tenant(), endpoint_id)))


@bp.patch("/webhook_endpoints/<endpoint_id>")
def update_webhook_endpoint(endpoint_id: str) -> Response:
    params = parse(wire.WebhookEndpointUpdateParams, json_object())
    with database().transaction() as session:
        endpoint = webhook_endpoints.update(session, current_tenant(), endpoint_id, params, settings().clock())
        return json_response(webhook_endpoints.render(endpoint))


@bp.delete("/webhook_endpoints/<endpoint_id>")
def delete_webhook_endpoint(endpoint_id: str) -> Response:
    with database().transaction() as session:
        webhook_endpoints.delete(session, current_tenant(), endpoint_id, settings().clock())
        _audit(session, "webhook_endpoint.deleted", endpoint_id)
    return json_response(wire.DeletedObject(id=endpoint_id, object="webhook_endpoint", deleted=True))


@bp.post("/webhook_endpoints/<endpoint_id>/rotate_secret")
def rotate_webhook_secret(endpoint_id: str) -> Response:
    optional_json_object()
    with database().transaction() as session:
        endpoint = webhook_endpoints.rotate_secret(session, current_tenant(), endpoint_id, settings().clock())
        _audit(session, "webhook_endpoint.secret_rotated", endpoint.id)
        return json_response(webhook_endpoints.render(endpoint, show_secret=True))


@bp.get("/webhook_endpoints/<endpoint_id>/attempts")
def list_webhook_attempts(endpoint_id: str) -> Response:
    known_query({"limit", "cursor"})
    limit, before = _paging()
    with database().transaction() as session:
        rows, has_more = webhook_endpoints.attempts_page(session, current_tenant(), endpoint_id, limit, before)
        rendered = [webhook_endpoints.render_attempt(row) for row in rows]
    return json_response(page(list(rendered), has_more, rows[-1].id if rows else None))


@bp.get("/events")
def list_events() -> Response:
    known_query({"limit", "cursor", "type", "claim_id"})
    event_type = request.args.get("type")
    if event_type is not None and event_type not in wire.EVENT_TYPES:
        raise RequestError(400, "parameter_invalid", f"type: '{event_type[:64]}' is not an event type", "type")
    limit, before = _paging()
    with database().transaction() as session:
        rows, has_more = events.list_page(
            session, current_tenant(), limit, before, event_type, request.args.get("claim_id")
        )
        rendered = [events.to_wire(row) for row in rows]
    return json_response(page(list(rendered), has_more, rows[-1].id if rows else None))


@bp.get("/events/<event_id>")
def get_event(event_id: str) -> Response:
    with database().transaction() as session:
        return json_response(events.to_wire(events.get(session, current_tenant(), event_id)))


@bp.post("/events/<event_id>/resend")
def resend_event(event_id: str) -> Response:
    params = parse(wire.EventResendParams, json_object())
    with database().transaction() as session:
        webhook_endpoints.resend(session, current_tenant(), event_id, params.endpoint, settings().clock())
    return json_response(wire.EventResend(event_id=event_id, endpoint_id=params.endpoint, status="pending"), 202)
