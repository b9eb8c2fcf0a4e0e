"""Stripe behind the provider protocol: Checkout Sessions, snapshot-event webhooks, off-session charges.

Uses the official `stripe` package through a `StripeClient` of its own (no module-level api_key), so
each creditor's account stays separate and tests can point `api_base` at a local server.

Webhooks: one payment can be reported by several event types (`checkout.session.completed` and
`payment_intent.succeeded`, or `checkout.session.async_payment_succeeded` and `payment_intent.succeeded`
for SEPA Debit). Every event becomes its own `ProviderEvent` (its `provider_event_id` is the Stripe event
id), and all of them carry the PaymentIntent id as `provider_payment_id`; the booking core books a
payment once per `provider_payment_id`, so the second report of the same payment changes nothing.

Recurring tokens are `"<customer id>:<payment method id>"` (or just the payment method id when Stripe
attached no customer): Stripe charges a payment method that belongs to a customer only together with
that customer's id.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import stripe
from stripe.params import PaymentIntentCreateParams
from stripe.params.checkout import SessionCreateParams, SessionCreateParamsPaymentIntentData

from paypage.domain.money import Money
from paypage.payments.protocol import (
    Checkout,
    CheckoutRequest,
    EventKind,
    ProviderError,
    ProviderEvent,
    RecurringCharge,
    WebhookSignatureError,
)

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Stripe-Signature"
SIGNATURE_TOLERANCE = stripe.Webhook.DEFAULT_TOLERANCE
"""Seconds a signed timestamp may be old (Stripe's default, 300): older deliveries are replays."""

#: Locales Stripe Checkout is displayed in (the `locale` enum of the Checkout Session create call).
CHECKOUT_LOCALES = frozenset(
    "bg cs da de el en en-GB es es-419 et fi fil fr fr-CA hi-IN hr hu id it ja ko lt lv ms mt nb nl pl "
    "pt pt-BR ro ru sk sl sv th tr vi zh zh-HK zh-TW".split()
)

#: ISO 4217 says zero digits, but Stripe's API still counts these in hundredths (100 = 1 krona).
HUNDREDTHS_IN_STRIPE = frozenset({"ISK"})

_PAYMENT_ID = "payment_id"
_NEEDS_AUTHENTICATION = "authentication_required"


class StripeProvider:
    name = "stripe"

    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        api_base: str | None = None,
        *,
        max_network_retries: int = 2,
    ) -> None:
        # Retries are safe: the client sends an idempotency key with every POST it retries.
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=max_network_retries,
        )
        self._webhook_secret = webhook_secret

    # ------------------------------------------------------------------------------------ checkout

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        metadata = {**request.metadata, _PAYMENT_ID: request.payment_id}
        payment_intent_data: SessionCreateParamsPaymentIntentData = {
            "metadata": metadata,
            "description": request.description,
        }
        params: SessionCreateParams = {
            "mode": "payment",
            # Since API version 2026-09-30.endive (the one this client speaks) this replaces
            # `payment_method_types`: Stripe offers only the debtor's chosen method.
            "allowed_payment_method_types": [request.provider_method],
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.amount.currency.lower(),
                        "unit_amount": to_stripe_amount(request.amount),
                        "product_data": {"name": request.description},
                    },
                }
            ],
            "client_reference_id": request.payment_id,
            "metadata": metadata,
            "payment_intent_data": payment_intent_data,
            "success_url": request.return_url,
            "cancel_url": request.cancel_url,
            "locale": checkout_locale(request.locale, request.country),
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        if request.setup_recurring:
            # A payment method can be charged again only when it is attached to a customer, and
            # Checkout in payment mode creates one only when told to.
            payment_intent_data["setup_future_usage"] = "off_session"
            params["customer_creation"] = "always"
        try:
            session = self._client.v1.checkout.sessions.create(params)
        except stripe.StripeError as exc:
            raise _provider_error("create a Checkout Session", exc) from None
        if not session.url:
            raise ProviderError("Stripe returned a Checkout Session without a URL")
        return Checkout(
            provider_reference=session.id,
            redirect_url=session.url,
            expires_at=_timestamp(session.expires_at),
        )

    # ------------------------------------------------------------------------------------ webhooks

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> Sequence[ProviderEvent]:
        signature = _header(headers, SIGNATURE_HEADER)
        if not signature:
            raise WebhookSignatureError(f"missing {SIGNATURE_HEADER} header")
        try:
            event = self._client.construct_event(body, signature, self._webhook_secret, SIGNATURE_TOLERANCE)
        except stripe.SignatureVerificationError as exc:
            # The library's message names the cause (no match, too old, malformed); it holds no secret.
            raise WebhookSignatureError(exc.user_message or "signature does not verify") from None
        except ValueError:
            # Signed but not a snapshot event (bad UTF-8/JSON, or a thin event for another endpoint type).
            raise WebhookSignatureError("body is not a Stripe snapshot event") from None
        obj = event.data.object.to_dict()
        mapped = _map_event(event.type, obj)
        if mapped is None:
            return []
        kind, fields = mapped
        return [ProviderEvent(provider_event_id=event.id, kind=kind, occurred_at=_timestamp(event.created), **fields)]

    # ----------------------------------------------------------------------------------- recurring

    def charge_recurring(self, token: str, amount: Money, payment_id: str, description: str) -> RecurringCharge:
        customer, _, payment_method = token.rpartition(":")
        params: PaymentIntentCreateParams = {
            "amount": to_stripe_amount(amount),
            "currency": amount.currency.lower(),
            "payment_method": payment_method,
            "off_session": True,
            "confirm": True,
            # Nobody is there to follow a redirect; methods that need one must not be tried.
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
            "metadata": {_PAYMENT_ID: payment_id},
            "description": description,
        }
        if customer:
            params["customer"] = customer
        try:
            # One key per instalment payment: a retried job cannot charge the debtor twice.
            intent = self._client.v1.payment_intents.create(params, {"idempotency_key": f"charge-{payment_id}"})
        except stripe.CardError as exc:
            declined = _declined_charge(exc)
            if declined is None:
                raise _provider_error("charge a stored payment method", exc) from None
            return declined
        except stripe.StripeError as exc:
            raise _provider_error("charge a stored payment method", exc) from None
        return _recurring_charge(intent.id, intent.status, intent.last_payment_error)


# ------------------------------------------------------------------------------------ event mapping


def _map_event(event_type: str, obj: Mapping[str, Any]) -> tuple[EventKind, dict[str, Any]] | None:
    """The kind and ProviderEvent fields of one Stripe event, or None for events we do not act on."""
    if event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        # `completed` with `unpaid` is a SEPA Debit (or other delayed method) still processing; its
        # outcome arrives as `async_payment_succeeded`/`_failed`.
        if obj.get("mode") != "payment" or obj.get("payment_status") != "paid":
            return None
        return "payment_succeeded", _session_fields(obj)
    if event_type == "checkout.session.async_payment_failed":
        return "payment_failed", {**_session_fields(obj), "failure_reason": "async_payment_failed"}
    if event_type == "payment_intent.succeeded":
        received = int(obj.get("amount_received") or obj["amount"])
        return "payment_succeeded", {**_intent_fields(obj, received), "recurring_token": _recurring_token(obj)}
    if event_type == "payment_intent.payment_failed":
        error = obj.get("last_payment_error") or {}
        reason = error.get("decline_code") or error.get("code") or "payment_failed"
        return "payment_failed", {**_intent_fields(obj, int(obj["amount"])), "failure_reason": str(reason)}
    if event_type == "charge.refunded":
        # `amount_refunded` is the charge's running total; the booking core books one refund per payment.
        return "payment_refunded", {
            "payment_id": _metadata_payment_id(obj),
            "provider_payment_id": str(_id_of(obj.get("payment_intent")) or obj["id"]),
            "amount": from_stripe_amount(int(obj["amount_refunded"]), str(obj["currency"])),
            "method": (obj.get("payment_method_details") or {}).get("type"),
        }
    return None


def _session_fields(session: Mapping[str, Any]) -> dict[str, Any]:
    # Checkout creates the PaymentIntent; its id is what `payment_intent.*` events carry too. A paid
    # payment-mode session always has one; the session id is only a last resort so nothing is lost.
    intent_id = _id_of(session.get("payment_intent")) or session["id"]
    return {
        "payment_id": _metadata_payment_id(session) or session.get("client_reference_id"),
        "provider_payment_id": str(intent_id),
        "amount": from_stripe_amount(int(session["amount_total"]), str(session["currency"])),
        "method": _single(session.get("payment_method_types")),
    }


def _intent_fields(intent: Mapping[str, Any], amount: int) -> dict[str, Any]:
    return {
        "payment_id": _metadata_payment_id(intent),
        "provider_payment_id": str(intent["id"]),
        "amount": from_stripe_amount(amount, str(intent["currency"])),
        "method": _single(intent.get("payment_method_types")),
    }


def _recurring_token(intent: Mapping[str, Any]) -> str | None:
    if intent.get("setup_future_usage") != "off_session":
        return None
    payment_method = _id_of(intent.get("payment_method"))
    if not payment_method:
        return None
    customer = _id_of(intent.get("customer"))
    return f"{customer}:{payment_method}" if customer else str(payment_method)


def _recurring_charge(intent_id: str, status: str, error: Any) -> RecurringCharge:
    if status == "succeeded":
        return RecurringCharge(provider_payment_id=intent_id, status="succeeded")
    if status in ("processing", "requires_capture"):
        # SEPA Debit stays `processing` for days; the webhook reports the outcome.
        return RecurringCharge(provider_payment_id=intent_id, status="pending")
    reason = getattr(error, "decline_code", None) or getattr(error, "code", None)
    if status == "requires_action":
        reason = _NEEDS_AUTHENTICATION
    return RecurringCharge(provider_payment_id=intent_id, status="failed", failure_reason=reason or status)


def _declined_charge(exc: stripe.CardError) -> RecurringCharge | None:
    """A declined off-session charge is an outcome, not an outage: Stripe names the PaymentIntent it made."""
    body = exc.json_body if isinstance(exc.json_body, dict) else {}
    error = body.get("error") or {}
    intent_id = _id_of(error.get("payment_intent"))
    if not intent_id:
        return None
    reason = error.get("decline_code") or error.get("code") or "card_declined"
    return RecurringCharge(provider_payment_id=str(intent_id), status="failed", failure_reason=str(reason))


# ------------------------------------------------------------------------------------------ helpers


def to_stripe_amount(money: Money) -> int:
    """Minor units as Stripe's API counts them."""
    return money.amount * 100 if money.currency in HUNDREDTHS_IN_STRIPE else money.amount


def from_stripe_amount(amount: int, currency: str) -> Money:
    code = currency.upper()
    # Stripe refuses ISK amounts that are not whole kronur, so the division is exact.
    return Money(amount // 100 if code in HUNDREDTHS_IN_STRIPE else amount, code)


def checkout_locale(locale: str, country: str) -> str:
    """Our language (and the debtor's country) as a Stripe Checkout locale; `auto` when Stripe has none."""
    tag = locale.replace("_", "-")
    language = tag.split("-")[0].lower()
    language = {"no": "nb", "nn": "nb"}.get(language, language)
    for candidate in (f"{language}-{country.upper()}", tag, language):
        if candidate in CHECKOUT_LOCALES:
            return candidate
    return "auto"


def _provider_error(action: str, exc: stripe.StripeError) -> ProviderError:
    # Stripe's own message can echo request parameters (e-mail addresses); keep to status, code, request id.
    detail = " ".join(
        part
        for part in (
            f"HTTP {exc.http_status}" if exc.http_status else type(exc).__name__,
            exc.code or "",
            f"request {exc.request_id}" if exc.request_id else "",
        )
        if part
    )
    log.warning("Stripe could not %s: %s", action, detail)
    return ProviderError(f"Stripe could not {action} ({detail})")


def _metadata_payment_id(obj: Mapping[str, Any]) -> str | None:
    value = (obj.get("metadata") or {}).get(_PAYMENT_ID)
    return str(value) if value else None


def _id_of(value: Any) -> str | None:
    """An expandable field: an id string, or the expanded object with its `id`."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return str(value) if value else None


def _single(values: Any) -> str | None:
    return str(values[0]) if isinstance(values, list) and len(values) == 1 else None


def _timestamp(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)
