"""Access (export as data and as PDF) and erasure of one debtor, scoped to its creditor."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from paypage.extensions import database
from paypage.services import audit, gdpr
from paypage.services.errors import RequestError
from paypage.store import models
from tests.dataprotection.support import Handed, add_history, close, hand_over, new_tenant
from tests.factories import claim_body, new_creditor

NOW = dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=20)
NAME = "Łucja Żółkiewska-Müller"


@pytest.fixture
def handed(app: Flask) -> Handed:
    tenant = new_tenant(app, NOW)
    claim = hand_over(app, tenant, NOW, name=NAME, email="lucja@example.pl", date_of_birth="1988-02-29")
    add_history(app, claim, NOW, "Geheimtext")
    return claim


def _export(app: Flask, handed: Handed, creditor_id: str | None = None) -> dict[str, object]:
    with app.app_context(), database().transaction() as session:
        return gdpr.export_debtor(
            session, creditor_id=creditor_id or handed.tenant.creditor_id, debtor_id=handed.debtor_id, now=LATER
        )


def test_export_holds_everything_about_the_debtor(app: Flask, handed: Handed) -> None:
    export = _export(app, handed)
    json.dumps(export)  # JSON-ready as it is
    debtor = export["debtor"]
    assert isinstance(debtor, dict)
    assert (debtor["name"], debtor["email"], debtor["date_of_birth"]) == (NAME, "lucja@example.pl", "1988-02-29")
    assert debtor["address"]["city"] == "Köln"  # type: ignore[index]
    (claim,) = export["claims"]  # type: ignore[misc]
    assert claim["id"] == handed.claim_id and claim["principal"] == 12_345 and claim["currency"] == "EUR"
    assert [event["type"] for event in claim["events"]][0] == "claim.created"
    assert claim["messages"][0]["body_text"] == "Hallo Geheimtext, bitte zahlen Sie."
    assert claim["messages"][0]["recipient"] == "Geheimtext@example.de"
    assert claim["received_messages"][0]["body"] == "Ich zahle nächste Woche. Geheimtext"
    assert claim["received_messages"][0]["sender"] == "Geheimtext@example.de"
    assert claim["payments"][0]["amount"] == 500
    assert claim["requests"][0]["data"]["note"] == "note: Geheimtext"
    upload = claim["uploads"][0]
    assert upload["content_type"] == "image/png" and upload["size"] > 0 and "content" not in upload
    with app.app_context(), database().transaction() as session:
        (entry,) = audit.entries(session, creditor_id=handed.tenant.creditor_id)
    assert (entry.action, entry.subject) == ("debtor.exported", handed.debtor_id)
    assert entry.detail == {"claims": 1, "format": "json"}


def test_export_pdf_is_readable_text(app: Flask, handed: Handed) -> None:
    with app.app_context(), database().transaction() as session:
        pdf = gdpr.export_debtor_pdf(
            session, creditor_id=handed.tenant.creditor_id, debtor_id=handed.debtor_id, now=LATER, actor="user:usr_1"
        )
    assert pdf.startswith(b"%PDF-")
    content = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert NAME in content
    assert "lucja@example.pl" in content
    assert "€123.45 (12345 minor units)" in content
    assert "Hallo Geheimtext, bitte zahlen Sie." in content
    assert "Personal data held about you" in content


def test_another_creditors_debtor_is_not_found(app: Flask, handed: Handed) -> None:
    stranger = new_tenant(app, NOW, "Other Shop")
    with pytest.raises(RequestError) as export_error:
        _export(app, handed, stranger.creditor_id)
    assert export_error.value.status == 404
    with pytest.raises(RequestError) as erase_error, app.app_context(), database().transaction() as session:
        gdpr.erase_debtor(
            session, creditor_id=stranger.creditor_id, debtor_id=handed.debtor_id, actor="user:usr_x", now=LATER
        )
    assert erase_error.value.status == 404


def test_erasure_is_refused_while_a_claim_is_open(app: Flask, handed: Handed) -> None:
    with pytest.raises(gdpr.ErasureRefused) as refused, app.app_context(), database().transaction() as session:
        gdpr.erase_debtor(
            session, creditor_id=handed.tenant.creditor_id, debtor_id=handed.debtor_id, actor="user:usr_1", now=LATER
        )
    assert refused.value.status == 409 and refused.value.code == "retention_applies"
    assert handed.claim_id in refused.value.message
    assert _export(app, handed)["debtor"]["name"] == NAME  # type: ignore[index]


def test_erasure_removes_personal_data_and_keeps_the_books(app: Flask, handed: Handed) -> None:
    close(app, handed, NOW + dt.timedelta(days=1))
    creditor_id = handed.tenant.creditor_id
    with app.app_context(), database().transaction() as session:
        result = gdpr.erase_debtor(
            session, creditor_id=creditor_id, debtor_id=handed.debtor_id, actor="user:usr_1", now=LATER
        )
    assert (result.claims, result.messages, result.requests, result.uploads) == (1, 2, 1, 1)
    assert not result.already_erased

    export = _export(app, handed)
    text = json.dumps(export, ensure_ascii=False)
    for personal in ("Łucja", "lucja@example.pl", "1988-02-29", "Geheimtext", "Köln", "Heidestraße", "+49151"):
        assert personal not in text, personal
    debtor = export["debtor"]
    assert debtor["name"] == gdpr.ERASED_NAME and debtor["email"] is None and debtor["address"] is None  # type: ignore[index]
    assert debtor["erased_at"] == LATER.isoformat()  # type: ignore[index]
    (claim,) = export["claims"]  # type: ignore[misc]
    assert (claim["principal"], claim["state"], claim["invoice_date"]) == (12_345, "cancelled", "2026-09-01")
    assert [payment["amount"] for payment in claim["payments"]] == [500]
    assert claim["uploads"] == []
    assert claim["received_messages"][0]["body"] == "" and claim["received_messages"][0]["intent"] == "question"
    assert claim["requests"][0]["data"] == {"paid_on": NOW.date().isoformat(), "amount": 500, "currency": "EUR"}
    with app.app_context(), database().transaction() as session:
        ledger = session.scalars(select(models.LedgerEntry).where(models.LedgerEntry.claim_id == handed.claim_id))
        assert [entry.amount for entry in ledger] == [500]
        actions = [entry.action for entry in audit.entries(session, creditor_id=creditor_id)]
    assert actions[:2] == ["debtor.exported", "debtor.erased"]

    # Erasing again is recorded but changes nothing.
    with app.app_context(), database().transaction() as session:
        again = gdpr.erase_debtor(
            session, creditor_id=creditor_id, debtor_id=handed.debtor_id, actor="system", now=LATER
        )
    assert again.already_erased


def test_an_erased_claim_still_renders_through_the_api(app: Flask) -> None:
    creditor = new_creditor(app)
    client = app.test_client()
    claim = client.post("/v1/claims", json=claim_body(), headers=creditor.headers()).json
    client.post(f"/v1/claims/{claim['id']}/cancel", json={"reason": "duplicate"}, headers=creditor.headers())
    with app.app_context(), database().transaction() as session:
        gdpr.erase_debtor(
            session, creditor_id=creditor.id, debtor_id=claim["debtor"]["id"], actor="user:usr_1", now=LATER
        )
    shown = client.get(f"/v1/claims/{claim['id']}", headers=creditor.headers())
    assert shown.status_code == 200, shown.json
    assert shown.json["debtor"]["name"] == gdpr.ERASED_NAME
    assert shown.json["debtor"]["email"] is None and shown.json["debtor"]["address"] is None
    assert (shown.json["amount"], shown.json["state"]) == (claim["amount"], "cancelled")
    events = client.get(f"/v1/claims/{claim['id']}/events", headers=creditor.headers()).json["data"]
    assert {event["data"]["claim"]["debtor"]["name"] for event in events} == {gdpr.ERASED_NAME}
    assert all("reason" not in event["data"] for event in events)

