"""StripeProvider through the official `stripe` client against a local server speaking Stripe's wire format."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from paypage.domain.money import Money
from paypage.payments.protocol import (
    CheckoutRequest,
    PaymentProvider,
    ProviderError,
    ProviderEvent,
    WebhookSignatureError,
)
from paypage.payments.stripe_provider import StripeProvider, checkout_locale, from_stripe_amount, to_stripe_amount
from tests.payments.wire import stripe_api
from tests.payments.wire.stripe_api import FakeStripe, signature_header

PAYMENT_ID = "pay_01JTESTPAYMENT000000000000"


def checkout_request(**changes: Any) -> CheckoutRequest:
    fields: dict[str, Any] = {
        "payment_id": PAYMENT_ID,
        "amount": Money(12345, "EUR"),
        "method": "card",
        "provider_method": "card",
        "country": "DE",
        "locale": "de",
        "description": "Muster GmbH R-2026-17",
        "return_url": "https://pay.example.test/p/tok/return?payment=" + PAYMENT_ID,
        "cancel_url": "https://pay.example.test/p/tok",
        "customer_email": "debtor@example.test",
        **changes,
    }
    return CheckoutRequest(**fields)


def deliver(provider: StripeProvider, body: bytes, timestamp: int | None = None) -> list[ProviderEvent]:
    return list(provider.parse_webhook(body, {"Stripe-Signature": signature_header(body, timestamp=timestamp)}))


def paid_session(intent_id: str, amount: int = 12345, payment_status: str = "paid") -> dict[str, Any]:
    session = stripe_api.checkout_session(
        {
            "mode": "payment",
            "line_items": [{"quantity": "1", "price_data": {"currency": "eur", "unit_amount": str(amount)}}],
            "client_reference_id": PAYMENT_ID,
            "metadata": {"payment_id": PAYMENT_ID},
            "allowed_payment_method_types": ["card"],
        },
        now=int(time.time()),
    )
    return {**session, "payment_intent": intent_id, "payment_status": payment_status, "status": "complete"}


# ---------------------------------------------------------------------------------------- checkout


def test_is_a_payment_provider(stripe_provider: StripeProvider) -> None:
    assert isinstance(stripe_provider, PaymentProvider)
    assert stripe_provider.name == "stripe"


def test_checkout_session_carries_amount_reference_and_method(
    stripe_provider: StripeProvider, fake_stripe: FakeStripe
) -> None:
    checkout = stripe_provider.create_checkout(checkout_request())

    [sent] = fake_stripe.requests
    assert (sent.method, sent.path) == ("POST", "/v1/checkout/sessions")
    assert sent.headers["stripe-version"] == stripe_api.API_VERSION
    form = fake_stripe.form()
    assert form["mode"] == "payment"
    assert form["allowed_payment_method_types"] == ["card"]
    [item] = form["line_items"]
    assert item == {
        "quantity": "1",
        "price_data": {"currency": "eur", "unit_amount": "12345", "product_data": {"name": "Muster GmbH R-2026-17"}},
    }
    assert form["client_reference_id"] == PAYMENT_ID
    assert form["metadata"] == {"payment_id": PAYMENT_ID}
    assert form["payment_intent_data"]["metadata"] == {"payment_id": PAYMENT_ID}
    assert "setup_future_usage" not in form["payment_intent_data"]
    assert "customer_creation" not in form
    assert form["success_url"].endswith("?payment=" + PAYMENT_ID)
    assert form["cancel_url"] == "https://pay.example.test/p/tok"
    assert form["locale"] == "de"
    assert form["customer_email"] == "debtor@example.test"

    assert checkout.provider_reference.startswith("cs_test_")
    assert checkout.redirect_url == f"https://checkout.stripe.com/c/pay/{checkout.provider_reference}"
    assert checkout.expires_at is not None and checkout.expires_at.tzinfo == dt.UTC
    assert dt.timedelta(hours=23) < checkout.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=24)


def test_checkout_for_a_plan_keeps_the_method_on_a_customer(
    stripe_provider: StripeProvider, fake_stripe: FakeStripe
) -> None:
    stripe_provider.create_checkout(
        checkout_request(
            method="sepa_debit", provider_method="sepa_debit", setup_recurring=True, metadata={"plan": "1"}
        )
    )

    form = fake_stripe.form()
    assert form["allowed_payment_method_types"] == ["sepa_debit"]
    assert form["payment_intent_data"]["setup_future_usage"] == "off_session"
    assert form["customer_creation"] == "always"
    assert form["metadata"] == {"plan": "1", "payment_id": PAYMENT_ID}


@pytest.mark.parametrize(
    ("locale", "country", "expected"),
    [
        ("de", "CH", "de"),
        ("en", "GB", "en-GB"),
        ("en", "DE", "en"),
        ("fr", "CA", "fr-CA"),
        ("nb", "NO", "nb"),
        ("no", "NO", "nb"),
        ("pt", "BR", "pt-BR"),
        ("sv_FI", "FI", "sv"),
        ("xx", "DE", "auto"),
    ],
)
def test_locale_is_one_stripe_checkout_has(locale: str, country: str, expected: str) -> None:
    assert checkout_locale(locale, country) == expected


def test_amounts_are_stripe_minor_units() -> None:
    assert to_stripe_amount(Money(12345, "EUR")) == 12345
    assert to_stripe_amount(Money(500, "JPY")) == 500
    # ISO 4217 gives ISK no decimals; Stripe's API still counts hundredths.
    assert to_stripe_amount(Money(5000, "ISK")) == 500000
    assert from_stripe_amount(500000, "isk") == Money(5000, "ISK")
    assert from_stripe_amount(12345, "eur") == Money(12345, "EUR")


def test_stripe_refusal_is_a_provider_error_without_personal_data(
    stripe_provider: StripeProvider, fake_stripe: FakeStripe
) -> None:
    fake_stripe.server.answer_next(
        stripe_api.error(
            400,
            "invalid_request_error",
            "Invalid email address: debtor@example.test",
            code="email_invalid",
            param="customer_email",
        )
    )
    with pytest.raises(ProviderError) as raised:
        stripe_provider.create_checkout(checkout_request())
    assert "HTTP 400" in str(raised.value) and "email_invalid" in str(raised.value)
    assert "debtor@example.test" not in str(raised.value)


def test_stripe_outage_is_a_provider_error(stripe_provider: StripeProvider, fake_stripe: FakeStripe) -> None:
    fake_stripe.server.answer_next(stripe_api.error(500, "api_error", "Something went wrong on Stripe's end."))
    with pytest.raises(ProviderError, match="HTTP 500"):
        stripe_provider.create_checkout(checkout_request())
    assert len(fake_stripe.requests) == 1, "Stripe-Should-Retry: false is obeyed"


def test_wrong_api_key_is_a_provider_error(fake_stripe: FakeStripe) -> None:
    provider = StripeProvider("sk_test_wrong", stripe_api.WEBHOOK_SECRET, api_base=fake_stripe.url)
    with pytest.raises(ProviderError, match="HTTP 401"):
        provider.create_checkout(checkout_request())


def test_unreachable_stripe_is_a_provider_error(fake_stripe: FakeStripe) -> None:
    port = fake_stripe.server.port
    fake_stripe.server.close()
    provider = StripeProvider(
        stripe_api.API_KEY, stripe_api.WEBHOOK_SECRET, api_base=f"http://127.0.0.1:{port}", max_network_retries=0
    )
    with pytest.raises(ProviderError, match="APIConnectionError"):
        provider.create_checkout(checkout_request())


def test_the_client_talks_only_to_the_local_server(
    stripe_provider: StripeProvider, fake_stripe: FakeStripe, loopback_only: list[tuple[str, int]]
) -> None:
    stripe_provider.create_checkout(checkout_request())
    stripe_provider.charge_recurring("cus_1:pm_card_visa", Money(100, "EUR"), PAYMENT_ID, "R-1")
    assert len(fake_stripe.requests) == 2
    assert loopback_only and set(loopback_only) == {("127.0.0.1", fake_stripe.server.port)}


# ---------------------------------------------------------------------------------------- webhooks


def test_paid_checkout_session_is_a_succeeded_payment(stripe_provider: StripeProvider) -> None:
    created = int(time.time()) - 5
    body = stripe_api.event("checkout.session.completed", paid_session("pi_test_1"), event_id="evt_1", created=created)

    assert deliver(stripe_provider, body) == [
        ProviderEvent(
            provider_event_id="evt_1",
            kind="payment_succeeded",
            payment_id=PAYMENT_ID,
            provider_payment_id="pi_test_1",
            amount=Money(12345, "EUR"),
            occurred_at=dt.datetime.fromtimestamp(created, dt.UTC),
            method="card",
        )
    ]


def test_session_and_intent_report_one_payment_under_one_provider_payment_id(stripe_provider: StripeProvider) -> None:
    intent = stripe_api.payment_intent(
        amount=12345,
        currency="eur",
        status="succeeded",
        metadata={"payment_id": PAYMENT_ID},
        payment_method="pm_card_visa",
        customer="cus_test_7",
        setup_future_usage="off_session",
    )
    [from_session] = deliver(
        stripe_provider, stripe_api.event("checkout.session.completed", paid_session(intent["id"]))
    )
    [from_intent] = deliver(stripe_provider, stripe_api.event("payment_intent.succeeded", intent))

    assert from_session.provider_event_id != from_intent.provider_event_id
    assert from_session.provider_payment_id == from_intent.provider_payment_id == intent["id"]
    assert from_session.kind == from_intent.kind == "payment_succeeded"
    assert from_session.amount == from_intent.amount == Money(12345, "EUR")
    assert from_intent.payment_id == PAYMENT_ID
    # Only the PaymentIntent names the payment method; the session does not.
    assert from_session.recurring_token is None
    assert from_intent.recurring_token == "cus_test_7:pm_card_visa"


def test_intent_without_future_usage_carries_no_token(stripe_provider: StripeProvider) -> None:
    intent = stripe_api.payment_intent(amount=100, currency="eur", status="succeeded", metadata={})
    [event] = deliver(stripe_provider, stripe_api.event("payment_intent.succeeded", intent))
    assert event.recurring_token is None
    assert event.payment_id is None


def test_sepa_debit_processing_books_nothing_until_it_settles(stripe_provider: StripeProvider) -> None:
    processing = paid_session("pi_test_sepa", payment_status="unpaid")
    assert deliver(stripe_provider, stripe_api.event("checkout.session.completed", processing)) == []

    settled = stripe_api.event("checkout.session.async_payment_succeeded", paid_session("pi_test_sepa"))
    [event] = deliver(stripe_provider, settled)
    assert (event.kind, event.provider_payment_id, event.amount) == (
        "payment_succeeded",
        "pi_test_sepa",
        Money(12345, "EUR"),
    )


def test_async_payment_failure(stripe_provider: StripeProvider) -> None:
    failed = paid_session("pi_test_sepa", payment_status="unpaid")
    [event] = deliver(stripe_provider, stripe_api.event("checkout.session.async_payment_failed", failed))
    assert (event.kind, event.payment_id, event.provider_payment_id, event.failure_reason) == (
        "payment_failed",
        PAYMENT_ID,
        "pi_test_sepa",
        "async_payment_failed",
    )


def test_failed_intent_names_the_decline(stripe_provider: StripeProvider) -> None:
    intent = stripe_api.payment_intent(
        amount=2500,
        currency="chf",
        status="requires_payment_method",
        metadata={"payment_id": PAYMENT_ID},
        last_payment_error={"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds"},
    )
    [event] = deliver(stripe_provider, stripe_api.event("payment_intent.payment_failed", intent))
    assert (event.kind, event.amount, event.failure_reason, event.provider_payment_id) == (
        "payment_failed",
        Money(2500, "CHF"),
        "insufficient_funds",
        intent["id"],
    )


def test_refund_is_booked_against_the_payment_intent(stripe_provider: StripeProvider) -> None:
    refunded = stripe_api.charge(
        intent_id="pi_test_1", amount=12345, refunded=2345, currency="eur", metadata={"payment_id": PAYMENT_ID}
    )
    [event] = deliver(stripe_provider, stripe_api.event("charge.refunded", refunded, event_id="evt_refund"))
    assert (event.provider_event_id, event.kind, event.provider_payment_id, event.amount, event.payment_id) == (
        "evt_refund",
        "payment_refunded",
        "pi_test_1",
        Money(2345, "EUR"),
        PAYMENT_ID,
    )


def test_other_event_types_carry_nothing(stripe_provider: StripeProvider) -> None:
    body = stripe_api.event("customer.created", {"id": "cus_test_1", "object": "customer"})
    assert deliver(stripe_provider, body) == []


def test_the_same_delivery_twice_is_the_same_event(stripe_provider: StripeProvider) -> None:
    body = stripe_api.event("checkout.session.completed", paid_session("pi_test_1"))
    first = deliver(stripe_provider, body)
    again = deliver(stripe_provider, body)
    assert first == again and len(first) == 1


# ---------------------------------------------------------------------------------------- signatures


def test_tampered_body_is_refused(stripe_provider: StripeProvider) -> None:
    body = stripe_api.event("checkout.session.completed", paid_session("pi_test_1"))
    header = signature_header(body)
    tampered = body.replace(b'"amount_total": 12345', b'"amount_total": 99999')
    assert tampered != body
    with pytest.raises(WebhookSignatureError):
        stripe_provider.parse_webhook(tampered, {"Stripe-Signature": header})


def test_signature_with_another_secret_is_refused(stripe_provider: StripeProvider) -> None:
    body = stripe_api.event("checkout.session.completed", paid_session("pi_test_1"))
    with pytest.raises(WebhookSignatureError):
        stripe_provider.parse_webhook(body, {"Stripe-Signature": signature_header(body, secret="whsec_other")})


def test_missing_signature_is_refused(stripe_provider: StripeProvider) -> None:
    body = stripe_api.event("checkout.session.completed", paid_session("pi_test_1"))
    with pytest.raises(WebhookSignatureError, match="Stripe-Signature"):
        stripe_provider.parse_webhook(body, {"Content-Type": "application/json"})


def test_signature_older_than_the_tolerance_is_a_replay(stripe_provider: StripeProvider) -> None:
    body = stripe_api.event("checkout.session.completed", paid_session("pi_test_1"))
    assert len(deliver(stripe_provider, body, timestamp=int(time.time()) - 240)) == 1
    with pytest.raises(WebhookSignatureError, match="tolerance"):
        deliver(stripe_provider, body, timestamp=int(time.time()) - 301)


def test_header_names_are_case_insensitive_and_rotated_secrets_verify(stripe_provider: StripeProvider) -> None:
    body = stripe_api.event("checkout.session.completed", paid_session("pi_test_1"))
    now = int(time.time())
    # During a secret roll Stripe signs with both secrets; test mode adds a v0 scheme.
    header = (
        f"t={now},v1={stripe_api.signature(body, 'whsec_old', now)},"
        f"v1={stripe_api.signature(body, stripe_api.WEBHOOK_SECRET, now)},v0=6ffbb59b2300aae63f2723"
    )
    assert len(stripe_provider.parse_webhook(body, {"stripe-signature": header})) == 1


def test_signed_body_that_is_no_event_is_refused(stripe_provider: StripeProvider) -> None:
    body = b"\xff not json"
    with pytest.raises(WebhookSignatureError):
        stripe_provider.parse_webhook(body, {"Stripe-Signature": signature_header(b"ignored")})
    body = b"[not an event"
    with pytest.raises(WebhookSignatureError, match="snapshot event"):
        stripe_provider.parse_webhook(body, {"Stripe-Signature": signature_header(body)})


# ---------------------------------------------------------------------------------------- recurring


def test_recurring_charge_is_an_off_session_intent(stripe_provider: StripeProvider, fake_stripe: FakeStripe) -> None:
    charge = stripe_provider.charge_recurring("cus_test_7:pm_card_visa", Money(2500, "EUR"), PAYMENT_ID, "Rate 2/6")

    assert charge.status == "succeeded" and charge.provider_payment_id.startswith("pi_test_")
    [sent] = fake_stripe.requests
    assert (sent.method, sent.path) == ("POST", "/v1/payment_intents")
    assert sent.headers["idempotency-key"] == f"charge-{PAYMENT_ID}"
    assert fake_stripe.form() == {
        "amount": "2500",
        "currency": "eur",
        "customer": "cus_test_7",
        "payment_method": "pm_card_visa",
        "off_session": "true",
        "confirm": "true",
        "automatic_payment_methods": {"enabled": "true", "allow_redirects": "never"},
        "metadata": {"payment_id": PAYMENT_ID},
        "description": "Rate 2/6",
    }


def test_recurring_sepa_debit_is_pending(stripe_provider: StripeProvider, fake_stripe: FakeStripe) -> None:
    charge = stripe_provider.charge_recurring("pm_sepa_debit", Money(2500, "EUR"), PAYMENT_ID, "Rate 2/6")
    assert charge.status == "pending"
    assert "customer" not in fake_stripe.form()


@pytest.mark.parametrize(
    ("payment_method", "reason"),
    [
        ("pm_card_insufficient_funds", "insufficient_funds"),
        ("pm_card_authentication_required", "authentication_required"),
    ],
)
def test_declined_recurring_charge_is_a_failed_charge(
    stripe_provider: StripeProvider, payment_method: str, reason: str
) -> None:
    charge = stripe_provider.charge_recurring(f"cus_test_7:{payment_method}", Money(2500, "EUR"), PAYMENT_ID, "R")
    assert charge.status == "failed"
    assert charge.failure_reason == reason
    assert charge.provider_payment_id.startswith("pi_test_")


def test_unknown_payment_method_is_a_provider_error(stripe_provider: StripeProvider) -> None:
    with pytest.raises(ProviderError, match="resource_missing"):
        stripe_provider.charge_recurring("cus_test_7:pm_gone", Money(2500, "EUR"), PAYMENT_ID, "R")
