"""Booking provider notifications and bank transfers exactly once, whatever the order or repetition."""

from __future__ import annotations

from pathlib import Path

import httpx

from paypage.domain.money import Money
from paypage.payments.sandbox import SandboxProvider
from tests.conftest import TEST_SECRET
from tests.pay.conftest import PaySite, csrf, path_of

CAMT = Path(__file__).resolve().parent.parent / "data" / "camt" / "de_bank_rf_references.camt053.xml"


class Outbox:
    """Collects what the sandbox would send, so a test can deliver it when and as often as it likes."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        self.sent.append((url, body, headers))

    def deliver(self, index: int) -> httpx.Response:
        url, body, headers = self.sent[index]
        return httpx.post(url, content=body, headers=headers)


def start_payment(pay_site: PaySite, claim: dict[str, object]) -> str:
    """The debtor starts a card payment; returns our payment id."""
    with httpx.Client(base_url=pay_site.url) as browser:
        page = browser.get(path_of(str(claim["pay_url"])))
        started = browser.post(
            path_of(str(claim["pay_url"])) + "/pay", data={"method": "card", "csrf_token": csrf(page.text)}
        )
        checkout = started.headers["location"]
        page = browser.get(path_of(checkout))
        abandoned = browser.post(path_of(checkout), data={"outcome": "abandon", "csrf_token": csrf(page.text)})
    assert abandoned.status_code == 303, abandoned.text
    with pay_site.api() as api:
        events = api.get("/v1/events", params={"claim_id": claim["id"]}).json()["data"]
    assert "claim.payment_succeeded" not in [e["type"] for e in events]
    from sqlalchemy import select

    from paypage.store import models

    with pay_site.app.extensions["inkasso.db"].transaction() as session:
        return str(session.scalars(select(models.Payment.id).where(models.Payment.claim_id == claim["id"])).one())


def sandbox(pay_site: PaySite, outbox: Outbox) -> SandboxProvider:
    return SandboxProvider(TEST_SECRET, pay_site.url, pay_site.creditor.id, deliver=outbox)


def test_the_same_notification_three_times_books_once(pay_site: PaySite) -> None:
    claim = pay_site.claim()
    payment_id = start_payment(pay_site, claim)
    outbox = Outbox()
    sandbox(pay_site, outbox).notify("payment_succeeded", payment_id, f"sbx_pi_{payment_id}", Money(12_345, "EUR"))
    answers = [outbox.deliver(0) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert "1 applied" in answers[0].text and "0 applied" in answers[2].text
    after = pay_site.get_claim(claim["id"])
    assert (after["state"], after["balance"]["paid"]) == ("paid", 12_345)
    assert pay_site.event_types(claim["id"]).count("claim.payment_succeeded") == 1


def test_a_refund_before_its_payment_adds_up_the_same(pay_site: PaySite) -> None:
    claim = pay_site.claim()
    payment_id = start_payment(pay_site, claim)
    outbox = Outbox()
    provider = sandbox(pay_site, outbox)
    provider.notify("payment_succeeded", payment_id, f"sbx_pi_{payment_id}", Money(12_345, "EUR"))
    provider.notify("payment_refunded", payment_id, f"sbx_pi_{payment_id}", Money(12_345, "EUR"))
    assert outbox.deliver(1).status_code == 200  # the refund arrives first
    assert pay_site.get_claim(claim["id"])["balance"]["paid"] == -12_345
    assert outbox.deliver(0).status_code == 200
    after = pay_site.get_claim(claim["id"])
    assert after["balance"]["paid"] == 0
    assert after["balance"]["outstanding"] == 12_345
    assert after["state"] == "open"
    types = pay_site.event_types(claim["id"])
    assert "claim.payment_refunded" in types and "claim.paid" not in types


def test_a_tampered_notification_books_nothing(pay_site: PaySite) -> None:
    claim = pay_site.claim()
    payment_id = start_payment(pay_site, claim)
    outbox = Outbox()
    sandbox(pay_site, outbox).notify("payment_succeeded", payment_id, f"sbx_pi_{payment_id}", Money(12_345, "EUR"))
    url, body, headers = outbox.sent[0]
    tampered = body.replace(b"12345", b"99999")
    assert httpx.post(url, content=tampered, headers=headers).status_code == 400
    assert pay_site.get_claim(claim["id"])["balance"]["paid"] == 0


def test_bank_transaction_matched_by_reference_once(pay_site: PaySite) -> None:
    claim = pay_site.claim()
    reference = claim["transfer_reference"]
    spaced = " ".join(reference[i : i + 4] for i in range(0, len(reference), 4)).lower()
    body = {
        "amount": 12_345,
        "currency": "EUR",
        "bank_reference": f"BANK-{claim['id']}",
        "remittance_text": f"Rechnung {claim['external_reference']} {spaced}",
        "booking_date": "2026-11-20",
    }
    with pay_site.api() as api:
        first = api.post("/v1/bank_transactions", json=body)
        second = api.post("/v1/bank_transactions", json=body)
        unknown = api.post("/v1/bank_transactions", json={**body, "bank_reference": "B-2", "remittance_text": "x"})
    assert (first.status_code, first.json()["status"], first.json()["claim_id"]) == (201, "booked", claim["id"])
    assert second.json()["status"] == "duplicate"
    assert unknown.json()["status"] == "unmatched"
    assert pay_site.get_claim(claim["id"])["state"] == "paid"


def test_camt053_statement_import(pay_site: PaySite) -> None:
    claim = pay_site.claim()
    statement = CAMT.read_bytes().replace(b"RF51Y4GFSHWX9R3JHT9XMD8F9", claim["transfer_reference"].encode())
    with pay_site.api() as api:
        headers = {"Content-Type": "application/xml"}
        first = api.post("/v1/bank_statements", content=statement, headers=headers).json()
        again = api.post("/v1/bank_statements", content=statement, headers=headers).json()
        broken = api.post("/v1/bank_statements", content=b"<Document><Stmt>", headers=headers)
        evil = api.post(
            "/v1/bank_statements",
            content=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Document>&a;</Document>',
            headers=headers,
        )
    assert first["booked"] == 1
    booked = [t for t in first["transactions"] if t["status"] == "booked"]
    assert booked[0]["claim_id"] == claim["id"] and booked[0]["amount"] == 12_345
    assert again["booked"] == 0 and again["duplicates"] == 1
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "statement_invalid"
    assert evil.status_code == 400
    assert pay_site.get_claim(claim["id"])["balance"]["paid"] == 12_345
