"""The creditor portal behind `/portal`: sign-in, dashboard, claims, and the creditor's workspace.

View modules register their routes on `bp` when imported at the bottom of this module. Every request
under `/portal` passes `_before` first: the language, the signed-in user from the server-side session,
the creditor and mode they act for, and the CSRF check of every state-changing method.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, g, make_response, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from paypage.extensions import database, settings
from paypage.pay import csrf
from paypage.portal import access, display, i18n, sessions
from paypage.portal.i18n import _
from paypage.services.errors import RequestError
from paypage.store import models

bp = Blueprint("portal", __name__, url_prefix="/portal")
log = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

NOTICES: dict[str, Callable[[], str]] = {}
"""Codes a view may redirect with (`?notice=`) -> the message shown once on the next page. Each view module
adds its own, so that the message is translated when it is shown."""


def notice_text(code: str | None) -> str | None:
    found = NOTICES.get(code or "")
    return found() if found else None


def link(endpoint: str, **values: Any) -> str | None:
    """The URL of a portal page, or None while that page does not exist (navigation renders only real pages)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.before_request
def _before() -> Response | None:
    i18n.activate(i18n.choose())
    g.portal_page = True
    now = settings().clock()
    with database().transaction() as session:
        loaded = sessions.load(session, now)
        if loaded is not None:
            record, user = loaded
            g.portal_session = record.token_digest
            if record.stage == "full":
                g.portal_user = access.PortalUser(
                    id=user.id,
                    email=user.email,
                    name=user.name,
                    role=user.role,
                    creditor_id=user.creditor_id,
                    is_operator=user.is_operator,
                    totp_enabled=user.totp_enabled_at is not None,
                )
                creditor_id = user.creditor_id if not user.is_operator else record.creditor_id
                creditor = session.get(models.Creditor, creditor_id) if creditor_id else None
                g.portal_creditor_id = creditor.id if creditor else None
                g.portal_creditor_name = creditor.name if creditor else None
                g.portal_livemode = (
                    record.livemode if record.livemode is not None else _has_live_data(session, creditor_id)
                )
            else:
                g.portal_pending_user = user.id
    if request.method in UNSAFE_METHODS:
        csrf.check_csrf()
    return None


def _has_live_data(session: object, creditor_id: str | None) -> bool:
    """The mode a user lands in: live once the creditor has live claims, test before."""
    if not creditor_id:
        return False
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)  # noqa: S101
    query = select(models.Claim.id).where(models.Claim.creditor_id == creditor_id, models.Claim.livemode.is_(True))
    return session.scalar(query.limit(1)) is not None


@bp.after_request
def _after(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    chosen = request.args.get("lang")
    if chosen in i18n.LANGUAGES and chosen != request.cookies.get(i18n.COOKIE):
        response.set_cookie(
            i18n.COOKIE, chosen, max_age=365 * 86400, path="/portal", secure=True, httponly=True, samesite="Lax"
        )
    return sessions.write_cookie(response)


@bp.context_processor
def _template_values() -> dict[str, object]:
    return {
        "portal_user": access.current_user(),
        "creditor_name": g.get("portal_creditor_name"),
        "livemode": g.get("portal_livemode", False),
        "language": g.get("language", "en"),
        "link": link,
        "notice": notice_text(request.args.get("notice")),
        **display.HELPERS,
    }


def page(template: str, http_status: int = 200, **values: object) -> Response:
    response = make_response(render_template(template, **values), http_status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


@bp.errorhandler(RequestError)
def _refused(error: RequestError) -> Response:
    if error.code == "csrf_failed":
        message = _("The form expired or was not sent from this page. Please go back, reload and try again.")
    else:
        message = error.message
    return page("portal/error.html", error.status, status=error.status, message=message)


@bp.errorhandler(HTTPException)
def _http(error: HTTPException) -> Response:
    status = error.code or 500
    messages = {
        403: _("Your role does not allow this. Ask an owner of your account."),
        404: _("This page does not exist, or it belongs to another account."),
        405: _("This address does not accept that kind of request."),
    }
    return page("portal/error.html", status, status=status, message=messages.get(status, error.name))


from paypage.portal import auth_views, claims, dashboard  # noqa: E402, F401  (routes register on import)

for _name in ("integrations", "inbox", "privacy"):
    # The workspace pages register themselves when their modules are there.
    try:
        __import__(f"paypage.portal.{_name}")
    except ModuleNotFoundError as missing:
        if missing.name != f"paypage.portal.{_name}":
            raise
