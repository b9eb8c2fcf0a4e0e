"""Stripe's wire format, locally: form-encoded requests in, JSON objects out, signed snapshot events.

The fake answers the two endpoints the adapter calls (`POST /v1/checkout/sessions`,
`POST /v1/payment_intents`) with objects shaped like Stripe's (`id`, `object`, ...), checks the secret
key like Stripe (`Authorization: Bearer ...`), and answers errors in Stripe's error envelope.

The webhook helpers build events as Stripe sends them and sign them with an implementation of the
`Stripe-Signature` scheme of their own (HMAC-SHA256 over `"{t}.{body}"`, hex, as `t=...,v1=...`), so
the adapter's verification through the `stripe` package is tested against something independent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl

from tests.payments.wire.server import Request, Response, WireServer

API_KEY = "sk_test_inkasso_wire"
WEBHOOK_SECRET = "whsec_inkasso_wire_0123456789"
API_VERSION = "2026-10-28.endive"

#: What an off-session PaymentIntent does with each test payment method (Stripe's `pm_card_*` spirit).
CHARGE_OUTCOMES = {
    "pm_card_visa": "succeeded",
    "pm_sepa_debit": "processing",
    "pm_card_insufficient_funds": "declined",
    "pm_card_authentication_required": "authentication_required",
}


def new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


# ---------------------------------------------------------------------------------------- requests


def decode_form(body: bytes) -> dict[str, Any]:
    """Stripe's form encoding back into objects: `a[b][0][c]=x` is `{"a": {"b": [{"c": "x"}]}}`."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body)):
        name, _, rest = key.partition("[")
        path = [name, *re.findall(r"([^\[\]]*)\]", "[" + rest)] if rest else [name]
        node = root
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    decoded: dict[str, Any] = _lists(root)
    return decoded


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[str(index)] for index in range(len(converted))]
    return converted


def error(status: int, error_type: str, message: str, **fields: Any) -> Response:
    # Stripe says whether a retry could help; the client library obeys it.
    headers = {"Request-Id": new_id("req"), "Stripe-Should-Retry": "false"}
    return Response.json(status, {"error": {"type": error_type, "message": message, **fields}}, headers)


# ---------------------------------------------------------------------------------------- objects


def checkout_session(params: dict[str, Any], now: int) -> dict[str, Any]:
    item = params["line_items"][0]
    amount = int(item["price_data"]["unit_amount"]) * int(item["quantity"])
    session_id = new_id("cs")
    return {
        "id": session_id,
        "object": "checkout.session",
        "allowed_payment_method_types": params.get("allowed_payment_method_types"),
        "amount_subtotal": amount,
        "amount_total": amount,
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id"),
        "created": now,
        "currency": item["price_data"]["currency"],
        "customer": None,
        "customer_creation": params.get("customer_creation", "if_required"),
        "customer_email": params.get("customer_email"),
        "expires_at": now + 24 * 3600,
        "livemode": False,
        "locale": params.get("locale"),
        "metadata": params.get("metadata", {}),
        "mode": params["mode"],
        "payment_intent": None,
        "payment_method_types": params.get("allowed_payment_method_types", ["card"]),
        "payment_status": "unpaid",
        "status": "open",
        "success_url": params.get("success_url"),
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
    }


def payment_intent(
    *,
    amount: int,
    currency: str,
    status: str,
    metadata: dict[str, str],
    payment_method: str | None = "pm_card_visa",
    customer: str | None = None,
    setup_future_usage: str | None = None,
    method_type: str = "card",
    last_payment_error: dict[str, Any] | None = None,
    intent_id: str | None = None,
) -> dict[str, Any]:
    return {
        "id": intent_id or new_id("pi"),
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount if status == "succeeded" else 0,
        "created": int(time.time()),
        "currency": currency,
        "customer": customer,
        "last_payment_error": last_payment_error,
        "latest_charge": new_id("ch") if status != "requires_payment_method" else None,
        "livemode": False,
        "metadata": metadata,
        "payment_method": payment_method,
        "payment_method_types": [method_type],
        "setup_future_usage": setup_future_usage,
        "status": status,
    }


def charge(*, intent_id: str, amount: int, refunded: int, currency: str, metadata: dict[str, str]) -> dict[str, Any]:
    return {
        "id": new_id("ch"),
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": refunded,
        "currency": currency,
        "metadata": metadata,
        "paid": True,
        "payment_intent": intent_id,
        "payment_method_details": {"type": "card"},
        "refunded": refunded == amount,
        "status": "succeeded",
    }


# ---------------------------------------------------------------------------------------- webhooks


def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None, created: int | None = None) -> bytes:
    """A snapshot event as Stripe POSTs it."""
    body = {
        "id": event_id or new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": created if created is not None else int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    return json.dumps(body, indent=2).encode()


def signature(body: bytes, secret: str, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(body, secret, timestamp)}"


# ---------------------------------------------------------------------------------------- the fake


class FakeStripe:
    def __init__(self, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.server = WireServer(self.route)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def requests(self) -> list[Request]:
        return self.server.requests

    def form(self, index: int = -1) -> dict[str, Any]:
        return decode_form(self.requests[index].body)

    def route(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return error(401, "invalid_request_error", "Invalid API Key provided: sk_test_****")
        if request.headers.get("content-type") != "application/x-www-form-urlencoded":
            return error(400, "invalid_request_error", "Stripe v1 takes form-encoded bodies")
        params = decode_form(request.body)
        if (request.method, request.path) == ("POST", "/v1/checkout/sessions"):
            if "payment_method_types" in params:
                # What API version 2026-09-30.endive and later answer to the removed parameter.
                return error(
                    400,
                    "invalid_request_error",
                    "payment_method_types is no longer supported",
                    code="parameter_unknown",
                    param="payment_method_types",
                )
            return Response.json(200, checkout_session(params, int(time.time())), {"Request-Id": new_id("req")})
        if (request.method, request.path) == ("POST", "/v1/payment_intents"):
            return self._payment_intent(params)
        return error(404, "invalid_request_error", f"Unrecognized request URL ({request.method}: {request.path})")

    def _payment_intent(self, params: dict[str, Any]) -> Response:
        outcome = CHARGE_OUTCOMES.get(params.get("payment_method", ""))
        if outcome is None:
            return error(400, "invalid_request_error", "No such PaymentMethod", code="resource_missing")
        declined = outcome in ("declined", "authentication_required")
        intent = payment_intent(
            amount=int(params["amount"]),
            currency=params["currency"],
            status="requires_payment_method" if declined else outcome,
            metadata=params.get("metadata", {}),
            payment_method=None if declined else params["payment_method"],
            customer=params.get("customer"),
            method_type="sepa_debit" if outcome == "processing" else "card",
        )
        if outcome == "declined":
            return error(
                402,
                "card_error",
                "Your card has insufficient funds.",
                code="card_declined",
                decline_code="insufficient_funds",
                payment_intent=intent,
            )
        if outcome == "authentication_required":
            return error(
                402,
                "card_error",
                "Your card was declined. This transaction requires authentication.",
                code="authentication_required",
                decline_code="authentication_required",
                payment_intent=intent,
            )
        return Response.json(200, intent, {"Request-Id": new_id("req")})
