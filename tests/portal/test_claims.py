"""The claims list and its filters, the claim page with its timeline, and the actions on a claim: each one
changes the state through the state table and records the same event the API would."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from flask import Flask

from paypage.extensions import database
from paypage.portal.claim_search import PAGE_SIZE
from paypage.services import claims, debtor_requests
from paypage.store import models
from tests.factories import claim_body, debtor
from tests.portal.conftest import BOTH_BACKENDS, Portal, Team, app_on, pay_by_transfer, submit_claim, tenant_of
from tests.portal.objects import contact_message


@pytest.fixture(scope="module", params=BOTH_BACKENDS)
def portal_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """This module runs on SQLite and on PostgreSQL."""
    yield from app_on(str(request.param), tmp_path_factory)


def state_of(app: Flask, team: Team, claim_id: str) -> str:
    with app.app_context(), database().transaction() as session:
        claim = session.get(models.Claim, (team.creditor.id, claim_id))
        assert claim is not None
        return claim.state


def events_of(app: Flask, team: Team, claim_id: str) -> list[str]:
    with app.test_client() as client:
        response = client.get(f"/v1/claims/{claim_id}/events?limit=100", headers=team.creditor.headers())
    return [event["type"] for event in response.get_json()["data"]]


@pytest.fixture
def fresh_claim(portal_app: Flask, team_a: Team) -> str:
    return submit_claim(portal_app, team_a.creditor, amount=30_000)


def test_the_list_filters_by_state_country_amount_age_and_text(
    portal_app: Flask, team_a: Team, owner_client: Portal
) -> None:
    swiss = submit_claim(
        portal_app,
        team_a.creditor,
        currency="CHF",
        amount=99_900,
        external_reference="CH-FILTER-1",
        due_date="2026-09-05",
        debtor=debtor(country="CH", address=None, language="de"),
    )
    listing = owner_client.get("/portal/claims").get_data(as_text=True)
    assert "CH-FILTER-1" in listing
    cases = {
        "?country=CH": True,
        "?country=DE": False,
        "?state=open": True,
        "?state=paid": False,
        "?amount_min=999": True,
        "?amount_min=999.01": False,
        "?amount_max=998": False,
        "?q=ch-filter": True,
        "?q=nothing-like-it": False,
        "?age_min=30": True,
        "?age_max=10": False,
    }
    for query, shown in cases.items():
        # Narrowed to this module's own claims (the reference prefix) unless the text search is under test.
        narrowed = query if query.startswith("?q=") else query + "&q=CH-FILTER"
        response = owner_client.get("/portal/claims" + narrowed)
        assert response.status_code == 200
        assert ("CH-FILTER-1" in response.get_data(as_text=True)) is shown, query
    assert swiss in owner_client.get("/portal/claims?q=" + swiss).get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("state=bogus", "Choose a state from the list."),
        ("country=Germany", "A country is two letters"),
        ("amount_min=lots", "Enter an amount such as 150"),
        ("age_max=-3", "Enter a whole number of days."),
    ],
)
def test_bad_filters_get_a_clear_message(owner_client: Portal, query: str, message: str) -> None:
    response = owner_client.get("/portal/claims?" + query)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body and 'aria-invalid="true"' in body


def test_the_list_pages_through_many_claims(portal_app: Flask, team_a: Team, owner_client: Portal) -> None:
    references = [f"PAGE-{number:03d}" for number in range(PAGE_SIZE + 5)]
    body = {"claims": [claim_body(external_reference=reference) for reference in references]}
    with portal_app.test_client() as client:
        response = client.post("/v1/claims/batch", json=body, headers=team_a.creditor.headers())
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    first = owner_client.get("/portal/claims?q=PAGE-").get_data(as_text=True)
    older = re.search(r'href="([^"]+)" rel="next"', first)
    assert older and first.count("PAGE-") >= PAGE_SIZE
    second = owner_client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    shown = set(re.findall(r"PAGE-\d{3}", first)) | set(re.findall(r"PAGE-\d{3}", second))
    assert shown == set(references), "every claim once, across the two pages"
    assert 'rel="next"' not in second and 'rel="prev"' in second


def test_the_claim_page_shows_the_whole_timeline(portal_app: Flask, team_a: Team, owner_client: Portal) -> None:
    claim_id = submit_claim(portal_app, team_a.creditor, amount=20_000)
    contact_message(portal_app, team_a, claim_id)
    pay_by_transfer(portal_app, team_a, claim_id, 5_000)
    now = dt.datetime.now(dt.UTC)
    with portal_app.app_context(), database().transaction() as session:
        row = claims.get(session, tenant_of(team_a), claim_id)
        debtor_requests.contact(session, tenant_of(team_a), row, "Can I pay next week?", "erika@example.de", now)
    page = owner_client.get(f"/portal/claims/{claim_id}").get_data(as_text=True)
    for text in (
        "Claim handed over",
        "Message sent",
        "Bitte zahlen Sie.",
        "Payment received",
        "50.00",
        "Debtor wrote a message",
        "Can I pay next week?",
        "150.00",
    ):
        assert text in page, text
    assert 'sandbox=""' in page and "/messages/msg_" in page


def test_an_e_mail_body_is_served_for_a_sandboxed_frame_only(
    portal_app: Flask, team_a: Team, owner_client: Portal
) -> None:
    claim_id = team_a.claim_ids[0]
    message_id = contact_message(portal_app, team_a, claim_id)
    response = owner_client.get(f"/portal/claims/{claim_id}/messages/{message_id}")
    assert response.status_code == 200 and "<p>Bitte zahlen Sie.</p>" in response.get_data(as_text=True)
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    other = team_a.claim_ids[1]
    assert owner_client.get(f"/portal/claims/{other}/messages/{message_id}").status_code == 404


def test_pause_and_resume(portal_app: Flask, team_a: Team, agent_client: Portal, fresh_claim: str) -> None:
    agent_client.get(f"/portal/claims/{fresh_claim}")
    past = agent_client.post(f"/portal/claims/{fresh_claim}/pause", {"until": "2020-01-01", "reason": "x"})
    assert past.status_code == 400 and "Choose an end date in the future" in past.get_data(as_text=True)
    until = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    done = agent_client.post(f"/portal/claims/{fresh_claim}/pause", {"until": until, "reason": "holiday"})
    assert done.status_code == 303 and "notice=paused" in done.headers["Location"]
    assert state_of(portal_app, team_a, fresh_claim) == "paused"
    assert "Collection is paused." in agent_client.get(done.headers["Location"]).get_data(as_text=True)
    assert agent_client.post(f"/portal/claims/{fresh_claim}/resume").status_code == 303
    assert state_of(portal_app, team_a, fresh_claim) == "open"
    assert events_of(portal_app, team_a, fresh_claim)[-2:] == ["claim.paused", "claim.resumed"]
    timeline = agent_client.get(f"/portal/claims/{fresh_claim}").get_data(as_text=True)
    assert "Alpha-Agent" in timeline and "holiday" in timeline, "who paused it, by name, and why"
    again = agent_client.post(f"/portal/claims/{fresh_claim}/resume")
    assert again.status_code == 409 and "not possible in the claim" in again.get_data(as_text=True)


def test_resolve_a_dispute_both_ways(portal_app: Flask, team_a: Team, agent_client: Portal) -> None:
    now = dt.datetime.now(dt.UTC)
    first, second = (submit_claim(portal_app, team_a.creditor) for _ in range(2))
    with portal_app.app_context(), database().transaction() as session:
        for claim_id in (first, second):
            row = claims.get(session, tenant_of(team_a), claim_id, for_update=True)
            debtor_requests.dispute(session, tenant_of(team_a), row, "never ordered", now)
    agent_client.get(f"/portal/claims/{first}")
    assert agent_client.post(f"/portal/claims/{first}/resolve-dispute", {"outcome": "maybe"}).status_code == 400
    assert agent_client.post(f"/portal/claims/{first}/resolve-dispute", {"outcome": "continue"}).status_code == 303
    assert state_of(portal_app, team_a, first) == "open"
    assert events_of(portal_app, team_a, first)[-1] == "claim.dispute_resolved"
    assert (
        agent_client.post(
            f"/portal/claims/{second}/resolve-dispute", {"outcome": "cancel", "note": "wrong address"}
        ).status_code
        == 303
    )
    assert state_of(portal_app, team_a, second) == "cancelled"
    with portal_app.app_context(), database().transaction() as session:
        statuses = {r.status for r in session.query(models.DebtorRequest).filter_by(claim_id=second)}
    assert statuses == {"upheld"}


def test_write_off_and_cancel_are_for_owners(
    portal_app: Flask, team_a: Team, owner_client: Portal, agent_client: Portal, fresh_claim: str
) -> None:
    agent_client.get(f"/portal/claims/{fresh_claim}")
    assert agent_client.post(f"/portal/claims/{fresh_claim}/cancel", {"reason": "x"}).status_code == 403
    owner_client.get(f"/portal/claims/{fresh_claim}")
    assert owner_client.post(f"/portal/claims/{fresh_claim}/write-off", {"reason": "x"}).status_code == 409, (
        "an open claim cannot be written off: the state table says so"
    )
    assert owner_client.post(f"/portal/claims/{fresh_claim}/cancel", {"reason": " "}).status_code == 400
    assert owner_client.post(f"/portal/claims/{fresh_claim}/cancel", {"reason": "paid in the shop"}).status_code == 303
    assert state_of(portal_app, team_a, fresh_claim) == "cancelled"
    assert events_of(portal_app, team_a, fresh_claim)[-1] == "claim.cancelled"


def test_write_off_after_collection_started(portal_app: Flask, team_a: Team, owner_client: Portal) -> None:
    claim_id = submit_claim(portal_app, team_a.creditor)
    with portal_app.app_context(), database().transaction() as session:
        row = claims.get(session, tenant_of(team_a), claim_id, for_update=True)
        claims.transition(session, tenant_of(team_a), row, "in_collection", dt.datetime.now(dt.UTC))
    owner_client.get(f"/portal/claims/{claim_id}")
    assert owner_client.post(f"/portal/claims/{claim_id}/write-off", {"reason": "insolvent"}).status_code == 303
    assert state_of(portal_app, team_a, claim_id) == "written_off"
    assert events_of(portal_app, team_a, claim_id)[-1] == "claim.written_off"


def test_agree_a_plan_manually(portal_app: Flask, team_a: Team, agent_client: Portal, fresh_claim: str) -> None:
    today = dt.date.today().isoformat()
    agent_client.get(f"/portal/claims/{fresh_claim}")
    assert (
        agent_client.post(f"/portal/claims/{fresh_claim}/plan", {"months": "1", "first_due": today}).status_code == 400
    )
    assert (
        agent_client.post(f"/portal/claims/{fresh_claim}/plan", {"months": "x", "first_due": today}).status_code == 400
    )
    done = agent_client.post(f"/portal/claims/{fresh_claim}/plan", {"months": "7", "first_due": today})
    assert done.status_code == 303
    assert state_of(portal_app, team_a, fresh_claim) == "payment_plan"
    with portal_app.app_context(), database().transaction() as session:
        plan = session.query(models.PaymentPlan).filter_by(claim_id=fresh_claim).one()
    assert plan.method == "manual" and plan.total == 30_000 and len(plan.schedule) == 7
    assert sum(item["amount"] for item in plan.schedule) == 30_000
    assert events_of(portal_app, team_a, fresh_claim)[-1] == "claim.plan_created"
    page = agent_client.get(f"/portal/claims/{fresh_claim}").get_data(as_text=True)
    assert "Instalment 7" in page


def test_correct_the_debtors_data(portal_app: Flask, team_a: Team, agent_client: Portal, fresh_claim: str) -> None:
    agent_client.get(f"/portal/claims/{fresh_claim}")
    bad = agent_client.post(f"/portal/claims/{fresh_claim}/debtor", {"name": "Erika", "email": "erika-at-home"})
    assert bad.status_code == 400 and "Please check the debtor&#39;s data" in bad.get_data(as_text=True)
    good = agent_client.post(
        f"/portal/claims/{fresh_claim}/debtor", {"name": "Erika Muster", "email": "erika@example.org", "phone": ""}
    )
    assert good.status_code == 303
    with portal_app.app_context(), database().transaction() as session:
        claim = session.get(models.Claim, (team_a.creditor.id, fresh_claim))
        assert claim is not None
        debtor = session.get(models.Debtor, (team_a.creditor.id, claim.debtor_id))
    assert debtor is not None and debtor.email == "erika@example.org" and debtor.phone is None
    assert events_of(portal_app, team_a, fresh_claim)[-1] == "claim.updated"


def test_send_the_pay_link_again(portal_app: Flask, team_a: Team, agent_client: Portal, fresh_claim: str) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    with portal_app.app_context(), database().transaction() as session:
        claim = session.get(models.Claim, (team_a.creditor.id, fresh_claim))
        assert claim is not None
        claim.next_action_at = later
    agent_client.get(f"/portal/claims/{fresh_claim}")
    assert agent_client.post(f"/portal/claims/{fresh_claim}/resend-link").status_code == 303
    with portal_app.app_context(), database().transaction() as session:
        claim = session.get(models.Claim, (team_a.creditor.id, fresh_claim))
        assert claim is not None and claim.next_action_at is not None and claim.next_action_at < later


def test_actions_are_in_the_audit_log(portal_app: Flask, team_a: Team, agent_client: Portal, fresh_claim: str) -> None:
    from paypage.services import audit

    agent_client.get(f"/portal/claims/{fresh_claim}")
    until = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    agent_client.post(f"/portal/claims/{fresh_claim}/pause", {"until": until})
    with portal_app.app_context(), database().transaction() as session:
        rows = session.query(audit.AuditEntry).filter_by(creditor_id=team_a.creditor.id, subject=fresh_claim).all()
    assert [(row.action, row.actor) for row in rows] == [("claim.paused", f"user:{team_a.user_ids['agent']}")]


def test_the_mode_switch_shows_one_mode_at_a_time(portal_app: Flask) -> None:
    from tests.portal.conftest import signed_in, team

    team_a = team(portal_app, "Modus GmbH", "modus")  # its own creditor: live data changes the landing mode
    live_id = submit_claim(portal_app, team_a.creditor, external_reference="LIVE-MODE-1")
    with portal_app.test_client() as client:
        response = client.post(
            "/v1/claims", json=claim_body(external_reference="LIVE-MODE-2"), headers=team_a.creditor.headers(live=True)
        )
    assert response.status_code == 201
    live_claim = response.get_json()["id"]
    browser = signed_in(portal_app, team_a.users["read_only"])
    landing = browser.get("/portal/claims?q=LIVE-MODE").get_data(as_text=True)
    assert "LIVE-MODE-2" in landing and "LIVE-MODE-1" not in landing, "a creditor with live data lands in live mode"
    switched = browser.post("/portal/mode", {"mode": "test", "next": "/portal/claims?q=LIVE-MODE"})
    assert switched.status_code == 302 and switched.headers["Location"] == "/portal/claims?q=LIVE-MODE"
    test_page = browser.get("/portal/claims?q=LIVE-MODE").get_data(as_text=True)
    assert "LIVE-MODE-1" in test_page and "LIVE-MODE-2" not in test_page and "Test data" in test_page
    assert browser.get(f"/portal/claims/{live_claim}").status_code == 404
    browser.post("/portal/mode", {"mode": "live"})
    assert "LIVE-MODE-2" in browser.get("/portal/claims?q=LIVE-MODE").get_data(as_text=True)
    assert browser.get(f"/portal/claims/{live_id}").status_code == 404
