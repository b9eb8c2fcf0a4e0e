"""AdyenProvider through the official `Adyen` client against a local server speaking Adyen's wire format."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from paypage.domain.money import Money
from paypage.payments.adyen_provider import AdyenProvider, shopper_locale
from paypage.payments.protocol import (
    CheckoutRequest,
    PaymentProvider,
    ProviderError,
    ProviderEvent,
    WebhookSignatureError,
)
from tests.payments.wire import adyen_api
from tests.payments.wire.adyen_api import FakeAdyen, notification, notification_item, sign_item

PAYMENT_ID = "pay_01JTESTPAYMENT000000000000"
EVENT_TIME = dt.datetime(2026, 5, 6, 15, 15, 34, tzinfo=dt.UTC)


def checkout_request(**changes: Any) -> CheckoutRequest:
    fields: dict[str, Any] = {
        "payment_id": PAYMENT_ID,
        "amount": Money(12345, "EUR"),
        "method": "ideal",
        "provider_method": "ideal",
        "country": "nl",
        "locale": "nl",
        "description": "Muster BV R-2026-17",
        "return_url": "https://pay.example.test/p/tok/return?payment=" + PAYMENT_ID,
        "cancel_url": "https://pay.example.test/p/tok",
        "customer_email": "debtor@example.test",
        **changes,
    }
    return CheckoutRequest(**fields)


def authorisation(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"psp": "AUTHPSP0000000001", "reference": PAYMENT_ID, "value": 12345, **changes}
    return notification_item("AUTHORISATION", **fields)


def deliver(provider: AdyenProvider, *items: dict[str, Any]) -> list[ProviderEvent]:
    return list(provider.parse_webhook(notification(*(sign_item(item) for item in items)), {}))


# ---------------------------------------------------------------------------------------- checkout


def test_is_a_payment_provider(adyen_provider: AdyenProvider) -> None:
    assert isinstance(adyen_provider, PaymentProvider)
    assert adyen_provider.name == "adyen"


def test_checkout_is_a_payment_link(adyen_provider: AdyenProvider, fake_adyen: FakeAdyen) -> None:
    checkout = adyen_provider.create_checkout(checkout_request())

    [sent] = fake_adyen.requests
    assert (sent.method, sent.path) == ("POST", "/v72/paymentLinks")
    assert sent.headers["x-api-key"] == adyen_api.API_KEY
    assert "idempotency-key" not in sent.headers
    body = fake_adyen.body()
    assert body == {
        "merchantAccount": adyen_api.MERCHANT_ACCOUNT,
        "reference": PAYMENT_ID,
        "amount": {"value": 12345, "currency": "EUR"},
        "description": "Muster BV R-2026-17",
        "countryCode": "NL",
        "shopperLocale": "nl-NL",
        "allowedPaymentMethods": ["ideal"],
        "returnUrl": "https://pay.example.test/p/tok/return?payment=" + PAYMENT_ID,
        "metadata": {"payment_id": PAYMENT_ID},
        "shopperEmail": "debtor@example.test",
    }
    assert type(body["amount"]["value"]) is int

    assert checkout.provider_reference.startswith("PL")
    assert checkout.redirect_url == f"https://test.adyen.link/{checkout.provider_reference}"
    assert checkout.expires_at is not None and checkout.expires_at.tzinfo == dt.UTC
    assert dt.timedelta(hours=23) < checkout.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=24)


def test_checkout_for_a_plan_stores_the_method(adyen_provider: AdyenProvider, fake_adyen: FakeAdyen) -> None:
    adyen_provider.create_checkout(
        checkout_request(
            method="sepa_debit",
            provider_method="sepadirectdebit",
            country="DE",
            locale="de",
            setup_recurring=True,
            customer_email=None,
        )
    )
    body = fake_adyen.body()
    assert body["allowedPaymentMethods"] == ["sepadirectdebit"]
    assert body["storePaymentMethodMode"] == "enabled"
    assert body["recurringProcessingModel"] == "Subscription"
    assert body["shopperReference"] == f"inkasso-{PAYMENT_ID}"
    assert body["shopperLocale"] == "de-DE"
    assert "shopperEmail" not in body


@pytest.mark.parametrize(
    ("locale", "country", "expected"),
    [
        ("nl", "NL", "nl-NL"),
        ("nl", "BE", "nl-NL"),
        ("de", "CH", "de-DE"),
        ("nb", "NO", "no-NO"),
        ("sv", "FI", "sv-SE"),
        ("pt", "PT", "pt-PT"),
        ("pt", "BR", "pt-BR"),
        ("en", "GB", "en-US"),
        ("xx", "DE", "en-US"),
    ],
)
def test_locale_is_one_adyen_page_has(locale: str, country: str, expected: str) -> None:
    assert shopper_locale(locale, country) == expected


def test_validation_error_is_a_provider_error(adyen_provider: AdyenProvider, fake_adyen: FakeAdyen) -> None:
    fake_adyen.server.answer_next(
        adyen_api.error(422, "14_012", "The provided shopperEmail debtor@example.test is invalid", "validation")
    )
    with pytest.raises(ProviderError) as raised:
        adyen_provider.create_checkout(checkout_request())
    assert "HTTP 422" in str(raised.value) and "14_012" in str(raised.value)
    assert "debtor@example.test" not in str(raised.value)


def test_outage_is_a_provider_error(adyen_provider: AdyenProvider, fake_adyen: FakeAdyen) -> None:
    fake_adyen.server.answer_next(adyen_api.error(500, "000", "Internal error", "internal"))
    with pytest.raises(ProviderError, match="HTTP 500"):
        adyen_provider.create_checkout(checkout_request())


def test_wrong_api_key_is_a_provider_error(fake_adyen: FakeAdyen) -> None:
    provider = AdyenProvider("wrong", adyen_api.MERCHANT_ACCOUNT, adyen_api.HMAC_KEY, base_url=fake_adyen.url)
    with pytest.raises(ProviderError, match="HTTP 401"):
        provider.create_checkout(checkout_request())


def test_unreachable_adyen_is_a_provider_error(fake_adyen: FakeAdyen) -> None:
    port = fake_adyen.server.port
    fake_adyen.server.close()
    provider = AdyenProvider(
        adyen_api.API_KEY, adyen_api.MERCHANT_ACCOUNT, adyen_api.HMAC_KEY, base_url=f"http://127.0.0.1:{port}"
    )
    with pytest.raises(ProviderError, match="not reachable"):
        provider.create_checkout(checkout_request())


def test_the_client_talks_only_to_the_local_server(
    adyen_provider: AdyenProvider, fake_adyen: FakeAdyen, loopback_only: list[tuple[str, int]]
) -> None:
    adyen_provider.create_checkout(checkout_request())
    adyen_provider.charge_recurring("scheme:TOKEN_AUTHORISED:inkasso-pay_1", Money(100, "EUR"), PAYMENT_ID, "R")
    assert len(fake_adyen.requests) == 2
    assert loopback_only and set(loopback_only) == {("127.0.0.1", fake_adyen.server.port)}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"environment": "live"}, "live_url_prefix"),
        ({"environment": "staging"}, "environment"),
        ({"hmac_key": "not-hex-secret"}, "hexadecimal"),
    ],
)
def test_configuration_mistakes_fail_at_start(options: dict[str, str], message: str) -> None:
    settings = {"api_key": "k", "merchant_account": "M", "hmac_key": adyen_api.HMAC_KEY, **options}
    with pytest.raises(ValueError, match=message) as raised:
        AdyenProvider(**settings)
    assert "not-hex-secret" not in str(raised.value)


# ---------------------------------------------------------------------------------------- webhooks


def test_independent_signer_matches_adyens_published_example() -> None:
    # The example item and key of Adyen's own library tests, with the signature Adyen publishes for them.
    item = notification_item(
        "AUTHORISATION",
        psp="7914073381342284",
        reference="TestPayment-1407325143704",
        value=1130,
        merchant_account="TestMerchant",
    )
    assert adyen_api.item_signature(item, adyen_api.HMAC_KEY) == "coqCmt/IZ4E3CzPvMY8zTjQVL5hYJUiBRg8UU+iCWo0="


def test_authorisation_is_a_succeeded_payment(adyen_provider: AdyenProvider) -> None:
    assert deliver(adyen_provider, authorisation()) == [
        ProviderEvent(
            provider_event_id="AUTHPSP0000000001:AUTHORISATION:true",
            kind="payment_succeeded",
            payment_id=PAYMENT_ID,
            provider_payment_id="AUTHPSP0000000001",
            amount=Money(12345, "EUR"),
            occurred_at=EVENT_TIME,
            method="card",
        )
    ]


@pytest.mark.parametrize(
    ("payment_method", "additional", "token"),
    [
        (
            "mc",
            {"tokenization.storedPaymentMethodId": "TOKEN_1", "tokenization.shopperReference": "inkasso-pay_1"},
            "scheme:TOKEN_1:inkasso-pay_1",
        ),
        (
            "sepadirectdebit",
            {"recurring.recurringDetailReference": "TOKEN_2", "recurring.shopperReference": "inkasso-pay_2"},
            "sepadirectdebit:TOKEN_2:inkasso-pay_2",
        ),
    ],
)
def test_authorisation_that_stored_the_method_carries_the_token(
    adyen_provider: AdyenProvider, payment_method: str, additional: dict[str, str], token: str
) -> None:
    [event] = deliver(adyen_provider, authorisation(payment_method=payment_method, additional=additional))
    assert event.recurring_token == token


def test_refused_authorisation_is_a_failed_payment(adyen_provider: AdyenProvider) -> None:
    [event] = deliver(adyen_provider, authorisation(success=False, reason="Refused", value=2500, currency="CHF"))
    assert (event.provider_event_id, event.kind, event.failure_reason, event.amount) == (
        "AUTHPSP0000000001:AUTHORISATION:false",
        "payment_failed",
        "Refused",
        Money(2500, "CHF"),
    )


def test_refund_is_booked_against_the_original_payment(adyen_provider: AdyenProvider) -> None:
    refund = notification_item(
        "REFUND", psp="REFUNDPSP00000001", original_reference="AUTHPSP0000000001", reference=PAYMENT_ID, value=2345
    )
    [event] = deliver(adyen_provider, refund)
    assert (event.provider_event_id, event.kind, event.provider_payment_id, event.amount) == (
        "REFUNDPSP00000001:REFUND:true",
        "payment_refunded",
        "AUTHPSP0000000001",
        Money(2345, "EUR"),
    )


def test_failed_refund_and_other_codes_carry_nothing(adyen_provider: AdyenProvider) -> None:
    failed_refund = notification_item(
        "REFUND", psp="R2", original_reference="AUTHPSP0000000001", reference=PAYMENT_ID, value=1, success=False
    )
    capture = notification_item(
        "CAPTURE", psp="C1", original_reference="AUTHPSP0000000001", reference=PAYMENT_ID, value=12345
    )
    report = notification_item("REPORT_AVAILABLE", psp="RPT1", reference="settlement_detail_report.csv", value=0)
    assert deliver(adyen_provider, failed_refund, capture, report) == []


def test_batch_items_each_become_an_event(adyen_provider: AdyenProvider) -> None:
    second = authorisation(psp="AUTHPSP0000000002", reference="pay_01JTESTPAYMENT000000000001", value=500)
    events = deliver(adyen_provider, authorisation(), second)
    assert [(e.provider_payment_id, e.amount.amount) for e in events] == [
        ("AUTHPSP0000000001", 12345),
        ("AUTHPSP0000000002", 500),
    ]


def test_the_same_item_resent_is_the_same_event(adyen_provider: AdyenProvider) -> None:
    assert deliver(adyen_provider, authorisation()) == deliver(adyen_provider, authorisation())


def test_another_merchant_accounts_item_is_ignored(adyen_provider: AdyenProvider) -> None:
    assert deliver(adyen_provider, authorisation(merchant_account="SomeoneElseECOM")) == []


# ---------------------------------------------------------------------------------------- signatures


def test_tampered_amount_is_refused(adyen_provider: AdyenProvider) -> None:
    signed = sign_item(authorisation())
    signed["amount"]["value"] = 1
    with pytest.raises(WebhookSignatureError, match="does not match"):
        adyen_provider.parse_webhook(notification(signed), {})


def test_signature_with_another_key_is_refused(adyen_provider: AdyenProvider) -> None:
    signed = sign_item(authorisation(), hex_key="00" * 32)
    with pytest.raises(WebhookSignatureError):
        adyen_provider.parse_webhook(notification(signed), {})


def test_unsigned_item_is_refused(adyen_provider: AdyenProvider) -> None:
    with pytest.raises(WebhookSignatureError, match="hmacSignature"):
        adyen_provider.parse_webhook(notification(authorisation()), {})


def test_one_forged_item_refuses_the_whole_batch(adyen_provider: AdyenProvider) -> None:
    forged = sign_item(authorisation(psp="AUTHPSP0000000002"), hex_key="00" * 32)
    with pytest.raises(WebhookSignatureError):
        adyen_provider.parse_webhook(notification(sign_item(authorisation()), forged), {})


@pytest.mark.parametrize(
    "body",
    [b"not json", b"{}", json.dumps({"notificationItems": [{"Other": {}}]}).encode(), b'{"notificationItems": []}'],
)
def test_body_that_is_no_notification_is_refused(adyen_provider: AdyenProvider, body: bytes) -> None:
    with pytest.raises(WebhookSignatureError, match="not an Adyen notification"):
        adyen_provider.parse_webhook(body, {})


def test_item_without_amount_is_refused(adyen_provider: AdyenProvider) -> None:
    item = sign_item(authorisation())
    del item["amount"]
    with pytest.raises(WebhookSignatureError, match="signed fields"):
        adyen_provider.parse_webhook(notification(item), {})


# ---------------------------------------------------------------------------------------- recurring


def test_recurring_charge_is_a_contauth_payment(adyen_provider: AdyenProvider, fake_adyen: FakeAdyen) -> None:
    charge = adyen_provider.charge_recurring(
        "scheme:TOKEN_AUTHORISED:inkasso-pay_1", Money(2500, "EUR"), PAYMENT_ID, "Rate 2/6"
    )

    assert charge.status == "succeeded" and charge.provider_payment_id
    [sent] = fake_adyen.requests
    assert (sent.method, sent.path) == ("POST", "/v72/payments")
    assert sent.headers["idempotency-key"] == f"charge-{PAYMENT_ID}"
    assert fake_adyen.body() == {
        "merchantAccount": adyen_api.MERCHANT_ACCOUNT,
        "reference": PAYMENT_ID,
        "amount": {"value": 2500, "currency": "EUR"},
        "paymentMethod": {"type": "scheme", "storedPaymentMethodId": "TOKEN_AUTHORISED"},
        "shopperReference": "inkasso-pay_1",
        "shopperInteraction": "ContAuth",
        "recurringProcessingModel": "Subscription",
    }


def test_recurring_charge_sends_the_return_url_when_configured(fake_adyen: FakeAdyen) -> None:
    provider = AdyenProvider(
        adyen_api.API_KEY,
        adyen_api.MERCHANT_ACCOUNT,
        adyen_api.HMAC_KEY,
        base_url=fake_adyen.url,
        return_url="https://pay.example.test/",
    )
    provider.charge_recurring("scheme:TOKEN_AUTHORISED:inkasso-pay_1", Money(2500, "EUR"), PAYMENT_ID, "R")
    assert fake_adyen.body()["returnUrl"] == "https://pay.example.test/"


@pytest.mark.parametrize(
    ("token", "status", "reason"),
    [
        ("sepadirectdebit:TOKEN_SEPA:inkasso-pay_1", "pending", None),
        ("scheme:TOKEN_REFUSED:inkasso-pay_1", "failed", "12"),
        ("scheme:TOKEN_NEEDS_3DS:inkasso-pay_1", "failed", "authentication_required"),
    ],
)
def test_recurring_charge_outcomes(adyen_provider: AdyenProvider, token: str, status: str, reason: str | None) -> None:
    charge = adyen_provider.charge_recurring(token, Money(2500, "EUR"), PAYMENT_ID, "R")
    assert (charge.status, charge.failure_reason) == (status, reason)


def test_malformed_or_unknown_token_is_a_provider_error(adyen_provider: AdyenProvider) -> None:
    with pytest.raises(ProviderError, match="not an Adyen recurring token"):
        adyen_provider.charge_recurring("pm_card_visa", Money(2500, "EUR"), PAYMENT_ID, "R")
    with pytest.raises(ProviderError, match="HTTP 422"):
        adyen_provider.charge_recurring("scheme:TOKEN_GONE:inkasso-pay_1", Money(2500, "EUR"), PAYMENT_ID, "R")
