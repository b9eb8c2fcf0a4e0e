"""CSRF protection for the pay page's forms: a random cookie, and in each form its HMAC.

A form is accepted only when its `csrf_token` equals HMAC(secret, cookie). Another site can make the
browser send the cookie, but cannot read it to compute the field. The cookie is SameSite=Strict and
HttpOnly on top.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Response, g, request
from markupsafe import Markup, escape

from paypage.extensions import settings
from paypage.services.errors import RequestError

COOKIE = "inkasso_csrf"
FIELD = "csrf_token"


def _mac(value: str) -> str:
    return hmac.new(settings().secret_key.encode(), f"csrf:{value}".encode(), hashlib.sha256).hexdigest()


def token() -> str:
    """The value for this request's forms (creates the cookie on first use)."""
    value = request.cookies.get(COOKIE) or g.get("new_csrf_cookie")
    if not value or len(value) > 64:
        value = secrets.token_urlsafe(24)
        g.new_csrf_cookie = value
    return _mac(value)


def csrf_field() -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, escape(token()))


def check_csrf() -> None:
    cookie = request.cookies.get(COOKIE, "")
    sent = request.form.get(FIELD, "")
    if not cookie or not sent or not hmac.compare_digest(_mac(cookie), sent):
        raise RequestError(400, "csrf_failed", "The form expired or was not sent from this page. Please try again.")


def set_cookie(response: Response) -> Response:
    value = g.get("new_csrf_cookie")
    if value:
        response.set_cookie(
            COOKIE, value, httponly=True, samesite="Strict", secure=request.is_secure, path="/", max_age=86400
        )
    return response
