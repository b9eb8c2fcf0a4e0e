"""The sandbox provider: a real, local implementation of the provider protocol for the demo and tests.

Like Stripe or Adyen it has a hosted checkout page (on our server, under /sandbox), where the person
paying can let the payment succeed, fail or abandon it, and it reports the outcome by a signed webhook
POSTed over HTTP to the creditor's provider hook, from a background thread with retries, exactly as a
remote provider would. Signatures: `Sandbox-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
from itsdangerous import BadSignature, URLSafeTimedSerializer

from paypage.domain.money import Money
from paypage.payments.protocol import (
    Checkout,
    CheckoutRequest,
    ProviderError,
    ProviderEvent,
    RecurringCharge,
    WebhookSignatureError,
)

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Sandbox-Signature"
TOLERANCE = 300
CHECKOUT_LIFETIME = dt.timedelta(hours=1)
_KINDS = {"payment_succeeded", "payment_failed", "payment_refunded", "recurring_ready"}

#: Sends one webhook (url, body, headers); the default posts over HTTP in a thread with retries.
Deliver = Callable[[str, bytes, dict[str, str]], None]


def sign(body: bytes, secret: str, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def post_in_background(url: str, body: bytes, headers: dict[str, str]) -> None:
    def run() -> None:
        for attempt in range(5):
            try:
                response = httpx.post(url, content=body, headers=headers, timeout=10)
                if response.status_code < 300:
                    return
                log.warning("sandbox webhook answered %s (attempt %d)", response.status_code, attempt + 1)
            except httpx.HTTPError as exc:
                log.warning("sandbox webhook failed: %s (attempt %d)", type(exc).__name__, attempt + 1)
            time.sleep(0.5 * 2**attempt)

    threading.Thread(target=run, name="sandbox-webhook", daemon=True).start()


class SandboxProvider:
    name = "sandbox"

    def __init__(
        self,
        app_secret: str,
        public_url: str,
        creditor_id: str,
        deliver: Deliver = post_in_background,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.public_url = public_url.rstrip("/")
        self.creditor_id = creditor_id
        self.webhook_secret = (
            "sbxsec_"
            + hmac.new(app_secret.encode(), f"sandbox-webhook:{creditor_id}".encode(), hashlib.sha256).hexdigest()
        )
        self._sessions = URLSafeTimedSerializer(app_secret, salt="sandbox-checkout")
        self._deliver = deliver
        self._clock = clock

    @property
    def webhook_url(self) -> str:
        return f"{self.public_url}/hooks/sandbox/{self.creditor_id}"

    # ------------------------------------------------------------------------------------ protocol

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        session = {
            "creditor_id": self.creditor_id,
            "payment_id": request.payment_id,
            "amount": request.amount.amount,
            "currency": request.amount.currency,
            "method": request.method,
            "description": request.description,
            "return_url": request.return_url,
            "cancel_url": request.cancel_url,
            "recurring": request.setup_recurring,
            "locale": request.locale,
        }
        token = self._sessions.dumps(session)
        return Checkout(
            provider_reference=f"sbx_cs_{request.payment_id}",
            redirect_url=f"{self.public_url}/sandbox/checkout/{self.creditor_id}/{token}",
            expires_at=self._clock() + CHECKOUT_LIFETIME,
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> Sequence[ProviderEvent]:
        header = _header(headers, SIGNATURE_HEADER)
        if header is None:
            raise WebhookSignatureError(f"missing {SIGNATURE_HEADER} header")
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        timestamp = parts.get("t", "")
        if not timestamp.isdigit():
            raise WebhookSignatureError("malformed signature header")
        if abs(self._clock().timestamp() - int(timestamp)) > TOLERANCE:
            raise WebhookSignatureError("timestamp outside the tolerance")
        expected = sign(body, self.webhook_secret, int(timestamp)).split("v1=", 1)[1]
        if not hmac.compare_digest(expected, parts.get("v1", "")):
            raise WebhookSignatureError("signature does not match")
        data = json.loads(body)
        if data.get("type") not in _KINDS:
            return []
        return [
            ProviderEvent(
                provider_event_id=str(data["id"]),
                kind=data["type"],
                payment_id=data.get("payment_id"),
                provider_payment_id=str(data["provider_payment_id"]),
                amount=Money(int(data["amount"]), str(data["currency"])),
                occurred_at=dt.datetime.fromtimestamp(int(data["created"]), dt.UTC),
                method=data.get("method"),
                failure_reason=data.get("failure_reason"),
                recurring_token=data.get("recurring_token"),
            )
        ]

    def charge_recurring(self, token: str, amount: Money, payment_id: str, description: str) -> RecurringCharge:
        if not token.startswith("sbx_pm_"):
            raise ProviderError("unknown sandbox payment method")
        provider_payment_id = f"sbx_pi_{payment_id}"
        self.notify("payment_succeeded", payment_id, provider_payment_id, amount, method="sepa_debit")
        return RecurringCharge(provider_payment_id=provider_payment_id, status="pending")

    # ------------------------------------------------------------------------------- hosted checkout

    def open_session(self, token: str) -> dict[str, Any]:
        """The checkout session behind a sandbox checkout URL; raises ProviderError when invalid/expired."""
        try:
            session: dict[str, Any] = self._sessions.loads(token, max_age=int(CHECKOUT_LIFETIME.total_seconds()))
        except BadSignature:
            raise ProviderError("this sandbox checkout link is not valid or has expired") from None
        if session.get("creditor_id") != self.creditor_id:
            raise ProviderError("this sandbox checkout link is not valid or has expired")
        return session

    def complete(self, session: Mapping[str, Any], outcome: str) -> str:
        """The person's choice on the checkout page: `succeed`, `fail` or `abandon`. Returns where to go."""
        amount = Money(int(session["amount"]), str(session["currency"]))
        provider_payment_id = f"sbx_pi_{session['payment_id']}"
        if outcome == "succeed":
            token = f"sbx_pm_{secrets.token_hex(8)}" if session.get("recurring") else None
            self.notify(
                "payment_succeeded",
                session["payment_id"],
                provider_payment_id,
                amount,
                method=session.get("method"),
                recurring_token=token,
            )
            return str(session["return_url"])
        if outcome == "fail":
            self.notify(
                "payment_failed",
                session["payment_id"],
                provider_payment_id,
                amount,
                method=session.get("method"),
                failure_reason="declined_in_sandbox",
            )
            return str(session["return_url"])
        return str(session["cancel_url"])

    def notify(
        self,
        kind: str,
        payment_id: str,
        provider_payment_id: str,
        amount: Money,
        method: str | None = None,
        failure_reason: str | None = None,
        recurring_token: str | None = None,
    ) -> bytes:
        """Send a signed webhook about a payment, as the provider's back office would."""
        now = int(self._clock().timestamp())
        body = json.dumps(
            {
                "id": f"sbx_evt_{secrets.token_hex(12)}",
                "type": kind,
                "created": now,
                "payment_id": payment_id,
                "provider_payment_id": provider_payment_id,
                "amount": amount.amount,
                "currency": amount.currency,
                "method": method,
                "failure_reason": failure_reason,
                "recurring_token": recurring_token,
            },
            separators=(",", ":"),
        ).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, self.webhook_secret, now)}
        self._deliver(self.webhook_url, body, headers)
        return body


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None
