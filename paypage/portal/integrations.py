"""Integration pages: API keys and webhook endpoints (with the delivery log and resending).

The CSV import (`imports`) and the settings pages (`workspace_settings`) register their routes from their
own modules, imported at the bottom. A new key or webhook secret is shown once, in the answer to the form
that made it, and never again: only digests (keys) or the signing secret itself (webhooks) are stored.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import redirect, request, url_for
from inkasso import types as wire
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from paypage.extensions import database, settings
from paypage.portal import NOTICES, bp, page
from paypage.portal.access import current_tenant, current_user, requires
from paypage.portal.audit_trail import record as audit
from paypage.portal.i18n import _
from paypage.services import creditors, webhook_endpoints
from paypage.services.errors import RequestError
from paypage.services.tenancy import Tenant
from paypage.store import models

NOTICES.update(
    {
        "key_revoked": lambda: _("The key was revoked. Requests made with it are refused from now on."),
        "event_resent": lambda: _("The event is queued for delivery again."),
        "endpoint_disabled": lambda: _("The endpoint is disabled. Enable it before resending events."),
        "secret_rotated_already": lambda: _("The secret had already been rotated: it was not changed again."),
    }
)
LOG_LIMIT = 50


def _actor() -> str:
    user = current_user()
    return f"user:{user.id}" if user else "user:unknown"


def _keys(session: Session, tenant: Tenant) -> list[models.ApiKey]:
    query = (
        select(models.ApiKey)
        .where(models.ApiKey.creditor_id == tenant.creditor_id, models.ApiKey.livemode == tenant.livemode)
        .order_by(models.ApiKey.id.desc())
    )
    return list(session.scalars(query))


def _overview(status: int = 200, **values: object) -> Response:
    tenant = current_tenant()
    with database().transaction() as session:
        keys = _keys(session, tenant)
        endpoints, _more = webhook_endpoints.list_page(session, tenant, 100, None)
    return page("portal/integrations/index.html", status, keys=keys, endpoints=endpoints, **values)


@bp.get("/integrations")
@requires("read_only")
def integrations() -> Response:
    return _overview()


@bp.post("/integrations/keys")
@requires("owner")
def create_key() -> Response:
    tenant = current_tenant()
    name = request.form.get("name", "").strip()
    if not name or len(name) > 80:
        return _overview(400, key_error=_("Give the key a name of 1 to 80 characters, such as the system using it."))
    now = settings().clock()
    with database().transaction() as session:
        issued = creditors.issue_key(session, tenant.creditor_id, tenant.livemode, now, name=name)
        audit(
            session,
            creditor_id=tenant.creditor_id,
            actor=_actor(),
            action="api_key.created",
            subject=issued.id,
            detail={"livemode": tenant.livemode},
            now=now,
        )
    return _overview(new_key=issued.secret)


@bp.post("/integrations/keys/<key_id>/revoke")
@requires("owner")
def revoke_key(key_id: str) -> Response:
    tenant = current_tenant()
    now = settings().clock()
    with database().transaction() as session:
        creditors.revoke_key(session, tenant, key_id, now)
        audit(
            session, creditor_id=tenant.creditor_id, actor=_actor(), action="api_key.revoked", subject=key_id, now=now
        )
    return redirect(url_for("portal.integrations", notice="key_revoked"), 303)


# ------------------------------------------------------------------------------------------------ webhooks


@bp.post("/integrations/webhooks")
@requires("owner")
def create_webhook() -> Response:
    tenant = current_tenant()
    now = settings().clock()
    events = request.form.getlist("events") or ["*"]
    description = request.form.get("description", "").strip() or None
    try:
        params = wire.WebhookEndpointCreateParams(
            url=request.form.get("url", "").strip(), events=events, description=description
        )
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = str(error["loc"][0]) if error["loc"] else "url"
        return _overview(400, webhook_error=_webhook_problem(field), webhook_url=request.form.get("url", ""))
    try:
        with database().transaction() as session:
            endpoint = webhook_endpoints.create(session, tenant, params, now)
            audit(
                session,
                creditor_id=tenant.creditor_id,
                actor=_actor(),
                action="webhook_endpoint.created",
                subject=endpoint.id,
                now=now,
            )
            secret = endpoint.secret
            endpoint_id = endpoint.id
    except RequestError as exc:
        if exc.status != 400:
            raise
        return _overview(400, webhook_error=_webhook_problem(exc.param or "url"), webhook_url=params.url)
    return _endpoint_page(endpoint_id, new_secret=secret)


def _webhook_problem(field: str) -> str:
    if field == "events":
        return _("Choose at least one known event type.")
    if field == "description":
        return _("The description is too long.")
    return _("Enter a web address starting with https:// (in live mode on the public internet).")


def _endpoint_page(endpoint_id: str, status: int = 200, **values: object) -> Response:
    tenant = current_tenant()
    with database().transaction() as session:
        endpoint = webhook_endpoints.get(session, tenant, endpoint_id)
        attempts, more = webhook_endpoints.attempts_page(session, tenant, endpoint_id, LOG_LIMIT, None)
    return page(
        "portal/integrations/webhook.html",
        status,
        endpoint=endpoint,
        attempts=attempts,
        more=more,
        fingerprint=fingerprint(endpoint.secret),
        **values,
    )


def fingerprint(secret: str) -> str:
    """Names the secret a rotate form was made for, without revealing it: a form sent twice (a reload of
    the answer page) finds the secret already changed and rotates nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


@bp.get("/integrations/webhooks/<endpoint_id>")
@requires("read_only")
def webhook(endpoint_id: str) -> Response:
    return _endpoint_page(endpoint_id)


@bp.post("/integrations/webhooks/<endpoint_id>/rotate")
@requires("owner")
def rotate_webhook_secret(endpoint_id: str) -> Response:
    tenant = current_tenant()
    now = settings().clock()
    with database().transaction() as session:
        current = webhook_endpoints.get(session, tenant, endpoint_id)
        if not hmac.compare_digest(request.form.get("current", ""), fingerprint(current.secret)):
            return redirect(url_for("portal.webhook", endpoint_id=endpoint_id, notice="secret_rotated_already"), 303)
        endpoint = webhook_endpoints.rotate_secret(session, tenant, endpoint_id, now)
        audit(
            session,
            creditor_id=tenant.creditor_id,
            actor=_actor(),
            action="webhook_endpoint.secret_rotated",
            subject=endpoint_id,
            now=now,
        )
        secret = endpoint.secret
    return _endpoint_page(endpoint_id, new_secret=secret, rotated=True)


@bp.post("/integrations/webhooks/<endpoint_id>/resend")
@requires("owner")
def resend_event(endpoint_id: str) -> Response:
    tenant = current_tenant()
    now = settings().clock()
    event_id = request.form.get("event_id", "")
    try:
        with database().transaction() as session:
            webhook_endpoints.resend(session, tenant, event_id, endpoint_id, now)
            audit(
                session,
                creditor_id=tenant.creditor_id,
                actor=_actor(),
                action="webhook_event.resent",
                subject=event_id,
                detail={"endpoint": endpoint_id},
                now=now,
            )
    except RequestError as exc:
        if exc.code != "endpoint_disabled":
            raise
        notice = "endpoint_disabled"
    else:
        notice = "event_resent"
    return redirect(url_for("portal.webhook", endpoint_id=endpoint_id, notice=notice), 303)


from paypage.portal import imports, workspace_settings  # noqa: E402, F401  (routes register on import)
