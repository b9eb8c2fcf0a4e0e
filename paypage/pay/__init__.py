"""The debtor's pay page behind `/p/<token>`: views in `views`, the claim behind the token in `context`."""

from __future__ import annotations

import datetime as dt
import logging

from babel.dates import format_date
from flask import Blueprint, Response, current_app, g, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from paypage import i18n
from paypage.api.ratelimit import RateLimiter
from paypage.domain.tokens import token_digest
from paypage.pay.context import LinkInvalid
from paypage.pay.csrf import csrf_field
from paypage.payments.protocol import ProviderError
from paypage.services.errors import RequestError

bp = Blueprint("pay", __name__, url_prefix="/p")
log = logging.getLogger(__name__)

TOKEN_RATE = (1.0, 60)
"""Per pay token: one request a second sustained, 60 at once (a person clicking around)."""
IP_RATE = (5.0, 300)
"""Per address: room for a household or an office behind one address."""


def _limiters() -> tuple[RateLimiter, RateLimiter]:
    found = current_app.extensions.get("inkasso.pay_limits")
    if found is None:
        found = (RateLimiter(*TOKEN_RATE), RateLimiter(*IP_RATE))
        current_app.extensions["inkasso.pay_limits"] = found
    return found


def _page(template: str, http_status: int, **values: object) -> Response:
    response = make_response(render_template(template, **values), http_status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


@bp.app_template_global("csrf_field")
def _csrf_field() -> object:
    return csrf_field()


@bp.app_template_filter("date")
def _date(value: dt.date, locale: str) -> str:
    return format_date(value, format="long", locale=locale)


@bp.app_template_filter("isodate")
def _isodate(value: str, locale: str) -> str:
    return format_date(dt.date.fromisoformat(value), format="long", locale=locale)


@bp.before_request
def _rate_limit() -> Response | None:
    token = (request.view_args or {}).get("token", "")
    by_token, by_address = _limiters()
    wait = max(by_token.acquire("t:" + token_digest(token)), by_address.acquire("a:" + (request.remote_addr or "")))
    if wait:
        i18n.activate(i18n.choose(None, None, None, [lang for lang, _ in request.accept_languages], []))
        response = _page("errors/http.html", 429, status=429, message=i18n.gettext("Too many requests"))
        response.headers["Retry-After"] = RateLimiter.retry_after(wait)
        return response
    return None


@bp.errorhandler(LinkInvalid)
def _link_invalid(_: LinkInvalid) -> Response:
    language = i18n.choose(request.args.get("lang"), None, None, [lang for lang, _ in request.accept_languages], [])
    i18n.activate(language)
    return _page("errors/link_invalid.html", 404, language=language)


@bp.errorhandler(RequestError)
def _refused(error: RequestError) -> Response:
    if g.get("translations") is None:
        i18n.activate("en")
    message = i18n.gettext("The form expired. Please go back and try again.")
    return _page("errors/http.html", error.status, status=error.status, message=message)


@bp.errorhandler(ProviderError)
def _provider_down(_: ProviderError) -> Response:
    if g.get("translations") is None:
        i18n.activate("en")
    message = i18n.gettext("The payment service is not reachable right now. Please try again in a few minutes.")
    return _page("errors/http.html", 502, status=502, message=message)


def http_error(error: HTTPException) -> Response:
    return _page("errors/http.html", error.code or 500, status=error.code, message=error.name)


def internal_error(error: Exception) -> tuple[str, int]:
    log.exception("unhandled error on a page")
    return render_template("errors/http.html", status=500, message="Internal Server Error"), 500


from paypage.pay import views  # noqa: E402, F401  (routes register on import)
