"""One object of a creditor for every URL variable of the portal's routes, so that tests can fill any route.

A new route with a variable name not listed here makes the route tests fail until it is added: every
portal route is then tested for tenant isolation, roles and CSRF without anyone having to remember it.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Flask

from paypage.domain.ids import new_id
from paypage.extensions import database
from paypage.services.tenancy import Tenant
from paypage.store import models
from tests.portal.conftest import Team


def contact_message(app: Flask, team: Team, claim_id: str) -> str:
    now = dt.datetime.now(dt.UTC)
    with app.app_context(), database().transaction() as session:
        message = models.ContactMessage(
            creditor_id=team.creditor.id,
            id=new_id("msg", now),
            livemode=False,
            claim_id=claim_id,
            step_key="reminder-1",
            channel="email",
            template="reminder",
            tone="friendly",
            language="de",
            status="sent",
            recipient="erika@example.de",
            subject="Erinnerung",
            body_text="Bitte zahlen Sie.",
            body_html="<p>Bitte zahlen Sie.</p>",
            created_at=now,
            sent_at=now,
            updated_at=now,
        )
        session.add(message)
        return message.id


def webhook_endpoint(app: Flask, team: Team) -> str:
    with app.test_client() as client:
        response = client.post(
            "/v1/webhook_endpoints",
            json={"url": "https://receiver.example/hooks", "events": ["*"]},
            headers=team.creditor.headers(),
        )
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    return str(response.get_json()["id"])


def api_key_id(app: Flask, team: Team) -> str:
    with app.app_context(), database().transaction() as session:
        key = session.query(models.ApiKey).filter_by(creditor_id=team.creditor.id, livemode=False).first()
        assert key is not None
        return key.id


def debtor_id(app: Flask, team: Team) -> str:
    with app.app_context(), database().transaction() as session:
        claim = session.get(models.Claim, (team.creditor.id, team.claim_ids[0]))
        assert claim is not None
        return claim.debtor_id


def import_job(app: Flask, team: Team) -> str:
    from paypage.services import csv_imports

    with app.app_context(), database().transaction() as session:
        job = csv_imports.submit(
            session,
            Tenant(team.creditor.id, False),
            filename="claims.csv",
            content=b"external_reference,amount\n",
            partial=False,
            user_id=None,
            now=dt.datetime.now(dt.UTC),
        )
        return job.id


def inbox_item(app: Flask, team: Team, claim_id: str) -> str:
    from paypage.services import inbox

    with app.app_context(), database().transaction() as session:
        item = inbox.route_to_human(
            session,
            creditor_id=team.creditor.id,
            livemode=False,
            kind="message",
            reason="a question no template answers",
            now=dt.datetime.now(dt.UTC),
            claim_id=claim_id,
        )
        return item.id


def url_values(app: Flask, team: Team) -> dict[str, str]:
    """URL variable name -> the id of one of `team`'s objects of that kind."""
    claim_id = team.claim_ids[0]
    return {
        "claim_id": claim_id,
        "user_id": team.user_ids["agent"],
        "invitation_id": team.invitation_id,
        "message_id": contact_message(app, team, claim_id),
        "endpoint_id": webhook_endpoint(app, team),
        "key_id": api_key_id(app, team),
        "debtor_id": debtor_id(app, team),
        "job_id": import_job(app, team),
        "item_id": inbox_item(app, team, claim_id),
        "token": secrets.token_urlsafe(32),
        "code": "DE",
    }


SHARED = frozenset({"code"})
"""Variables that name no tenant's object (a country code): the same for every creditor."""
