"""Who is signed in, which creditor and mode they act for, and what their role lets them do.

Roles are ordered `read_only < agent < owner`. Operators of the service have `is_operator` and may act
for any creditor they pick; everybody else acts for their own creditor only. Every query of a portal
view is scoped by `current_creditor_id()` and `current_livemode()`, so another creditor's object is
simply not found (404).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from flask import abort, g, redirect, request, url_for
from werkzeug.wrappers import Response

from paypage.services.portal_users import ROLES
from paypage.services.tenancy import Tenant

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class PortalUser:
    """The signed-in user as views see it (`g.portal_user`)."""

    id: str
    email: str
    name: str
    role: str
    creditor_id: str | None
    is_operator: bool
    totp_enabled: bool

    def may(self, role: str) -> bool:
        return self.is_operator or ROLES.index(self.role) >= ROLES.index(role)


def current_user() -> PortalUser | None:
    user = g.get("portal_user")
    return user if isinstance(user, PortalUser) else None


def current_creditor_id() -> str:
    """The creditor the request acts for; 404 for an operator who has not picked one yet."""
    creditor_id = g.get("portal_creditor_id")
    if not creditor_id:
        abort(404)
    return str(creditor_id)


def current_livemode() -> bool:
    return bool(g.get("portal_livemode", False))


def current_tenant() -> Tenant:
    return Tenant(current_creditor_id(), current_livemode())


def requires(role: str = "read_only") -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Sign-in required (else to the sign-in page), and at least `role` (else 403)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def decorate(view: Callable[P, R]) -> Callable[P, R | Response]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            user = current_user()
            if user is None:
                target = request.full_path if request.method == "GET" else None
                return redirect(url_for("portal.login", next=target.rstrip("?") if target else None))
            if not user.may(role):
                abort(403)
            return view(*args, **kwargs)

        wrapper.portal_role = role  # type: ignore[attr-defined]
        return wrapper

    return decorate


def role_of(view: Callable[..., object]) -> str | None:
    """The role a view demands (None for public views such as the sign-in page)."""
    found = getattr(view, "portal_role", None)
    return str(found) if found is not None else None
