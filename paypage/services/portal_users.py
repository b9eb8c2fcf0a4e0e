"""Portal users: accounts, sign-in with its rate limit, server-side sessions, invitations, second factor.

Secrets (session tokens, invitation tokens, recovery codes) are random, shown or sent once, and stored
only as SHA-256 digests. Sign-in failures are counted per account and per address, both as digests, so
the table holds no e-mail address or IP address in the clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from paypage.domain import passwords, totp
from paypage.domain.ids import new_id
from paypage.services.errors import RequestError
from paypage.store import models

ROLES = ("read_only", "agent", "owner")
"""Ordered: each role may do what the ones before it may."""

IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
TOTP_STAGE_TIMEOUT = dt.timedelta(minutes=5)
TOUCH_RESOLUTION = dt.timedelta(seconds=60)
"""`last_seen_at` is written at most once a minute, not on every request."""
INVITATION_LIFETIME = dt.timedelta(days=7)

LOGIN_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _valid_email(email: str) -> bool:
    local, at, domain = email.partition("@")
    return bool(at and local and "." in domain and " " not in email and len(email) <= 254)


# ------------------------------------------------------------------------------------------------ accounts


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    creditor_id: str | None,
    is_operator: bool = False,
    now: dt.datetime,
) -> models.PortalUser:
    email = normalise_email(email)
    if not _valid_email(email):
        raise RequestError(400, "parameter_invalid", "This is not a valid e-mail address.", "email")
    if role not in ROLES:
        raise RequestError(400, "parameter_invalid", f"role must be one of {', '.join(ROLES)}", "role")
    if not is_operator and creditor_id is None:
        raise RequestError(400, "parameter_invalid", "a user who is not an operator needs a creditor", "creditor")
    if creditor_id is not None and session.get(models.Creditor, creditor_id) is None:
        raise RequestError(404, "resource_missing", f"No such creditor: '{creditor_id[:64]}'", "creditor")
    weak = passwords.problem(password)
    if weak:
        raise RequestError(400, "parameter_invalid", weak, "password")
    if session.scalar(select(models.PortalUser.id).where(models.PortalUser.email == email)) is not None:
        raise RequestError(409, "email_taken", "A user with this e-mail address exists already.", "email")
    user = models.PortalUser(
        id=new_id("usr", now),
        creditor_id=None if is_operator else creditor_id,
        email=email,
        name=name.strip() or email,
        role="owner" if is_operator else role,
        is_operator=is_operator,
        password_hash=passwords.hash_password(password),
        recovery_codes=[],
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    return user


def users_of(session: Session, creditor_id: str) -> list[models.PortalUser]:
    return list(
        session.scalars(
            select(models.PortalUser)
            .where(models.PortalUser.creditor_id == creditor_id)
            .order_by(models.PortalUser.created_at)
        )
    )


def user_of(session: Session, creditor_id: str, user_id: str) -> models.PortalUser | None:
    """The user, only when they belong to `creditor_id` (another creditor's user is not there)."""
    user = session.get(models.PortalUser, user_id)
    return user if user is not None and user.creditor_id == creditor_id else None


def _owners_left(session: Session, creditor_id: str, without: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(models.PortalUser)
            .where(
                models.PortalUser.creditor_id == creditor_id,
                models.PortalUser.role == "owner",
                models.PortalUser.disabled_at.is_(None),
                models.PortalUser.id != without,
            )
        )
        or 0
    )


def change_role(session: Session, user: models.PortalUser, role: str, now: dt.datetime) -> None:
    if role not in ROLES:
        raise RequestError(400, "parameter_invalid", f"role must be one of {', '.join(ROLES)}", "role")
    if (
        user.role == "owner"
        and role != "owner"
        and user.creditor_id
        and not _owners_left(session, user.creditor_id, user.id)
    ):
        raise RequestError(409, "last_owner", "The last owner cannot be given another role.", "role")
    user.role = role
    user.updated_at = now


def disable(session: Session, user: models.PortalUser, now: dt.datetime) -> None:
    if user.creditor_id and user.role == "owner" and not _owners_left(session, user.creditor_id, user.id):
        raise RequestError(409, "last_owner", "The last owner cannot be removed.", "user")
    user.disabled_at = now
    user.updated_at = now
    revoke_all_sessions(session, user.id, now)


def change_password(session: Session, user: models.PortalUser, password: str, now: dt.datetime) -> None:
    weak = passwords.problem(password)
    if weak:
        raise RequestError(400, "parameter_invalid", weak, "password")
    user.password_hash = passwords.hash_password(password)
    user.updated_at = now


# ------------------------------------------------------------------------------------------------ sign-in


class LoginThrottled(Exception):
    """Too many failed sign-ins for this account or from this address."""


def _failures(session: Session, scope: str, key: str, now: dt.datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(models.LoginAttempt)
            .where(
                models.LoginAttempt.scope == scope,
                models.LoginAttempt.key_digest == key,
                models.LoginAttempt.created_at > now - LOGIN_WINDOW,
            )
        )
        or 0
    )


def record_failure(session: Session, email: str, address: str, now: dt.datetime) -> None:
    session.add(models.LoginAttempt(scope="account", key_digest=digest(email), created_at=now))
    session.add(models.LoginAttempt(scope="address", key_digest=digest(address), created_at=now))
    # Old attempts are no longer counted; pruning here keeps the table small without a separate job.
    session.execute(delete(models.LoginAttempt).where(models.LoginAttempt.created_at < now - LOGIN_WINDOW))


def check_throttle(session: Session, email: str, address: str, now: dt.datetime) -> None:
    if _failures(session, "account", digest(normalise_email(email)), now) >= MAX_FAILURES_PER_ACCOUNT:
        raise LoginThrottled
    if _failures(session, "address", digest(address), now) >= MAX_FAILURES_PER_ADDRESS:
        raise LoginThrottled


def authenticate(
    session: Session, email: str, password: str, address: str, now: dt.datetime
) -> models.PortalUser | None:
    """The user when the password is right; None otherwise (the failure is counted).

    Raises LoginThrottled before checking anything once the account or the address has failed too often.
    """
    email = normalise_email(email)
    check_throttle(session, email, address, now)
    user = session.scalar(select(models.PortalUser).where(models.PortalUser.email == email))
    if user is None or user.disabled_at is not None:
        passwords.verify_password(passwords.dummy_hash(), password)
        record_failure(session, email, address, now)
        return None
    if not passwords.verify_password(user.password_hash, password):
        record_failure(session, email, address, now)
        return None
    return user


# ------------------------------------------------------------------------------------------------ sessions


@dataclass(frozen=True)
class StartedSession:
    token: str
    record: models.PortalSession


def start_session(session: Session, user: models.PortalUser, now: dt.datetime) -> StartedSession:
    """A new session (a fresh token on every sign-in, so a token planted before sign-in is worthless)."""
    token = secrets.token_urlsafe(32)
    needs_code = user.totp_enabled_at is not None
    record = models.PortalSession(
        token_digest=digest(token),
        user_id=user.id,
        creditor_id=user.creditor_id,
        livemode=None,
        stage="totp" if needs_code else "full",
        created_at=now,
        last_seen_at=now,
        expires_at=now + (TOTP_STAGE_TIMEOUT if needs_code else ABSOLUTE_TIMEOUT),
    )
    session.add(record)
    if not needs_code:
        user.last_login_at = now
    session.flush()
    return StartedSession(token, record)


def load_session(
    session: Session, token: str, now: dt.datetime
) -> tuple[models.PortalSession, models.PortalUser] | None:
    """The live session behind a cookie and its user; None when unknown, revoked, expired or idle."""
    if not token or len(token) > 100:
        return None
    record = session.get(models.PortalSession, digest(token))
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        return None
    if now - record.last_seen_at > IDLE_TIMEOUT:
        return None
    user = session.get(models.PortalUser, record.user_id)
    if user is None or user.disabled_at is not None:
        return None
    if now - record.last_seen_at >= TOUCH_RESOLUTION:
        record.last_seen_at = now
    return record, user


def complete_second_factor(
    session: Session, record: models.PortalSession, user: models.PortalUser, code: str, now: dt.datetime
) -> StartedSession | None:
    """After a right code (or an unused recovery code), a new full session replaces the waiting one."""
    if record.stage != "totp" or user.totp_secret is None:
        return None
    accepted = totp.verify(user.totp_secret, code, now.timestamp())
    if not accepted:
        used = totp.code_digest(code)
        if used in user.recovery_codes:
            user.recovery_codes = [kept for kept in user.recovery_codes if kept != used]
            accepted = True
    if not accepted:
        return None
    record.revoked_at = now
    token = secrets.token_urlsafe(32)
    full = models.PortalSession(
        token_digest=digest(token),
        user_id=user.id,
        creditor_id=record.creditor_id,
        livemode=None,
        stage="full",
        created_at=now,
        last_seen_at=now,
        expires_at=now + ABSOLUTE_TIMEOUT,
    )
    session.add(full)
    user.last_login_at = now
    session.flush()
    return StartedSession(token, full)


def revoke_session(record: models.PortalSession, now: dt.datetime) -> None:
    record.revoked_at = now


def revoke_all_sessions(session: Session, user_id: str, now: dt.datetime) -> None:
    for record in session.scalars(
        select(models.PortalSession).where(
            models.PortalSession.user_id == user_id, models.PortalSession.revoked_at.is_(None)
        )
    ):
        record.revoked_at = now


# ------------------------------------------------------------------------------------------------ second factor


def enable_totp(user: models.PortalUser, secret: str, code: str, now: dt.datetime) -> list[str] | None:
    """Turn the second factor on after a right code; returns the recovery codes (shown once)."""
    if not totp.verify(secret, code, now.timestamp()):
        return None
    codes = totp.recovery_codes()
    user.totp_secret = secret
    user.totp_enabled_at = now
    user.recovery_codes = [totp.code_digest(code) for code in codes]
    user.updated_at = now
    return codes


def disable_totp(user: models.PortalUser, now: dt.datetime) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.recovery_codes = []
    user.updated_at = now


# ------------------------------------------------------------------------------------------------ invitations


@dataclass(frozen=True)
class Invitation:
    token: str
    record: models.PortalInvitation


def invite(
    session: Session, *, creditor_id: str, email: str, role: str, invited_by: str, now: dt.datetime
) -> Invitation:
    email = normalise_email(email)
    if not _valid_email(email):
        raise RequestError(400, "parameter_invalid", "This is not a valid e-mail address.", "email")
    if role not in ROLES:
        raise RequestError(400, "parameter_invalid", f"role must be one of {', '.join(ROLES)}", "role")
    if session.scalar(select(models.PortalUser.id).where(models.PortalUser.email == email)) is not None:
        raise RequestError(409, "email_taken", "A user with this e-mail address exists already.", "email")
    token = secrets.token_urlsafe(32)
    record = models.PortalInvitation(
        creditor_id=creditor_id,
        id=new_id("inv", now),
        token_digest=digest(token),
        email=email,
        role=role,
        invited_by=invited_by,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    session.add(record)
    session.flush()
    return Invitation(token, record)


def open_invitation(session: Session, token: str, now: dt.datetime) -> models.PortalInvitation | None:
    if not token or len(token) > 100:
        return None
    record = session.scalar(
        select(models.PortalInvitation).where(models.PortalInvitation.token_digest == digest(token))
    )
    if record is None or record.accepted_at or record.revoked_at or record.expires_at <= now:
        return None
    return record


def pending_invitations(session: Session, creditor_id: str, now: dt.datetime) -> list[models.PortalInvitation]:
    return list(
        session.scalars(
            select(models.PortalInvitation)
            .where(
                models.PortalInvitation.creditor_id == creditor_id,
                models.PortalInvitation.accepted_at.is_(None),
                models.PortalInvitation.revoked_at.is_(None),
                models.PortalInvitation.expires_at > now,
            )
            .order_by(models.PortalInvitation.created_at)
        )
    )


def invitation_of(session: Session, creditor_id: str, invitation_id: str) -> models.PortalInvitation | None:
    return session.get(models.PortalInvitation, (creditor_id, invitation_id))


def accept_invitation(
    session: Session, record: models.PortalInvitation, name: str, password: str, now: dt.datetime
) -> models.PortalUser:
    user = create_user(
        session,
        email=record.email,
        name=name,
        password=password,
        role=record.role,
        creditor_id=record.creditor_id,
        now=now,
    )
    record.accepted_at = now
    return user
