"""The four requests a debtor can send from the page: already paid (with a proof), pause, dispute, contact."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, expect
from sqlalchemy import select

from paypage.extensions import database
from paypage.store import models
from tests.browser.support import Device, Shots
from tests.pay.conftest import PaySite

pytestmark = pytest.mark.browser

PROOF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def events(site: PaySite, claim_id: str) -> list[dict[str, Any]]:
    with site.api() as client:
        return list(client.get(f"/v1/claims/{claim_id}/events", params={"limit": 100}).json()["data"])


def intents(site: PaySite, claim_id: str) -> list[str]:
    return [e["data"].get("intent") for e in events(site, claim_id) if e["type"] == "debtor.message_received"]


def open_request(page: Page, device: Device, claim: dict[str, Any], kind: str) -> None:
    page.goto(claim["pay_url"])
    device.press(page.locator(f".links a[href$='/{kind}']"))
    expect(page).to_have_url(re.compile(f"/{kind}$"))
    expect(page.locator("#form-title")).to_be_visible()


def send(page: Page, device: Device, shots: Shots) -> None:
    shots.take(page, "filled in")
    device.press(page.locator("form button.primary[type=submit]"))
    expect(page.locator("#done-title")).to_be_visible()
    shots.take(page, "done")


def test_already_paid_with_a_pdf_proof(browser_site: PaySite, page: Page, device: Device, shots: Shots) -> None:
    claim = browser_site.claim()
    open_request(page, device, claim, "already-paid")
    shots.take(page, "form")
    page.fill("#paid_on", "2026-11-01")
    page.fill("#amount", "123,45")
    page.fill("#note", "Überweisung am 1.11.")
    page.set_input_files("#proof", files=FilePayload(name="beleg.pdf", mimeType="application/pdf", buffer=PROOF))
    send(page, device, shots)

    assert browser_site.get_claim(claim["id"])["state"] == "open"  # until the creditor finds the payment
    assert intents(browser_site, claim["id"]) == ["already_paid"]
    with browser_site.app.app_context(), database().transaction() as session:
        request = session.scalars(
            select(models.DebtorRequest).where(models.DebtorRequest.claim_id == claim["id"])
        ).one()
        assert request.kind == "already_paid"
        assert request.data["amount"] == 12_345 and request.data["paid_on"] == "2026-11-01"
        upload = session.get(models.Upload, (request.creditor_id, request.upload_id))
        assert upload is not None and upload.content == PROOF and upload.content_type == "application/pdf"


def test_pause_for_ten_days(browser_site: PaySite, page: Page, device: Device, shots: Shots) -> None:
    claim = browser_site.claim()
    open_request(page, device, claim, "pause")
    shots.take(page, "form")
    until = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)
    page.fill("#until", until.isoformat())
    page.fill("#reason", "Urlaub")
    send(page, device, shots)

    assert browser_site.get_claim(claim["id"])["state"] == "paused"
    paused = [e for e in events(browser_site, claim["id"]) if e["type"] == "claim.paused"]
    assert len(paused) == 1
    device.press(page.locator("p.back a"))
    expect(page.locator("p.notice")).to_be_visible()
    expect(page.locator("button.method").first).to_be_visible()  # paying stays possible
    shots.take(page, "overview paused")


def test_dispute(browser_site: PaySite, page: Page, device: Device, shots: Shots) -> None:
    claim = browser_site.claim()
    open_request(page, device, claim, "dispute")
    shots.take(page, "form")
    page.fill("#reason", "Ware nie erhalten")
    send(page, device, shots)

    assert browser_site.get_claim(claim["id"])["state"] == "disputed"
    assert "claim.disputed" in browser_site.event_types(claim["id"])
    device.press(page.locator("p.back a"))
    expect(page.locator("p.notice")).to_be_visible()
    expect(page.locator(".links a[href$='/dispute']")).to_have_count(0)
    expect(page.locator(".links a[href$='/pause']")).to_have_count(0)
    shots.take(page, "overview disputed")


def test_contact(browser_site: PaySite, page: Page, device: Device, shots: Shots) -> None:
    claim = browser_site.claim()
    open_request(page, device, claim, "contact")
    shots.take(page, "form")
    page.fill("#message", "Bitte rufen Sie mich an.")
    page.fill("#reply_to", "+49 151 12345678")
    send(page, device, shots)

    assert browser_site.get_claim(claim["id"])["state"] == "open"
    assert intents(browser_site, claim["id"]) == ["contact"]
