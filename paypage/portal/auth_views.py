"""Sign-in, the second factor, sign-out, invitations, the team page, the own account, mode and creditor switch."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from paypage.domain.passwords import verify_password
from paypage.domain.totp import new_secret, provisioning_uri
from paypage.extensions import database, settings
from paypage.portal import NOTICES, bp, page, sessions
from paypage.portal.access import current_creditor_id, current_user, requires
from paypage.portal.audit_trail import record as audit
from paypage.portal.i18n import _
from paypage.portal.qr import qr_svg
from paypage.services import portal_users
from paypage.services.errors import RequestError
from paypage.store import models

ROLE_NAMES = {"owner": lambda: _("Owner"), "agent": lambda: _("Agent"), "read_only": lambda: _("Read-only")}

NOTICES.update(
    {
        "signed_out": lambda: _("You are signed out."),
        "invited": lambda: _("The invitation was created."),
        "role_changed": lambda: _("The role was changed."),
        "user_removed": lambda: _("The user was removed."),
        "invitation_revoked": lambda: _("The invitation was withdrawn."),
        "totp_disabled": lambda: _("Two-step sign-in is off."),
        "password_changed": lambda: _("Your password was changed."),
        "mode_changed": lambda: _("The mode was switched."),
        "welcome": lambda: _("Welcome. Your account is ready."),
    }
)


def _now() -> dt.datetime:
    return settings().clock()


def _actor() -> str:
    user = current_user()
    return f"user:{user.id}" if user else "anonymous"


def _user_id() -> str:
    user = current_user()
    assert user is not None  # noqa: S101 - behind requires()
    return user.id


def _safe_next(target: str | None) -> str:
    """Only a path inside the portal, never another site (`//evil.example`, `https://...`)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/portal") and "\\" not in target:
            return target
    return url_for("portal.dashboard")


def _address() -> str:
    return request.remote_addr or ""


def _role_or_400(value: str) -> str:
    if value not in portal_users.ROLES:
        raise RequestError(400, "parameter_invalid", _("Choose one of the roles offered."), "role")
    return value


# ------------------------------------------------------------------------------------------------ sign-in


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    if request.method == "GET":
        if current_user() is not None:
            return redirect(url_for("portal.dashboard"))
        return page("portal/login.html", next=request.args.get("next", ""))
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    target = request.form.get("next", "")
    if not email or not password:
        error = _("Enter your e-mail address and your password.")
        return page("portal/login.html", 400, error=error, email=email, next=target)
    now = _now()
    try:
        with database().transaction() as session:
            user = portal_users.authenticate(session, email, password, _address(), now)
            if user is None:
                error = _("The e-mail address or the password is not right.")
                return page("portal/login.html", 400, error=error, email=email, next=target)
            previous = g.get("portal_session")
            if previous:
                old = session.get(models.PortalSession, previous)
                if old is not None:
                    portal_users.revoke_session(old, now)
            started = portal_users.start_session(session, user, now)
            if started.record.stage == "full":
                audit(
                    session,
                    creditor_id=user.creditor_id,
                    actor=f"user:{user.id}",
                    action="user.logged_in",
                    subject=user.id,
                    now=now,
                )
    except portal_users.LoginThrottled:
        error = _("Too many failed attempts. Please wait 15 minutes before you try again.")
        response = page("portal/login.html", 429, error=error, email=email, next=target)
        response.headers["Retry-After"] = str(int(portal_users.LOGIN_WINDOW.total_seconds()))
        return response
    sessions.issue(started.token)
    if started.record.stage == "totp":
        return redirect(url_for("portal.login_code", next=target or None))
    return redirect(_safe_next(target))


@bp.route("/login/code", methods=["GET", "POST"])
def login_code() -> Response:
    pending = g.get("portal_pending_user")
    if pending is None:
        return redirect(url_for("portal.login"))
    target = request.values.get("next", "")
    if request.method == "GET":
        return page("portal/login_code.html", next=target)
    now = _now()
    with database().transaction() as session:
        record = session.get(models.PortalSession, g.portal_session)
        user = session.get(models.PortalUser, pending)
        assert record is not None and user is not None  # noqa: S101 - loaded by this request's _before
        try:
            portal_users.check_throttle(session, user.email, _address(), now)
        except portal_users.LoginThrottled:
            error = _("Too many failed attempts. Please wait 15 minutes before you try again.")
            return page("portal/login_code.html", 429, error=error, next=target)
        started = portal_users.complete_second_factor(session, record, user, request.form.get("code", ""), now)
        if started is None:
            portal_users.record_failure(session, user.email, _address(), now)
        else:
            audit(
                session,
                creditor_id=user.creditor_id,
                actor=f"user:{user.id}",
                action="user.logged_in",
                subject=user.id,
                detail={"second_factor": True},
                now=now,
            )
    if started is None:
        error = _("This code is not right. Enter the current code of your app, or a recovery code.")
        return page("portal/login_code.html", 400, error=error, next=target)
    sessions.issue(started.token)
    return redirect(_safe_next(target))


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    digest = g.get("portal_session")
    if digest:
        now = _now()
        with database().transaction() as session:
            record = session.get(models.PortalSession, digest)
            if record is not None:
                portal_users.revoke_session(record, now)
                user = current_user()
                if user is not None:
                    audit(
                        session,
                        creditor_id=user.creditor_id,
                        actor=f"user:{user.id}",
                        action="user.logged_out",
                        subject=user.id,
                        now=now,
                    )
    sessions.clear()
    return redirect(url_for("portal.login", notice="signed_out"))


# ------------------------------------------------------------------------------------------------ invitations


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response:
    now = _now()
    with database().transaction() as session:
        invitation = portal_users.open_invitation(session, token, now)
        if invitation is None:
            abort(404)
        if request.method == "GET":
            return page("portal/invitation.html", email=invitation.email)
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        if password != request.form.get("password_repeat", ""):
            error = _("The two passwords are not the same.")
            return page("portal/invitation.html", 400, email=invitation.email, name=name, error=error)
        try:
            with session.begin_nested():
                user = portal_users.accept_invitation(session, invitation, name, password, now)
        except RequestError as refused:
            return page(
                "portal/invitation.html",
                refused.status,
                email=invitation.email,
                name=name,
                error=_password_message(refused),
            )
        started = portal_users.start_session(session, user, now)
        audit(
            session,
            creditor_id=user.creditor_id,
            actor=f"user:{user.id}",
            action="user.invitation_accepted",
            subject=invitation.id,
            now=now,
        )
    sessions.issue(started.token)
    return redirect(url_for("portal.dashboard", notice="welcome"))


def _password_message(refused: RequestError) -> str:
    if refused.param == "password" and "12" in refused.message:
        return _("The password needs at least 12 characters.")
    if refused.param == "password":
        return _("The password may have at most 200 characters.")
    if refused.code == "email_taken":
        return _("A user with this e-mail address exists already.")
    return refused.message


# ------------------------------------------------------------------------------------------------ team


def _team_page(status: int = 200, **values: object) -> Response:
    now = _now()
    creditor_id = current_creditor_id()
    with database().transaction() as session:
        users = portal_users.users_of(session, creditor_id)
        invitations = portal_users.pending_invitations(session, creditor_id, now)
    return page("portal/users.html", status, users=users, invitations=invitations, roles=ROLE_NAMES, **values)


@bp.route("/users")
@requires("owner")
def users() -> Response:
    return _team_page()


@bp.route("/users/invite", methods=["POST"])
@requires("owner")
def invite_user() -> Response:
    now = _now()
    creditor_id = current_creditor_id()
    email = request.form.get("email", "")
    try:
        role = _role_or_400(request.form.get("role", ""))
        with database().transaction() as session:
            invitation = portal_users.invite(
                session, creditor_id=creditor_id, email=email, role=role, invited_by=_user_id(), now=now
            )
            audit(
                session,
                creditor_id=creditor_id,
                actor=_actor(),
                action="user.invited",
                subject=invitation.record.id,
                detail={"role": role},
                now=now,
            )
    except RequestError as refused:
        message = {
            "email_taken": _("A user with this e-mail address exists already."),
            "parameter_invalid": _("Enter a valid e-mail address and choose a role."),
        }.get(refused.code, refused.message)
        return _team_page(refused.status, error=message, email=email)
    link = url_for("portal.accept_invitation", token=invitation.token, _external=False)
    invite_url = settings().public_url.rstrip("/") + link
    # The link is shown once, to the owner, who passes it on: the token is stored only as a digest.
    return _team_page(invite_url=invite_url, invited_email=invitation.record.email)


@bp.route("/users/<user_id>/role", methods=["POST"])
@requires("owner")
def change_role(user_id: str) -> Response:
    now = _now()
    creditor_id = current_creditor_id()
    with database().transaction() as session:
        user = portal_users.user_of(session, creditor_id, user_id)
        if user is None:
            abort(404)
        try:
            portal_users.change_role(session, user, _role_or_400(request.form.get("role", "")), now)
        except RequestError as refused:
            if refused.code == "last_owner":
                refused = RequestError(409, "last_owner", _("The last owner cannot be given another role."))
            raise refused from None
        audit(
            session,
            creditor_id=creditor_id,
            actor=_actor(),
            action="user.role_changed",
            subject=user.id,
            detail={"role": user.role},
            now=now,
        )
    return redirect(url_for("portal.users", notice="role_changed"))


@bp.route("/users/<user_id>/remove", methods=["POST"])
@requires("owner")
def remove_user(user_id: str) -> Response:
    now = _now()
    creditor_id = current_creditor_id()
    with database().transaction() as session:
        user = portal_users.user_of(session, creditor_id, user_id)
        if user is None or user.disabled_at is not None:
            abort(404)
        try:
            portal_users.disable(session, user, now)
        except RequestError as refused:
            if refused.code == "last_owner":
                refused = RequestError(409, "last_owner", _("The last owner cannot be removed."))
            raise refused from None
        audit(session, creditor_id=creditor_id, actor=_actor(), action="user.removed", subject=user.id, now=now)
    return redirect(url_for("portal.users", notice="user_removed"))


@bp.route("/invitations/<invitation_id>/revoke", methods=["POST"])
@requires("owner")
def revoke_invitation(invitation_id: str) -> Response:
    now = _now()
    creditor_id = current_creditor_id()
    with database().transaction() as session:
        invitation = portal_users.invitation_of(session, creditor_id, invitation_id)
        if invitation is None or invitation.accepted_at or invitation.revoked_at:
            abort(404)
        invitation.revoked_at = now
        audit(
            session,
            creditor_id=creditor_id,
            actor=_actor(),
            action="user.invitation_revoked",
            subject=invitation.id,
            now=now,
        )
    return redirect(url_for("portal.users", notice="invitation_revoked"))


# ------------------------------------------------------------------------------------------------ own account


def _account_page(status: int = 200, **values: object) -> Response:
    user = current_user()
    assert user is not None  # noqa: S101 - behind requires()
    secret = values.pop("secret", None) or new_secret()
    uri = provisioning_uri(str(secret), user.email)
    return page(
        "portal/account.html",
        status,
        secret=secret,
        qr=qr_svg(uri, _("QR code for your authenticator app")),
        otpauth=uri,
        **values,
    )


@bp.route("/account")
@requires("read_only")
def account() -> Response:
    return _account_page()


@bp.route("/account/totp", methods=["POST"])
@requires("read_only")
def enable_totp() -> Response:
    user = current_user()
    assert user is not None  # noqa: S101
    now = _now()
    secret = request.form.get("secret", "")
    with database().transaction() as session:
        record = session.get(models.PortalUser, user.id)
        assert record is not None  # noqa: S101
        try:
            codes = portal_users.enable_totp(record, secret, request.form.get("code", ""), now)
        except ValueError:
            codes = None
        if codes is not None:
            audit(
                session,
                creditor_id=user.creditor_id,
                actor=_actor(),
                action="user.totp_enabled",
                subject=user.id,
                now=now,
            )
    if codes is None:
        return _account_page(400, secret=secret, error=_("This code is not right. Enter the code your app shows now."))
    return page("portal/recovery_codes.html", codes=codes)


@bp.route("/account/totp/disable", methods=["POST"])
@requires("read_only")
def disable_totp() -> Response:
    user = current_user()
    assert user is not None  # noqa: S101
    now = _now()
    with database().transaction() as session:
        record = session.get(models.PortalUser, user.id)
        assert record is not None  # noqa: S101
        portal_users.disable_totp(record, now)
        audit(
            session, creditor_id=user.creditor_id, actor=_actor(), action="user.totp_disabled", subject=user.id, now=now
        )
    return redirect(url_for("portal.account", notice="totp_disabled"))


@bp.route("/account/password", methods=["POST"])
@requires("read_only")
def change_password() -> Response:
    user = current_user()
    assert user is not None  # noqa: S101
    now = _now()
    new = request.form.get("new_password", "")
    with database().transaction() as session:
        record = session.get(models.PortalUser, user.id)
        assert record is not None  # noqa: S101
        if not verify_password(record.password_hash, request.form.get("password", "")):
            return _account_page(400, password_error=_("Your current password is not right."))
        if new != request.form.get("new_password_repeat", ""):
            return _account_page(400, password_error=_("The two passwords are not the same."))
        try:
            portal_users.change_password(session, record, new, now)
        except RequestError as refused:
            return _account_page(400, password_error=_password_message(refused))
        # Every other signed-in browser of this user is signed out; this one goes on.
        for other in session.scalars(
            select(models.PortalSession).where(
                models.PortalSession.user_id == user.id,
                models.PortalSession.revoked_at.is_(None),
                models.PortalSession.token_digest != g.portal_session,
            )
        ):
            other.revoked_at = now
        audit(
            session,
            creditor_id=user.creditor_id,
            actor=_actor(),
            action="user.password_changed",
            subject=user.id,
            now=now,
        )
    return redirect(url_for("portal.account", notice="password_changed"))


# ------------------------------------------------------------------------------------------------ mode, creditor


@bp.route("/mode", methods=["POST"])
@requires("read_only")
def switch_mode() -> Response:
    live = request.form.get("mode") == "live"
    with database().transaction() as session:
        record = session.get(models.PortalSession, g.portal_session)
        assert record is not None  # noqa: S101
        record.livemode = live
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/creditors")
@requires("owner")
def creditors() -> Response:
    user = current_user()
    if user is None or not user.is_operator:
        abort(403)
    query = request.args.get("q", "").strip()
    with database().transaction() as session:
        statement = select(models.Creditor).order_by(models.Creditor.name, models.Creditor.id).limit(200)
        if query:
            statement = statement.where(models.Creditor.name.ilike(f"%{query}%") | (models.Creditor.id == query))
        found = list(session.scalars(statement))
    return page("portal/creditors.html", creditors=found, q=query)


@bp.route("/creditors/act-for", methods=["POST"])
@requires("owner")
def act_for() -> Response:
    user = current_user()
    if user is None or not user.is_operator:
        abort(403)
    now = _now()
    with database().transaction() as session:
        creditor = session.get(models.Creditor, request.form.get("creditor", ""))
        if creditor is None:
            abort(404)
        record = session.get(models.PortalSession, g.portal_session)
        assert record is not None  # noqa: S101
        record.creditor_id = creditor.id
        record.livemode = None
        audit(
            session, creditor_id=creditor.id, actor=_actor(), action="operator.acting_for", subject=creditor.id, now=now
        )
    return redirect(url_for("portal.dashboard"))
