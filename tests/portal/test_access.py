"""Every portal route, found in the URL map (routes added later are covered without being named here):

- creditor A's owner reaches nothing of creditor B by putting B's ids into the URL (404, never B's data);
- a read-only user cannot use any route that changes something (403);
- every state-changing request without the form's CSRF token, or with a wrong one, is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.routing import Rule

from paypage.portal.access import role_of
from tests.portal.conftest import BOTH_BACKENDS, Portal, Team, app_on, signed_in
from tests.portal.objects import SHARED, url_values

PUBLIC = frozenset({"portal.login", "portal.login_code", "portal.accept_invitation", "portal.logout"})
"""Routes that work without being signed in (or that only end a session)."""
OPERATOR_ONLY = frozenset({"portal.creditors", "portal.act_for"})


@pytest.fixture(scope="module", params=BOTH_BACKENDS)
def portal_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """This module runs on SQLite and on PostgreSQL."""
    yield from app_on(str(request.param), tmp_path_factory)


def portal_rules(app: Flask) -> Iterator[Rule]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("portal.") and rule.endpoint != "portal.static":
            yield rule


def fill(rule: Rule, values: dict[str, str]) -> str:
    unknown = sorted(set(rule.arguments) - set(values))
    assert not unknown, (
        f"{rule.rule}: no test object for {unknown}; add one to tests/portal/objects.py so that the route is "
        "tested for tenant isolation, roles and CSRF"
    )
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", values[name], path)
    return path


@pytest.fixture(scope="module")
def values_a(portal_app: Flask, team_a: Team) -> dict[str, str]:
    team_a.invitation_id = _own_invitation(portal_app, team_a)
    return url_values(portal_app, team_a)


@pytest.fixture(scope="module")
def values_b(portal_app: Flask, team_b: Team) -> dict[str, str]:
    return url_values(portal_app, team_b)


def _own_invitation(app: Flask, team: Team) -> str:
    import datetime as dt

    from paypage.extensions import database
    from paypage.services import portal_users

    with app.app_context(), database().transaction() as session:
        invitation = portal_users.invite(
            session,
            creditor_id=team.creditor.id,
            email=f"invited-{team.creditor.id.lower()}@example.com",
            role="agent",
            invited_by=team.user_ids["owner"],
            now=dt.datetime.now(dt.UTC),
        )
        return invitation.record.id


def test_there_are_routes_to_check(portal_app: Flask) -> None:
    endpoints = {rule.endpoint for rule in portal_rules(portal_app)}
    assert {"portal.dashboard", "portal.claims_list", "portal.claim", "portal.pause_claim", "portal.users"} <= endpoints


def test_no_route_reaches_another_creditors_objects(
    portal_app: Flask, team_a: Team, team_b: Team, values_b: dict[str, str]
) -> None:
    owner = signed_in(portal_app, team_a.users["owner"])
    secrets_of_b = [team_b.creditor.id, "Beta Versand", *team_b.claim_ids, *team_b.user_ids.values()]
    checked = 0
    for rule in portal_rules(portal_app):
        if not rule.arguments or rule.endpoint in PUBLIC or set(rule.arguments) <= SHARED:
            continue
        path = fill(rule, values_b)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            response = owner.get(path) if method == "GET" else owner.post(path, {})
            body = response.get_data(as_text=True)
            assert response.status_code == 404, (
                f"{method} {rule.rule} as A's owner with B's ids: {response.status_code}"
            )
            # The page may repeat the address it was asked for; nothing else of B may appear.
            leaked = [value for value in secrets_of_b if value in body and value not in path]
            assert not leaked, f"{method} {rule.rule} shows B's {leaked}"
            checked += 1
    assert checked >= 10


def test_pages_without_ids_show_nothing_of_another_creditor(
    portal_app: Flask, team_a: Team, team_b: Team, owner_client: Portal
) -> None:
    secrets_of_b = [team_b.creditor.id, "Beta Versand", *team_b.claim_ids, "beta-"]
    for rule in portal_rules(portal_app):
        if rule.arguments or "GET" not in (rule.methods or set()) or rule.endpoint in PUBLIC | OPERATOR_ONLY:
            continue
        response = owner_client.get(rule.rule)
        body = response.get_data(as_text=True)
        assert response.status_code in (200, 304), f"GET {rule.rule}: {response.status_code}"
        assert not [value for value in secrets_of_b if value in body], f"GET {rule.rule} shows B's data"


def test_read_only_users_cannot_change_anything(
    portal_app: Flask, readonly_client: Portal, values_a: dict[str, str]
) -> None:
    checked = 0
    for rule in portal_rules(portal_app):
        view = portal_app.view_functions[rule.endpoint]
        if "POST" not in (rule.methods or set()) or role_of(view) in (None, "read_only"):
            continue
        response = readonly_client.post(fill(rule, values_a), {})
        assert response.status_code == 403, f"POST {rule.rule} as read-only: {response.status_code}"
        checked += 1
    assert checked >= 8


def test_an_agent_cannot_do_what_only_owners_may(
    portal_app: Flask, agent_client: Portal, values_a: dict[str, str]
) -> None:
    for rule in portal_rules(portal_app):
        view = portal_app.view_functions[rule.endpoint]
        if role_of(view) != "owner":
            continue
        method = "POST" if "POST" in (rule.methods or set()) else "GET"
        path = fill(rule, values_a)
        response = agent_client.post(path, {}) if method == "POST" else agent_client.get(path)
        assert response.status_code == 403, f"{method} {rule.rule} as agent: {response.status_code}"


@pytest.mark.parametrize("token", ["", "forged-token"], ids=["missing", "wrong"])
def test_every_form_needs_its_csrf_token(portal_app: Flask, team_a: Team, values_a: dict[str, str], token: str) -> None:
    owner = signed_in(portal_app, team_a.users["owner"])
    checked = 0
    for rule in portal_rules(portal_app):
        if "POST" not in (rule.methods or set()):
            continue
        response = owner.post(fill(rule, values_a), {}, token=token)
        assert response.status_code in (400, 403), f"POST {rule.rule} with a {token or 'missing'} token"
        checked += 1
    assert checked >= 10
    assert owner.get("/portal/").status_code == 200, "the session survives refused forms"


def test_signed_out_visitors_are_sent_to_the_sign_in_page(portal_app: Flask, values_a: dict[str, str]) -> None:
    visitor = Portal(portal_app)
    for rule in portal_rules(portal_app):
        if rule.endpoint in PUBLIC or "GET" not in (rule.methods or set()):
            continue
        response = visitor.get(fill(rule, values_a))
        assert response.status_code == 302, f"GET {rule.rule} signed out: {response.status_code}"
        assert "/portal/login" in response.headers["Location"]
