"""Signing in: the session cookie's attributes, rotation, sign-out, timeouts, the rate limit, the second
factor, invitations, the team page, and operators acting for a creditor."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from flask import Flask

from paypage.domain import totp
from paypage.extensions import database
from paypage.portal.sessions import COOKIE
from paypage.services import portal_users
from paypage.store import models
from tests.portal.conftest import BOTH_BACKENDS, PASSWORD, Portal, Team, app_on, make_user, signed_in


@pytest.fixture(scope="module", params=BOTH_BACKENDS)
def portal_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """This module runs on SQLite and on PostgreSQL."""
    yield from app_on(str(request.param), tmp_path_factory)


def session_cookie(response_headers: list[str]) -> str:
    found = [header for header in response_headers if header.startswith(f"{COOKIE}=")]
    assert len(found) == 1, response_headers
    return found[0]


def test_the_session_cookie_is_secure_httponly_and_lax(portal_app: Flask, team_a: Team) -> None:
    response = Portal(portal_app).login(team_a.users["read_only"])
    assert response.status_code == 302 and response.headers["Location"] == "/portal/"
    cookie = session_cookie(response.headers.getlist("Set-Cookie"))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly"} <= attributes
    assert "SameSite=Lax" in cookie and "Path=/portal" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    with portal_app.app_context(), database().transaction() as session:
        assert session.get(models.PortalSession, token) is None, "the token itself is never stored"
        assert session.get(models.PortalSession, portal_users.digest(token)) is not None


def test_each_sign_in_gets_a_new_session_and_sign_out_ends_it(portal_app: Flask, team_a: Team) -> None:
    browser = Portal(portal_app)
    first = session_cookie(browser.login(team_a.users["agent"]).headers.getlist("Set-Cookie"))
    second = session_cookie(browser.login(team_a.users["agent"]).headers.getlist("Set-Cookie"))
    assert first.split(";")[0] != second.split(";")[0]
    browser.client.set_cookie(COOKIE, first.split(";")[0].split("=", 1)[1], path="/portal", domain="portal.test")
    assert browser.get("/portal/").status_code == 302, "the session before the new sign-in was revoked"
    browser.client.set_cookie(COOKIE, second.split(";")[0].split("=", 1)[1], path="/portal", domain="portal.test")
    assert browser.get("/portal/").status_code == 200
    out = browser.post("/portal/logout")
    assert out.status_code == 302 and "signed_out" in out.headers["Location"]
    assert "Max-Age=0" in session_cookie(out.headers.getlist("Set-Cookie")) or "expires=Thu, 01 Jan 1970" in (
        session_cookie(out.headers.getlist("Set-Cookie"))
    )
    browser.client.set_cookie(COOKIE, second.split(";")[0].split("=", 1)[1], path="/portal", domain="portal.test")
    assert browser.get("/portal/").status_code == 302, "a signed-out session stays signed out"


def test_sessions_end_when_idle_and_after_the_absolute_limit(portal_app: Flask, team_a: Team) -> None:
    now = dt.datetime.now(dt.UTC)
    with portal_app.app_context(), database().transaction() as session:
        user = session.get(models.PortalUser, team_a.user_ids["read_only"])
        assert user is not None
        started = portal_users.start_session(session, user, now)
    with portal_app.app_context(), database().transaction() as session:
        token = started.token
        assert portal_users.load_session(session, token, now + dt.timedelta(minutes=29)) is not None
        assert portal_users.load_session(session, token, now + dt.timedelta(minutes=29 + 31)) is None, "idle"
        late = now + portal_users.ABSOLUTE_TIMEOUT
        record = session.get(models.PortalSession, portal_users.digest(token))
        assert record is not None
        record.last_seen_at = late - dt.timedelta(minutes=1)
        assert portal_users.load_session(session, token, late) is None, "absolute"


def test_a_wrong_password_is_refused_clearly(portal_app: Flask, team_a: Team) -> None:
    response = Portal(portal_app).login(team_a.users["owner"], "not the password")
    assert response.status_code == 400
    assert "The e-mail address or the password is not right." in response.get_data(as_text=True)
    empty = Portal(portal_app)
    empty.get("/portal/login")
    assert "Enter your e-mail address" in empty.post("/portal/login", {"email": ""}).get_data(as_text=True)


def test_sign_in_is_rate_limited_per_account(portal_app: Flask, team_a: Team) -> None:
    email = "limited@example.com"
    make_user(portal_app, email, "agent", team_a.creditor.id)
    browser = Portal(portal_app)
    for _ in range(portal_users.MAX_FAILURES_PER_ACCOUNT):
        assert browser.login(email, "wrong password!").status_code == 400
    refused = browser.login(email)  # even the right password, until the window has passed
    assert refused.status_code == 429
    assert "Too many failed attempts" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert Portal(portal_app).login(team_a.users["agent"]).status_code == 302, "other accounts are not affected"


def test_sign_in_is_rate_limited_per_address(portal_app: Flask) -> None:
    browser = Portal(portal_app)
    browser.client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    for number in range(portal_users.MAX_FAILURES_PER_ADDRESS):
        assert browser.login(f"nobody{number}@example.com", "wrong password!").status_code == 400
    assert browser.login("someone-else@example.com", "wrong password!").status_code == 429


def test_open_redirects_are_not_followed(portal_app: Flask, team_a: Team) -> None:
    browser = Portal(portal_app)
    browser.get("/portal/login")
    for target in ("https://evil.example/", "//evil.example/portal", "/p/elsewhere"):
        response = browser.post("/portal/login", {"email": team_a.users["agent"], "password": PASSWORD, "next": target})
        assert response.headers["Location"] == "/portal/"
    kept = browser.post(
        "/portal/login", {"email": team_a.users["agent"], "password": PASSWORD, "next": "/portal/claims"}
    )
    assert kept.headers["Location"] == "/portal/claims"


def test_two_step_sign_in_with_an_app_code_and_a_recovery_code(portal_app: Flask, team_a: Team) -> None:
    email = "totp@example.com"
    make_user(portal_app, email, "agent", team_a.creditor.id)
    browser = signed_in(portal_app, email)
    page = browser.get("/portal/account").get_data(as_text=True)
    assert "<svg" in page and "qr-code" in page
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', page)
    assert secret
    wrong = browser.post("/portal/account/totp", {"secret": secret.group(1), "code": "000000"})
    assert wrong.status_code == 400
    browser.get("/portal/account")
    code = totp.code_at(secret.group(1), dt.datetime.now(dt.UTC).timestamp())
    shown = browser.post("/portal/account/totp", {"secret": secret.group(1), "code": code}).get_data(as_text=True)
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", shown)
    assert len(codes) == 10

    again = Portal(portal_app)
    first = again.login(email)
    assert first.headers["Location"].startswith("/portal/login/code")
    assert again.get("/portal/").status_code == 302, "the password alone does not open the portal"
    again.get("/portal/login/code")
    assert again.post("/portal/login/code", {"code": "123456"}).status_code == 400
    code = totp.code_at(secret.group(1), dt.datetime.now(dt.UTC).timestamp())
    assert again.post("/portal/login/code", {"code": code}).status_code == 302
    assert again.get("/portal/").status_code == 200

    lost_phone = Portal(portal_app)
    lost_phone.login(email)
    lost_phone.get("/portal/login/code")
    assert lost_phone.post("/portal/login/code", {"code": codes[0]}).status_code == 302
    reuse = Portal(portal_app)
    reuse.login(email)
    reuse.get("/portal/login/code")
    assert reuse.post("/portal/login/code", {"code": codes[0]}).status_code == 400, "a recovery code works once"


def test_an_owner_invites_and_the_invitee_sets_a_password(portal_app: Flask, team_a: Team) -> None:
    owner = signed_in(portal_app, team_a.users["owner"])
    owner.get("/portal/users")
    refused = owner.post("/portal/users/invite", {"email": "not-an-address", "role": "agent"})
    assert refused.status_code == 400 and "valid e-mail address" in refused.get_data(as_text=True)
    owner.get("/portal/users")
    shown = owner.post("/portal/users/invite", {"email": "New.Agent@Example.com", "role": "agent"})
    link = re.search(r"https?://[^<\s]+/portal/invitations/[A-Za-z0-9_-]+", shown.get_data(as_text=True))
    assert shown.status_code == 200 and link
    path = "/portal/invitations/" + link.group(0).rsplit("/", 1)[1]

    invitee = Portal(portal_app)
    assert "new.agent@example.com" in invitee.get(path).get_data(as_text=True)
    short = invitee.post(path, {"name": "Nina", "password": "short", "password_repeat": "short"})
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
    invitee.get(path)
    done = invitee.post(path, {"name": "Nina", "password": PASSWORD, "password_repeat": PASSWORD})
    assert done.status_code == 302
    assert invitee.get("/portal/").status_code == 200
    assert invitee.get("/portal/users").status_code == 403, "invited as an agent, not an owner"
    assert Portal(portal_app).get(path).status_code == 404, "an invitation is used once"


def test_the_last_owner_stays_an_owner(portal_app: Flask, team_b: Team) -> None:
    owner = signed_in(portal_app, team_b.users["owner"])
    owner.get("/portal/users")
    with portal_app.app_context(), database().transaction() as session:
        others = session.query(models.PortalUser).filter_by(creditor_id=team_b.creditor.id, role="owner").count()
    assert others == 1
    # An owner cannot demote themselves through the page (no form), nor through a forged request.
    response = owner.post(f"/portal/users/{team_b.user_ids['owner']}/role", {"role": "agent"})
    assert response.status_code == 409


def test_operators_pick_a_creditor_and_creditors_cannot(portal_app: Flask, team_a: Team, team_b: Team) -> None:
    make_user(portal_app, "operator@inkasso.example", "owner", None, operator=True)
    operator = signed_in(portal_app, "operator@inkasso.example")
    assert operator.get("/portal/claims").status_code == 404, "no creditor picked yet"
    listing = operator.get("/portal/creditors").get_data(as_text=True)
    assert "Alpha Shop GmbH" in listing and "Beta Versand AG" in listing
    assert operator.post("/portal/creditors/act-for", {"creditor": team_b.creditor.id}).status_code == 302
    assert team_b.claim_ids[0] in operator.get("/portal/claims").get_data(as_text=True)
    assert operator.get(f"/portal/claims/{team_a.claim_ids[0]}").status_code == 404
    owner = signed_in(portal_app, team_a.users["owner"])
    assert owner.get("/portal/creditors").status_code == 403
    owner.get("/portal/")
    assert owner.post("/portal/creditors/act-for", {"creditor": team_b.creditor.id}).status_code == 403
