"""The debtor's pay page behind `/p/<token>`. Until the full page lands it shows the claim's summary."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, make_response, render_template
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from paypage.domain.money import Money
from paypage.domain.states import is_final
from paypage.domain.tokens import token_digest
from paypage.extensions import database
from paypage.formatting import format_money
from paypage.services import claims
from paypage.services.tenancy import Tenant
from paypage.store import models

bp = Blueprint("pay", __name__, url_prefix="/p")
log = logging.getLogger(__name__)


def _page(template: str, http_status: int, **context: object) -> Response:
    response = make_response(render_template(template, **context), http_status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


@bp.get("/<token>")
def pay_page(token: str) -> Response:
    with database().transaction() as session:
        link = session.get(models.PayLink, token_digest(token)) if len(token) <= 64 else None
        if link is None or link.revoked_at is not None:
            return _page("errors/link_invalid.html", 404)
        creditor = session.get(models.Creditor, link.creditor_id)
        claim = session.scalars(
            select(models.Claim).where(models.Claim.creditor_id == link.creditor_id, models.Claim.id == link.claim_id)
        ).one()
        row = claims.get(session, Tenant(claim.creditor_id, claim.livemode), claim.id)
        if is_final(claim.state) or claim.pay_link_version != link.version or creditor is None:
            return _page("errors/link_invalid.html", 404)
        view = claims.render(row, None)
    outstanding = format_money(Money(view.balance.outstanding, view.currency), "en")
    return _page("pay/placeholder.html", 200, claim=view, creditor_name=creditor.name, outstanding=outstanding)


def http_error(error: HTTPException) -> Response:
    return _page("errors/http.html", error.code or 500, status=error.code, message=error.name)


def internal_error(error: Exception) -> tuple[str, int]:
    log.exception("unhandled error on a page")
    return render_template("errors/http.html", status=500, message="Internal Server Error"), 500
