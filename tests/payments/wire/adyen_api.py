"""Adyen's wire format, locally: the Checkout API (JSON) and signed standard notifications.

The fake answers `POST /v72/paymentLinks` and `POST /v72/payments` (the Checkout API version the
`Adyen` package speaks) with Adyen's response shapes, checks the API key (`X-API-Key`), and refuses
what Adyen refuses (a missing or non-integer amount: 422 in Adyen's error envelope).

`sign_item` signs a NotificationRequestItem the way Adyen does, implemented here on its own: HMAC-SHA256
with the hex-decoded key over pspReference, originalReference, merchantAccountCode, merchantReference,
amount value, amount currency, eventCode and success joined by ':', base64-encoded.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import hmac
import json
import secrets
from typing import Any

from tests.payments.wire.server import Request, Response, WireServer

API_KEY = "AQE_test_inkasso_wire_key"
MERCHANT_ACCOUNT = "InkassoECOM"
HMAC_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"
API_PATH = "/v72"

#: What a ContAuth payment does with each stored payment method id.
CHARGE_OUTCOMES: dict[str, dict[str, str]] = {
    "TOKEN_AUTHORISED": {"resultCode": "Authorised"},
    "TOKEN_SEPA": {"resultCode": "Received"},
    "TOKEN_REFUSED": {"resultCode": "Refused", "refusalReason": "Not enough balance", "refusalReasonCode": "12"},
    "TOKEN_NEEDS_3DS": {"resultCode": "IdentifyShopper"},
}

SIGNED_FIELDS = (
    "pspReference",
    "originalReference",
    "merchantAccountCode",
    "merchantReference",
    "value",
    "currency",
    "eventCode",
    "success",
)


def psp_reference() -> str:
    return secrets.token_hex(8).upper()


def error(status: int, error_code: str, message: str, error_type: str) -> Response:
    body = {"status": status, "errorCode": error_code, "message": message, "errorType": error_type}
    return Response.json(status, {**body, "pspReference": psp_reference()})


# ---------------------------------------------------------------------------------------- webhooks


def notification_item(
    event_code: str,
    *,
    psp: str,
    reference: str,
    value: int,
    currency: str = "EUR",
    success: bool = True,
    original_reference: str | None = None,
    merchant_account: str = MERCHANT_ACCOUNT,
    payment_method: str = "visa",
    reason: str | None = None,
    additional: dict[str, str] | None = None,
    event_date: str = "2026-05-06T17:15:34+02:00",
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "additionalData": dict(additional or {}),
        "amount": {"currency": currency, "value": value},
        "eventCode": event_code,
        "eventDate": event_date,
        "merchantAccountCode": merchant_account,
        "merchantReference": reference,
        "paymentMethod": payment_method,
        "pspReference": psp,
        "success": "true" if success else "false",
    }
    if original_reference:
        item["originalReference"] = original_reference
    if reason is not None:
        item["reason"] = reason
    return item


def item_signature(item: dict[str, Any], hex_key: str = HMAC_KEY) -> str:
    values = {**item, "value": item["amount"]["value"], "currency": item["amount"]["currency"]}
    signing_string = ":".join(str(values.get(name, "")) for name in SIGNED_FIELDS)
    digest = hmac.new(bytes.fromhex(hex_key), signing_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_item(item: dict[str, Any], hex_key: str = HMAC_KEY) -> dict[str, Any]:
    signed = copy.deepcopy(item)
    signed.setdefault("additionalData", {})["hmacSignature"] = item_signature(item, hex_key)
    return signed


def notification(*items: dict[str, Any], live: bool = False) -> bytes:
    body = {"live": "true" if live else "false", "notificationItems": [{"NotificationRequestItem": i} for i in items]}
    return json.dumps(body, indent=2).encode()


# ---------------------------------------------------------------------------------------- the fake


class FakeAdyen:
    def __init__(self, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.server = WireServer(self.route)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def requests(self) -> list[Request]:
        return self.server.requests

    def body(self, index: int = -1) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.requests[index].body)
        return parsed

    def route(self, request: Request) -> Response:
        if request.headers.get("x-api-key") != self.api_key:
            return error(401, "000", "HTTP Status Response - Unauthorized", "security")
        if request.headers.get("content-type") != "application/json":
            return error(400, "702", "Unable to parse the request body", "validation")
        body = json.loads(request.body)
        missing = self._invalid(body)
        if missing:
            return error(422, "100", missing, "validation")
        if (request.method, request.path) == ("POST", f"{API_PATH}/paymentLinks"):
            return Response.json(201, self._payment_link(body))
        if (request.method, request.path) == ("POST", f"{API_PATH}/payments"):
            return self._payment(body)
        return error(404, "000", f"Not found: {request.path}", "validation")

    @staticmethod
    def _invalid(body: dict[str, Any]) -> str | None:
        amount = body.get("amount")
        if not isinstance(amount, dict) or not isinstance(amount.get("value"), int):
            return "Required object 'amount' is not provided."
        if body.get("merchantAccount") != MERCHANT_ACCOUNT:
            return "Required field 'merchantAccount' is not provided."
        if not body.get("reference"):
            return "Required field 'reference' is not provided."
        return None

    @staticmethod
    def _payment_link(body: dict[str, Any]) -> dict[str, Any]:
        link_id = "PL" + secrets.token_hex(8).upper()
        expires = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=1)
        return {
            **body,
            "id": link_id,
            "expiresAt": expires.isoformat().replace("+00:00", "Z"),
            "reusable": False,
            "status": "active",
            "url": f"https://test.adyen.link/{link_id}",
        }

    @staticmethod
    def _payment(body: dict[str, Any]) -> Response:
        stored_id = body.get("paymentMethod", {}).get("storedPaymentMethodId")
        outcome = CHARGE_OUTCOMES.get(stored_id or "")
        if outcome is None:
            return error(422, "803", "PaymentDetails not found", "validation")
        result = {"pspReference": psp_reference(), "merchantReference": body["reference"], **outcome}
        if outcome["resultCode"] != "Refused":
            result["amount"] = body["amount"]
        return Response.json(200, result)
