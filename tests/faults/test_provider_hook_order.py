"""Provider webhooks late, out of order and as simultaneous twins: each payment books once, the claim's
paid sum is its ledger, and nothing that arrives late reopens or undoes a closed claim."""

from __future__ import annotations

import threading

import httpx
from sqlalchemy import func, select

from paypage.domain.money import Money
from paypage.store import models
from tests.pay.conftest import PaySite
from tests.pay.test_booking import Outbox, sandbox, start_payment

AMOUNT = 12_345


def _ledger(pay_site: PaySite, claim_id: str) -> list[tuple[str, int]]:
    with pay_site.app.extensions["inkasso.db"].transaction() as session:
        rows = session.execute(
            select(models.LedgerEntry.kind, models.LedgerEntry.amount).where(
                models.LedgerEntry.creditor_id == pay_site.creditor.id, models.LedgerEntry.claim_id == claim_id
            )
        ).all()
    return [(kind, amount) for kind, amount in rows]


def _payment_status(pay_site: PaySite, payment_id: str) -> str:
    with pay_site.app.extensions["inkasso.db"].transaction() as session:
        payment = session.get(models.Payment, (pay_site.creditor.id, payment_id))
        assert payment is not None
        return str(payment.status)


def _bank_transfer(pay_site: PaySite, claim: dict[str, object]) -> None:
    body = {
        "amount": AMOUNT,
        "currency": "EUR",
        "bank_reference": f"BANK-{claim['id']}",
        "remittance_text": str(claim["transfer_reference"]),
        "booking_date": "2026-11-20",
    }
    with pay_site.api() as api:
        answer = api.post("/v1/bank_transactions", json=body)
    assert answer.status_code == 201 and answer.json()["status"] == "booked", answer.text


def test_a_card_payment_reported_after_the_claim_was_paid_by_transfer_books_once_and_stays_paid(
    pay_site: PaySite,
) -> None:
    claim = pay_site.claim()
    payment_id = start_payment(pay_site, claim)
    _bank_transfer(pay_site, claim)
    assert pay_site.get_claim(claim["id"])["state"] == "paid"
    outbox = Outbox()
    sandbox(pay_site, outbox).notify("payment_succeeded", payment_id, f"sbx_pi_{payment_id}", Money(AMOUNT, "EUR"))
    answers = [outbox.deliver(0) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    after = pay_site.get_claim(claim["id"])
    # The money arrived twice: both are on the books, the claim stays paid, and the creditor sees the excess.
    assert after["state"] == "paid"
    assert after["balance"]["paid"] == 2 * AMOUNT == sum(amount for _, amount in _ledger(pay_site, claim["id"]))
    types = pay_site.event_types(claim["id"])
    assert types.count("claim.paid") == 1
    assert types.count("claim.payment_succeeded") == 2  # the transfer and the card payment, once each


def test_a_payment_reported_after_cancellation_is_booked_without_reopening(pay_site: PaySite) -> None:
    claim = pay_site.claim()
    payment_id = start_payment(pay_site, claim)
    with pay_site.api() as api:
        assert api.post(f"/v1/claims/{claim['id']}/cancel", json={"reason": "settled by phone"}).status_code == 200
    outbox = Outbox()
    sandbox(pay_site, outbox).notify("payment_succeeded", payment_id, f"sbx_pi_{payment_id}", Money(5_000, "EUR"))
    assert outbox.deliver(0).status_code == 200
    after = pay_site.get_claim(claim["id"])
    assert (after["state"], after["balance"]["paid"]) == ("cancelled", 5_000)
    assert _ledger(pay_site, claim["id"]) == [("payment", 5_000)]


def test_a_failure_reported_after_the_success_changes_nothing(pay_site: PaySite) -> None:
    claim = pay_site.claim()
    payment_id = start_payment(pay_site, claim)
    outbox = Outbox()
    provider = sandbox(pay_site, outbox)
    provider.notify("payment_succeeded", payment_id, f"sbx_pi_{payment_id}", Money(AMOUNT, "EUR"))
    provider.notify("payment_failed", payment_id, f"sbx_pi_{payment_id}", Money(AMOUNT, "EUR"), failure_reason="x")
    assert outbox.deliver(0).status_code == 200
    assert outbox.deliver(1).status_code == 200
    assert _payment_status(pay_site, payment_id) == "succeeded"
    after = pay_site.get_claim(claim["id"])
    assert (after["state"], after["balance"]["paid"]) == ("paid", AMOUNT)
    types = pay_site.event_types(claim["id"])
    assert "claim.payment_failed" not in types and types.count("claim.payment_succeeded") == 1


def test_a_success_after_an_earlier_failure_is_booked(pay_site: PaySite) -> None:
    claim = pay_site.claim()
    payment_id = start_payment(pay_site, claim)
    outbox = Outbox()
    provider = sandbox(pay_site, outbox)
    provider.notify("payment_failed", payment_id, f"sbx_pi_{payment_id}", Money(AMOUNT, "EUR"), failure_reason="x")
    provider.notify("payment_succeeded", payment_id, f"sbx_pi_{payment_id}", Money(AMOUNT, "EUR"))
    assert outbox.deliver(1).status_code == 200  # the success is delivered first
    assert outbox.deliver(0).status_code == 200
    assert _payment_status(pay_site, payment_id) == "succeeded"
    assert pay_site.get_claim(claim["id"])["state"] == "paid"
    assert _ledger(pay_site, claim["id"]) == [("payment", AMOUNT)]


def _send_together(url: str, body: bytes, headers: dict[str, str], copies: int) -> list[int]:
    start = threading.Barrier(copies)
    statuses: list[int] = []

    def send() -> None:
        start.wait()
        statuses.append(httpx.post(url, content=body, headers=headers, timeout=30).status_code)

    threads = [threading.Thread(target=send) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def test_twin_notifications_at_the_same_moment_book_once_and_are_both_acknowledged(pay_site: PaySite) -> None:
    for _ in range(3):
        claim = pay_site.claim()
        payment_id = start_payment(pay_site, claim)
        outbox = Outbox()
        sandbox(pay_site, outbox).notify("payment_succeeded", payment_id, f"sbx_pi_{payment_id}", Money(AMOUNT, "EUR"))
        url, body, headers = outbox.sent[0]
        statuses = _send_together(url, body, headers, 4)
        assert statuses == [200, 200, 200, 200]
        assert _ledger(pay_site, claim["id"]) == [("payment", AMOUNT)]
        with pay_site.app.extensions["inkasso.db"].transaction() as session:
            seen = session.scalar(
                select(func.count()).where(
                    models.ProviderEvent.creditor_id == pay_site.creditor.id,
                    models.ProviderEvent.payment_id == payment_id,
                )
            )
        assert seen == 1
        assert pay_site.event_types(claim["id"]).count("claim.payment_succeeded") == 1
