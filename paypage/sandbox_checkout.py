"""The sandbox provider's hosted checkout page, `/sandbox/checkout/<session>`: succeed, fail or abandon."""

from __future__ import annotations

from flask import Blueprint, Response, abort, make_response, redirect, render_template, request

from paypage.domain.money import Money
from paypage.formatting import format_money
from paypage.pay.csrf import check_csrf, csrf_field
from paypage.payments.protocol import ProviderError
from paypage.payments.registry import sandbox_for
from paypage.services.errors import RequestError

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox")


@bp.errorhandler(RequestError)
def _refused(error: RequestError) -> tuple[str, int]:
    return render_template("errors/http.html", status=error.status, message=error.message), error.status


@bp.get("/checkout/<creditor_id>/<token>")
def checkout(creditor_id: str, token: str) -> Response:
    provider = sandbox_for(creditor_id)
    try:
        session = provider.open_session(token)
    except ProviderError:
        abort(404)
    amount = format_money(Money(int(session["amount"]), str(session["currency"])), "en")
    return make_response(render_template("sandbox/checkout.html", session=session, amount=amount, csrf=csrf_field()))


@bp.post("/checkout/<creditor_id>/<token>")
def decide(creditor_id: str, token: str) -> Response:
    check_csrf()
    provider = sandbox_for(creditor_id)
    try:
        session = provider.open_session(token)
    except ProviderError:
        abort(404)
    outcome = request.form.get("outcome", "")
    if outcome not in ("succeed", "fail", "abandon"):
        abort(400)
    return redirect(provider.complete(session, outcome), code=303)  # type: ignore[return-value]
