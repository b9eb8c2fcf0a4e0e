"""Data protection pages: find a debtor, export JSON and PDF, erase once no claim is open, the audit log;
owners only for the acts, another creditor's debtor is not there, CSRF on every form."""

from __future__ import annotations

import json

from flask import Flask

from paypage.extensions import database
from paypage.store import models
from tests.portal.conftest import Portal, Team, signed_in, submit_claim
from tests.portal.test_integrations_pages import audit_actions


def debtor_of(app: Flask, team: Team, claim_id: str) -> tuple[str, str]:
    with app.app_context(), database().transaction() as session:
        claim = session.get(models.Claim, (team.creditor.id, claim_id))
        assert claim is not None
        return claim.debtor_id, claim.external_reference


def test_find_and_export_a_debtor(portal_app: Flask, owner_client: Portal, team_a: Team) -> None:
    debtor_id, reference = debtor_of(portal_app, team_a, team_a.claim_ids[0])
    found = owner_client.get("/portal/privacy", query_string={"q": reference}).get_data(as_text=True)
    assert f"/portal/privacy/debtors/{debtor_id}" in found
    page = owner_client.get(f"/portal/privacy/debtors/{debtor_id}")
    assert page.status_code == 200 and "Erika Mustermann" in page.get_data(as_text=True)
    exported = owner_client.post(f"/portal/privacy/debtors/{debtor_id}/export.json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    assert exported.headers["Content-Disposition"] == f'attachment; filename="{debtor_id}.json"'
    document = json.loads(exported.get_data(as_text=True))
    assert document["debtor"]["name"] == "Erika Mustermann"
    assert {claim["external_reference"] for claim in document["claims"]} >= {reference}
    actor = f"user:{team_a.user_ids['owner']}"
    exports = [entry for entry in audit_actions(portal_app, team_a) if entry[1] == "debtor.exported"]
    assert exports.count((actor, "debtor.exported", debtor_id)) == 1  # the PDF is fetched in the browser suite
    log = owner_client.get("/portal/privacy").get_data(as_text=True)
    assert "debtor.exported" in log and "Alpha-Owner" in log  # the actor by name


def test_erasure_waits_for_open_claims_and_keeps_the_bookings(
    portal_app: Flask, owner_client: Portal, team_a: Team
) -> None:
    claim_id = submit_claim(portal_app, team_a.creditor)
    debtor_id, _ = debtor_of(portal_app, team_a, claim_id)
    owner_client.get(f"/portal/privacy/debtors/{debtor_id}")
    unconfirmed = owner_client.post(f"/portal/privacy/debtors/{debtor_id}/erase")
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.get_data(as_text=True)
    refused = owner_client.post(f"/portal/privacy/debtors/{debtor_id}/erase", {"confirm": "1"})
    assert refused.status_code == 409 and "still has open claims" in refused.get_data(as_text=True)
    cancelled = portal_app.test_client().post(
        f"/v1/claims/{claim_id}/cancel", json={"reason": "erasure request"}, headers=team_a.creditor.headers()
    )
    assert cancelled.status_code == 200, cancelled.get_data(as_text=True)
    erased = owner_client.post(f"/portal/privacy/debtors/{debtor_id}/erase", {"confirm": "1"})
    assert erased.status_code == 303 and "notice=debtor_erased" in erased.headers["Location"]
    with portal_app.app_context(), database().transaction() as session:
        debtor = session.get(models.Debtor, (team_a.creditor.id, debtor_id))
        claim = session.get(models.Claim, (team_a.creditor.id, claim_id))
        assert debtor is not None and debtor.name == "[erased]" and debtor.email is None
        assert claim is not None and claim.principal == 12_345  # the booking record stays
    assert (f"user:{team_a.user_ids['owner']}", "debtor.erased", debtor_id) in audit_actions(portal_app, team_a)


def test_read_only_and_agents_see_but_cannot_act(
    portal_app: Flask, readonly_client: Portal, agent_client: Portal, team_a: Team
) -> None:
    debtor_id, _ = debtor_of(portal_app, team_a, team_a.claim_ids[0])
    for portal in (readonly_client, agent_client):
        page = portal.get(f"/portal/privacy/debtors/{debtor_id}")
        assert page.status_code == 200 and "Download as JSON" not in page.get_data(as_text=True)
        for action in ("export.json", "export.pdf", "erase"):
            assert portal.post(f"/portal/privacy/debtors/{debtor_id}/{action}", {"confirm": "1"}).status_code == 403


def test_another_creditors_debtor_is_not_there(portal_app: Flask, owner_client: Portal, team_b: Team) -> None:
    debtor_id, reference = debtor_of(portal_app, team_b, team_b.claim_ids[0])
    assert owner_client.get(f"/portal/privacy/debtors/{debtor_id}").status_code == 404
    owner_client.get("/portal/privacy")
    for action in ("export.json", "export.pdf", "erase"):
        assert owner_client.post(f"/portal/privacy/debtors/{debtor_id}/{action}", {"confirm": "1"}).status_code == 404
    found = owner_client.get("/portal/privacy", query_string={"q": reference}).get_data(as_text=True)
    assert debtor_id not in found
    beta = signed_in(portal_app, team_b.users["owner"])
    assert "debtor.exported" not in beta.get("/portal/privacy").get_data(as_text=True)


def test_exports_need_the_csrf_token(portal_app: Flask, owner_client: Portal, team_a: Team) -> None:
    debtor_id, _ = debtor_of(portal_app, team_a, team_a.claim_ids[0])
    owner_client.get("/portal/privacy")
    assert owner_client.post(f"/portal/privacy/debtors/{debtor_id}/export.json", token="x").status_code == 400
