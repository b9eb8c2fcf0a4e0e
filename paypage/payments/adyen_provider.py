"""Adyen behind the provider protocol: Pay by Link checkouts, standard webhooks, token (ContAuth) charges.

Checkout is a Pay by Link (`POST /paymentLinks`): Adyen hosts the whole payment page and returns its
`url`, just as Stripe Checkout does. A `/sessions` session would need Adyen's Drop-in embedded in our own
page (a client key, Adyen's JavaScript, a CSP for it) to become a page at all.

Webhooks are Adyen's standard notifications: a batch of `NotificationRequestItem`s, each signed on its
own (`additionalData.hmacSignature`). A batch with one item that does not verify is refused whole.
Adyen re-sends an item until it is acknowledged, so an item's identity is its pspReference, eventCode
and success flag.

Recurring tokens are `"<paymentMethod.type>:<storedPaymentMethodId>:<shopperReference>"`: Adyen charges a
token only together with the shopper reference it was stored under and the type of method behind it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import Adyen  # type: ignore[import-untyped]

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

ENVIRONMENTS = ("test", "live")

RECURRING_PROCESSING_MODEL = "Subscription"
"""An instalment plan is a fixed schedule the debtor agreed to: Adyen's `Subscription` model."""

#: Locales Adyen's hosted payment page is translated into (adyen-web's `language/locales`).
PAGE_LOCALES = frozenset(
    "ar cs-CZ da-DK de-DE el-GR en-US es-ES fi-FI fr-FR hr-HR hu-HU it-IT ja-JP ko-KR nl-NL no-NO pl-PL "
    "pt-BR pt-PT ro-RO ru-RU sk-SK sl-SI sv-SE zh-CN zh-TW".split()
)

#: Adyen's `paymentMethod` in a notification names the card brand; a stored card is charged as `scheme`.
CARD_BRANDS = frozenset(
    "visa mc amex maestro cartebancaire bcmc diners discover jcb cup dankort visadankort electron "
    "vpay mc_applepay visa_applepay mc_googlepay visa_googlepay".split()
)

_SUCCEEDED = frozenset({"Authorised"})
_PENDING = frozenset({"Received", "Pending"})
_NEEDS_SHOPPER = frozenset({"RedirectShopper", "IdentifyShopper", "ChallengeShopper", "PresentToShopper"})


class AdyenProvider:
    name = "adyen"

    def __init__(
        self,
        api_key: str,
        merchant_account: str,
        hmac_key: str,
        environment: str = "test",
        live_url_prefix: str | None = None,
        base_url: str | None = None,
        *,
        return_url: str | None = None,
    ) -> None:
        if environment not in ENVIRONMENTS:
            raise ValueError(f"Adyen environment must be one of {ENVIRONMENTS}, not {environment!r}")
        if environment == "live" and not (live_url_prefix or base_url):
            raise ValueError("Adyen live environment needs live_url_prefix (Customer Area > Developers > API URLs)")
        try:
            bytes.fromhex(hmac_key)
        except ValueError:
            raise ValueError("Adyen hmac_key must be the hexadecimal key from the webhook settings") from None
        self.merchant_account = merchant_account
        self._hmac_key = hmac_key
        self._return_url = return_url
        client = Adyen.Adyen(
            xapikey=api_key,
            merchant_account=merchant_account,
            platform=environment,
            live_endpoint_prefix=live_url_prefix,
            application_name="inkasso",
            # The standard library's HTTP client: the same code path whatever else is installed.
            http_force="urllib",
            http_timeout=30,
        )
        self._links = client.checkout.payment_links_api
        self._payments = client.checkout.payments_api
        if base_url:
            # Keep the API version the package speaks (the path, `/v72`); change only where it goes.
            for api in (self._links, self._payments):
                api.baseUrl = base_url.rstrip("/") + urlsplit(api.baseUrl).path

    # ------------------------------------------------------------------------------------ checkout

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        body: dict[str, Any] = {
            "merchantAccount": self.merchant_account,
            "reference": request.payment_id,
            "amount": _amount(request.amount),
            "description": request.description,
            "countryCode": request.country.upper(),
            "shopperLocale": shopper_locale(request.locale, request.country),
            "allowedPaymentMethods": [request.provider_method],
            "returnUrl": request.return_url,
            "metadata": {**request.metadata, "payment_id": request.payment_id},
        }
        if request.customer_email:
            body["shopperEmail"] = request.customer_email
        if request.setup_recurring:
            body["shopperReference"] = shopper_reference(request.payment_id)
            # The debtor chose the plan on our page; a consent box they could untick would break it.
            body["storePaymentMethodMode"] = "enabled"
            body["recurringProcessingModel"] = RECURRING_PROCESSING_MODEL
        link = self._call("create a payment link", self._links.payment_links, body)
        try:
            return Checkout(
                provider_reference=str(link["id"]),
                redirect_url=str(link["url"]),
                expires_at=_parse_time(link.get("expiresAt")),
            )
        except KeyError:
            raise ProviderError("Adyen answered a payment link without id or url") from None

    # ------------------------------------------------------------------------------------ webhooks

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> Sequence[ProviderEvent]:
        items = _notification_items(body)
        for item in items:
            self._verify(item)
        events = []
        for item in items:
            if item.get("merchantAccountCode") != self.merchant_account:
                # A key shared across merchant accounts must not let one creditor book another's payment.
                log.warning("Adyen notification for another merchant account ignored")
                continue
            event = _event(item)
            if event is not None:
                events.append(event)
        return events

    def _verify(self, item: Mapping[str, Any]) -> None:
        signature = (item.get("additionalData") or {}).get("hmacSignature")
        if not isinstance(signature, str) or not signature:
            raise WebhookSignatureError("notification item without hmacSignature")
        try:
            valid = Adyen.util.is_valid_hmac_notification(dict(item), self._hmac_key)
        except (KeyError, TypeError, ValueError):
            raise WebhookSignatureError("notification item lacks the signed fields") from None
        if valid is not True:
            raise WebhookSignatureError("hmacSignature does not match")

    # ----------------------------------------------------------------------------------- recurring

    def charge_recurring(self, token: str, amount: Money, payment_id: str, description: str) -> RecurringCharge:
        method_type, _, rest = token.partition(":")
        stored_id, _, shopper = rest.partition(":")
        if not (method_type and stored_id and shopper):
            raise ProviderError("not an Adyen recurring token")
        # `/payments` has no free-text description: the reference is what Adyen reports back.
        body: dict[str, Any] = {
            "merchantAccount": self.merchant_account,
            "reference": payment_id,
            "amount": _amount(amount),
            "paymentMethod": {"type": method_type, "storedPaymentMethodId": stored_id},
            "shopperReference": shopper,
            "shopperInteraction": "ContAuth",
            "recurringProcessingModel": RECURRING_PROCESSING_MODEL,
        }
        if self._return_url:
            body["returnUrl"] = self._return_url
        # One key per instalment payment: a retried job cannot charge the debtor twice.
        result = self._call("charge a stored payment method", self._payments.payments, body, f"charge-{payment_id}")
        psp = result.get("pspReference")
        if not psp:
            raise ProviderError("Adyen answered a payment without pspReference")
        return _recurring_charge(str(psp), str(result.get("resultCode", "")), result)

    # ------------------------------------------------------------------------------------- calling

    def _call(
        self, action: str, endpoint: Any, body: dict[str, Any], idempotency_key: str | None = None
    ) -> dict[str, Any]:
        try:
            result = endpoint(body, idempotency_key=idempotency_key)
        except Adyen.AdyenError as exc:
            # The error's message and raw request echo what we sent (e-mail addresses): status and code only.
            detail = f"HTTP {exc.status_code} errorCode {exc.error_code}" if exc.status_code else type(exc).__name__
            log.warning("Adyen could not %s: %s", action, detail)
            raise ProviderError(f"Adyen could not {action} ({detail})") from None
        except OSError as exc:
            log.warning("Adyen could not %s: %s", action, type(exc).__name__)
            raise ProviderError(f"Adyen could not {action} (not reachable)") from None
        message = getattr(result, "message", None)
        if not isinstance(message, dict):
            raise ProviderError(f"Adyen answered no JSON object to {action}")
        return message


# ------------------------------------------------------------------------------------ notifications


def _notification_items(body: bytes) -> list[Mapping[str, Any]]:
    try:
        notification = json.loads(body)
    except ValueError:
        raise WebhookSignatureError("body is not an Adyen notification") from None
    entries = notification.get("notificationItems") if isinstance(notification, dict) else None
    if not isinstance(entries, list) or not entries:
        raise WebhookSignatureError("body is not an Adyen notification")
    items = [entry.get("NotificationRequestItem") if isinstance(entry, dict) else None for entry in entries]
    if not all(isinstance(item, dict) for item in items):
        raise WebhookSignatureError("body is not an Adyen notification")
    return [item for item in items if isinstance(item, dict)]


def _event(item: Mapping[str, Any]) -> ProviderEvent | None:
    """The ProviderEvent for one verified item, or None for event codes we do not act on."""
    code = str(item.get("eventCode"))
    success = item.get("success") == "true"
    psp = str(item.get("pspReference") or "")
    if not psp:
        return None
    kind: EventKind
    fields: dict[str, Any] = {}
    if code == "AUTHORISATION" and success:
        # Payment links capture automatically: an authorised payment is a paid one.
        kind, provider_payment_id = "payment_succeeded", psp
        fields["recurring_token"] = _recurring_token(item)
    elif code == "AUTHORISATION":
        kind, provider_payment_id = "payment_failed", psp
        # Only a refusal's `reason` is free of card data (a success's holds auth code, last digits, expiry).
        fields["failure_reason"] = str(item.get("reason") or "refused")[:80]
    elif code == "REFUND" and success:
        # A refund has its own pspReference; `originalReference` is the payment's.
        kind, provider_payment_id = "payment_refunded", str(item.get("originalReference") or psp)
    else:
        return None
    amount = item["amount"]
    return ProviderEvent(
        provider_event_id=f"{psp}:{code}:{item.get('success')}",
        kind=kind,
        payment_id=str(item["merchantReference"]) if item.get("merchantReference") else None,
        provider_payment_id=provider_payment_id,
        amount=Money(int(amount["value"]), str(amount["currency"]).upper()),
        occurred_at=_parse_time(item.get("eventDate")) or dt.datetime.now(dt.UTC),
        method=_our_method(item.get("paymentMethod")),
        **fields,
    )


def _recurring_token(item: Mapping[str, Any]) -> str | None:
    data = item.get("additionalData") or {}
    # The `tokenization.*` keys replace the older `recurring.*` ones; accounts may send either.
    stored_id = data.get("tokenization.storedPaymentMethodId") or data.get("recurring.recurringDetailReference")
    shopper = data.get("tokenization.shopperReference") or data.get("recurring.shopperReference")
    method = item.get("paymentMethod")
    if not (stored_id and shopper and method):
        return None
    method_type = "scheme" if method in CARD_BRANDS else str(method)
    return f"{method_type}:{stored_id}:{shopper}"


def _recurring_charge(psp: str, result_code: str, result: Mapping[str, Any]) -> RecurringCharge:
    if result_code in _SUCCEEDED:
        return RecurringCharge(provider_payment_id=psp, status="succeeded")
    if result_code in _NEEDS_SHOPPER:
        # Nobody is there to authenticate an off-session charge.
        return RecurringCharge(provider_payment_id=psp, status="failed", failure_reason="authentication_required")
    if result_code in ("Refused", "Error", "Cancelled"):
        reason = result.get("refusalReasonCode") or result.get("refusalReason") or result_code
        return RecurringCharge(provider_payment_id=psp, status="failed", failure_reason=str(reason)[:80])
    if result_code not in _PENDING:
        log.warning("Adyen answered resultCode %s to a stored-method charge; awaiting the webhook", result_code)
    return RecurringCharge(provider_payment_id=psp, status="pending")


# ------------------------------------------------------------------------------------------ helpers


def shopper_locale(locale: str, country: str) -> str:
    """Our language and the debtor's country as a locale Adyen's page has; `en-US` when it has none."""
    language = locale.replace("_", "-").split("-")[0].lower()
    language = {"nb": "no", "nn": "no"}.get(language, language)
    candidates = [f"{language}-{country.upper()}", language]
    candidates += sorted(tag for tag in PAGE_LOCALES if tag.split("-")[0] == language)
    return next((tag for tag in candidates if tag in PAGE_LOCALES), "en-US")


def shopper_reference(payment_id: str) -> str:
    """Adyen stores a token under a shopper reference, which must not be personal data: ours is the payment."""
    return f"inkasso-{payment_id}"


def _amount(money: Money) -> dict[str, Any]:
    return {"value": money.amount, "currency": money.currency}


def _our_method(adyen_method: Any) -> str | None:
    if not adyen_method:
        return None
    return "card" if adyen_method in CARD_BRANDS else str(adyen_method)


def _parse_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 time from Adyen; None when absent or unreadable (it is not among the signed fields)."""
    try:
        parsed = dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
