"""The demo's portal owner: created on the first run, given a fresh password on every run (printed once)."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from paypage.extensions import database
from paypage.services import portal_users
from paypage.store import models

DEMO_EMAIL = "owner@demo.example"


def demo_owner(creditor_name: str, now: dt.datetime) -> tuple[str, str]:
    """(e-mail, password) of the demo creditor's owner."""
    password = secrets.token_urlsafe(12)
    with database().transaction() as session:
        creditor = session.scalars(select(models.Creditor).where(models.Creditor.name == creditor_name)).first()
        if creditor is None:
            raise LookupError(f"no creditor named {creditor_name!r}")
        user = session.scalars(select(models.PortalUser).where(models.PortalUser.email == DEMO_EMAIL)).first()
        if user is None:
            portal_users.create_user(
                session,
                email=DEMO_EMAIL,
                name="Demo Owner",
                password=password,
                role="owner",
                creditor_id=creditor.id,
                now=now,
            )
        else:
            portal_users.change_password(session, user, password, now)
            user.disabled_at = None
            portal_users.revoke_all_sessions(session, user.id, now)
    return DEMO_EMAIL, password
