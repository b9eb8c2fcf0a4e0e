"""Stripe and Adyen end to end through the service: the pay page creates the checkout at the provider's
(local, wire-format) API, and the provider's signed webhook to /hooks/<provider>/<creditor> books it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from paypage.store import models
from tests.pay.conftest import SETTINGS, PaySite, csrf, path_of
from tests.payments.wire import adyen_api, stripe_api


@pytest.fixture
def fake_stripe() -> Iterator[stripe_api.FakeStripe]:
    fake = stripe_api.FakeStripe()
    yield fake
    fake.server.close()


@pytest.fixture
def fake_adyen() -> Iterator[adyen_api.FakeAdyen]:
    fake = adyen_api.FakeAdyen()
    yield fake
    fake.server.close()


def use_provider(pay_site: PaySite, name: str, options: dict[str, Any]) -> None:
    with pay_site.app.extensions["inkasso.db"].transaction() as session:
        creditor = session.get(models.Creditor, pay_site.creditor.id)
        assert creditor is not None
        creditor.settings = {**SETTINGS, "payments": {"provider": name, name: options}}


def start_card_payment(pay_site: PaySite, claim: dict[str, Any]) -> tuple[str, str]:
    """The debtor clicks "Card"; returns (where the browser is sent, our payment id)."""
    with httpx.Client(base_url=pay_site.url) as browser:
        page = browser.get(path_of(claim["pay_url"]))
        started = browser.post(
            path_of(claim["pay_url"]) + "/pay", data={"method": "card", "csrf_token": csrf(page.text)}
        )
    assert started.status_code == 303, started.text
    with pay_site.app.extensions["inkasso.db"].transaction() as session:
        payment_id = session.scalars(select(models.Payment.id).where(models.Payment.claim_id == claim["id"])).one()
    return started.headers["location"], payment_id


def hook(pay_site: PaySite, provider: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{pay_site.url}/hooks/{provider}/{pay_site.creditor.id}",
        content=body,
        headers={"Content-Type": "application/json", **headers},
    )


def test_stripe_checkout_and_webhooks(pay_site: PaySite, fake_stripe: stripe_api.FakeStripe) -> None:
    use_provider(
        pay_site,
        "stripe",
        {"api_key": stripe_api.API_KEY, "webhook_secret": stripe_api.WEBHOOK_SECRET, "api_base": fake_stripe.url},
    )
    try:
        claim = pay_site.claim()
        location, payment_id = start_card_payment(pay_site, claim)
        assert location.startswith("https://checkout.stripe.com/")
        sent = fake_stripe.form()
        assert sent["metadata"]["payment_id"] == payment_id
        assert sent["line_items"][0]["price_data"]["unit_amount"] == "12345"
        assert sent["allowed_payment_method_types"] == ["card"]

        intent = stripe_api.payment_intent(
            amount=12_345, currency="eur", status="succeeded", metadata={"payment_id": payment_id}
        )
        session_object = {
            **stripe_api.checkout_session(
                {
                    "mode": "payment",
                    "client_reference_id": payment_id,
                    "metadata": {"payment_id": payment_id},
                    "line_items": [{"quantity": "1", "price_data": {"currency": "eur", "unit_amount": "12345"}}],
                },
                now=int(time.time()),
            ),
            "payment_intent": intent["id"],
            "payment_status": "paid",
            "status": "complete",
        }
        completed = stripe_api.event("checkout.session.completed", session_object)
        succeeded = stripe_api.event("payment_intent.succeeded", intent)
        forged = completed.replace(b"12345", b"1")
        assert (
            hook(pay_site, "stripe", forged, {"Stripe-Signature": stripe_api.signature_header(completed)}).status_code
            == 400
        )
        assert pay_site.get_claim(claim["id"])["balance"]["paid"] == 0
        for body in (completed, succeeded, completed):
            answer = hook(pay_site, "stripe", body, {"Stripe-Signature": stripe_api.signature_header(body)})
            assert answer.status_code == 200, answer.text
        after = pay_site.get_claim(claim["id"])
        assert (after["state"], after["balance"]["paid"]) == ("paid", 12_345)
        assert pay_site.event_types(claim["id"]).count("claim.payment_succeeded") == 1
    finally:
        use_provider(pay_site, "sandbox", {})


def test_adyen_payment_link_and_notifications(pay_site: PaySite, fake_adyen: adyen_api.FakeAdyen) -> None:
    use_provider(
        pay_site,
        "adyen",
        {
            "api_key": adyen_api.API_KEY,
            "merchant_account": adyen_api.MERCHANT_ACCOUNT,
            "hmac_key": adyen_api.HMAC_KEY,
            "base_url": fake_adyen.url,
        },
    )
    try:
        claim = pay_site.claim()
        location, payment_id = start_card_payment(pay_site, claim)
        assert location.startswith("https://")
        sent = fake_adyen.body()
        assert sent["reference"] == payment_id
        assert sent["amount"] == {"value": 12_345, "currency": "EUR"}
        item = adyen_api.notification_item("AUTHORISATION", psp="PSP0000000000001", reference=payment_id, value=12_345)
        tampered = {**adyen_api.sign_item(item), "amount": {"value": 1, "currency": "EUR"}}
        assert hook(pay_site, "adyen", adyen_api.notification(tampered), {}).status_code == 400
        body = adyen_api.notification(adyen_api.sign_item(item))
        for _ in range(3):  # Adyen sends a notification again until it is acknowledged
            assert hook(pay_site, "adyen", body, {}).status_code == 200
        after = pay_site.get_claim(claim["id"])
        assert (after["state"], after["balance"]["paid"]) == ("paid", 12_345)
        refund = adyen_api.notification_item(
            "REFUND", psp="PSP0000000000002", reference=payment_id, value=12_345, original_reference="PSP0000000000001"
        )
        assert hook(pay_site, "adyen", adyen_api.notification(adyen_api.sign_item(refund)), {}).status_code == 200
        refunded = pay_site.get_claim(claim["id"])
        assert refunded["balance"]["paid"] == 0 and refunded["state"] == "paid"
        assert "claim.payment_refunded" in pay_site.event_types(claim["id"])
    finally:
        use_provider(pay_site, "sandbox", {})
