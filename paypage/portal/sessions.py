"""The session cookie: a random token (the table keeps its SHA-256), `Secure`, `HttpOnly`, `SameSite=Lax`.

Browsers keep `Secure` cookies sent over plain HTTP from `localhost` and `127.0.0.1` (secure contexts),
so the development server on 127.0.0.1 needs no exception.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, g, request
from sqlalchemy.orm import Session

from paypage.services import portal_users
from paypage.store import models

COOKIE = "inkasso_portal"
PATH = "/portal"


def load(session: Session, now: dt.datetime) -> tuple[models.PortalSession, models.PortalUser] | None:
    token = request.cookies.get(COOKIE, "")
    return portal_users.load_session(session, token, now) if token else None


def issue(token: str) -> None:
    """Send this token as the cookie with the response (after sign-in or the second factor)."""
    g.portal_new_token = token


def clear() -> None:
    g.portal_new_token = ""


def write_cookie(response: Response) -> Response:
    token = g.get("portal_new_token")
    if token is None:
        return response
    if token:
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(portal_users.ABSOLUTE_TIMEOUT.total_seconds()),
            path=PATH,
            secure=True,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(COOKIE, path=PATH, secure=True, httponly=True, samesite="Lax")
    return response
