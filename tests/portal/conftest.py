"""The portal on SQLite: creditor A with an owner, an agent and a read-only user; creditor B with its own
owner and objects; signed-in test clients per role; and a helper that posts a form with its CSRF token."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from paypage.domain import passwords
from paypage.extensions import database, links
from paypage.services import portal_users
from paypage.services.tenancy import Tenant
from paypage.store import models
from tests.conftest import build_app, postgresql_database
from tests.factories import CreditorKeys, claim_body, new_creditor

PASSWORD = "correct horse battery staple"
BASE_URL = "https://portal.test"
"""Over HTTPS, as in production: the session cookie is Secure."""


@dataclass
class Team:
    creditor: CreditorKeys
    users: dict[str, str] = field(default_factory=dict)
    """role -> e-mail address."""
    user_ids: dict[str, str] = field(default_factory=dict)
    claim_ids: list[str] = field(default_factory=list)
    invitation_id: str = ""


def make_user(app: Flask, email: str, role: str, creditor_id: str | None, operator: bool = False) -> str:
    with app.app_context(), database().transaction() as session:
        user = portal_users.create_user(
            session,
            email=email,
            name=email.split("@")[0].title(),
            password=PASSWORD,
            role=role,
            creditor_id=creditor_id,
            is_operator=operator,
            now=dt.datetime.now(dt.UTC),
        )
        return user.id


def submit_claim(app: Flask, creditor: CreditorKeys, **overrides: object) -> str:
    with app.test_client() as client:
        response = client.post("/v1/claims", json=claim_body(**overrides), headers=creditor.headers())
    assert response.status_code == 201, response.get_data(as_text=True)
    return str(response.get_json()["id"])


def team(app: Flask, name: str, prefix: str) -> Team:
    found = Team(new_creditor(app, name))
    for role in portal_users.ROLES:
        email = f"{prefix}-{role.replace('_', '')}@example.com"
        found.users[role] = email
        found.user_ids[role] = make_user(app, email, role, found.creditor.id)
    found.claim_ids.append(submit_claim(app, found.creditor))
    found.claim_ids.append(submit_claim(app, found.creditor, currency="CHF", amount=50_000))
    return found


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """scrypt at a small cost factor: the tests sign in hundreds of times; the stored hash names its own cost,
    so the code under test is the same."""
    saved = passwords.N
    passwords.N = 2**10
    passwords.dummy_hash.cache_clear()
    yield
    passwords.N = saved
    passwords.dummy_hash.cache_clear()


def app_on(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a database of its own: a SQLite file, or a throwaway PostgreSQL database."""
    data: Path = tmp_path_factory.mktemp("portal")
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgresql_database()) if backend == "postgresql" else f"sqlite:///{data / 'p.db'}"
        application = build_app(url, data)
        stack.callback(application.extensions["inkasso.db"].dispose)
        yield application


BOTH_BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
"""For a test module to run on both databases: override `portal_app` with `params=BOTH_BACKENDS`."""


@pytest.fixture(scope="module")
def portal_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from app_on("sqlite", tmp_path_factory)


@pytest.fixture(scope="module")
def team_a(portal_app: Flask) -> Team:
    return team(portal_app, "Alpha Shop GmbH", "alpha")


@pytest.fixture(scope="module")
def team_b(portal_app: Flask) -> Team:
    """The other creditor: nothing of it may ever show to team A."""
    found = team(portal_app, "Beta Versand AG", "beta")
    with portal_app.app_context(), database().transaction() as session:
        invitation = portal_users.invite(
            session,
            creditor_id=found.creditor.id,
            email="beta-invited@example.com",
            role="agent",
            invited_by=found.user_ids["owner"],
            now=dt.datetime.now(dt.UTC),
        )
        found.invitation_id = invitation.record.id
    return found


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


class Portal:
    """A browser on the portal: keeps cookies, fetches a page for its CSRF token, posts forms."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.token = ""

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        response = self.client.get(path, base_url=BASE_URL, **kwargs)
        body = response.get_data(as_text=True)
        if 'name="csrf_token"' in body:
            self.token = csrf_token(body)
        return response

    def post(self, path: str, data: dict[str, str] | None = None, token: str | None = None) -> TestResponse:
        if not self.token and token is None:
            self.get("/portal/login")
        form = {"csrf_token": self.token if token is None else token, **(data or {})}
        return self.client.post(path, data=form, base_url=BASE_URL)

    def login(self, email: str, password: str = PASSWORD) -> TestResponse:
        self.get("/portal/login")
        return self.post("/portal/login", {"email": email, "password": password})


def signed_in(app: Flask, email: str) -> Portal:
    portal = Portal(app)
    response = portal.login(email)
    assert response.status_code == 302, response.get_data(as_text=True)
    portal.get("/portal/")
    return portal


@pytest.fixture(scope="module")
def owner_client(portal_app: Flask, team_a: Team) -> Portal:
    return signed_in(portal_app, team_a.users["owner"])


@pytest.fixture(scope="module")
def agent_client(portal_app: Flask, team_a: Team) -> Portal:
    return signed_in(portal_app, team_a.users["agent"])


@pytest.fixture(scope="module")
def readonly_client(portal_app: Flask, team_a: Team) -> Portal:
    return signed_in(portal_app, team_a.users["read_only"])


def pay_by_transfer(app: Flask, team: Team, claim_id: str, amount: int) -> None:
    """The bank reports a transfer with the claim's reference: booked as the API books it."""
    with app.app_context(), database().transaction() as session:
        claim = session.get(models.Claim, (team.creditor.id, claim_id))
        assert claim is not None
        reference, currency = claim.transfer_reference, claim.currency
    body = {
        "amount": amount,
        "currency": currency,
        "bank_reference": f"BANK-{claim_id}-{amount}-{dt.datetime.now(dt.UTC).timestamp()}",
        "reference": reference,
        "booking_date": dt.date.today().isoformat(),
    }
    with app.test_client() as client:
        response = client.post("/v1/bank_transactions", json=body, headers=team.creditor.headers())
    assert response.status_code == 201, response.get_data(as_text=True)


def tenant_of(team: Team) -> Tenant:
    return Tenant(team.creditor.id, False)


def pay_url(app: Flask, team: Team, claim_id: str) -> str:
    with app.app_context(), database().transaction() as session:
        claim = session.get(models.Claim, (team.creditor.id, claim_id))
        assert claim is not None
        url = links().url(claim)
        assert url is not None
        return url
