"""A FastAPI receiver for inkasso webhooks: verify, drop duplicates, hand the event to the shop's logic.

Run it from this folder:

    pip install inkasso fastapi uvicorn
    export INKASSO_WEBHOOK_SECRET=whsec_...   # the `secret` of client.webhook_endpoints.create(...)
    uvicorn --factory webhooks_fastapi:create_app --port 8001

and register `http://127.0.0.1:8001/inkasso/webhooks` as a test-mode endpoint. During a secret rotation,
put both secrets into the variable, separated by a space. See docs/webhooks.md.
"""

from __future__ import annotations

import logging
import os
import threading

import inkasso
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from inkasso.types import WebhookEvent
from inkasso.types.events import ClaimCancelledEvent, ClaimPaidEvent, ClaimPaymentSucceededEvent

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/inkasso/webhooks"


# ----------------------------------------------------------------------- the shop's own logic goes here
# These run inside the event loop, so keep them quick (update a row, enqueue a job); anything slow
# belongs in a background worker. The service waits at most 15 s for the answer.


def on_claim_paid(event: ClaimPaidEvent) -> None:
    claim = event.data.claim
    log.info("claim %s paid in full: mark order %s as paid", claim.id, claim.external_reference)


def on_payment_succeeded(event: ClaimPaymentSucceededEvent) -> None:
    payment, claim = event.data.payment, event.data.claim
    log.info(
        "payment %s of %d %s booked for order %s; %d outstanding",
        payment.id,
        payment.amount,
        payment.currency,
        claim.external_reference,
        claim.balance.outstanding,
    )


def on_claim_cancelled(event: ClaimCancelledEvent) -> None:
    claim = event.data.claim
    log.info("claim %s cancelled (%s): stop dunning order %s", claim.id, event.data.reason, claim.external_reference)


def handle(event: WebhookEvent) -> bool:
    """Run the shop's logic for the event; False for a type this shop does not act on."""
    match event:
        case ClaimPaidEvent():
            on_claim_paid(event)
        case ClaimPaymentSucceededEvent():
            on_payment_succeeded(event)
        case ClaimCancelledEvent():
            on_claim_cancelled(event)
        case _:
            return False
    return True


# --------------------------------------------------------------------------------------------- plumbing


class SeenDeliveries:
    """The `webhook-id`s already handled, to drop the duplicates that at-least-once delivery brings.

    In memory for this example only: it forgets on restart and is not shared between processes. A shop
    stores the id in its database under a unique key, in the same transaction as the order change.
    """

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._lock = threading.Lock()

    def first_time(self, webhook_id: str) -> bool:
        """Record the id; False if it was recorded before."""
        with self._lock:
            if webhook_id in self._ids:
                return False
            self._ids.add(webhook_id)
            return True

    def forget(self, webhook_id: str) -> None:
        with self._lock:
            self._ids.discard(webhook_id)


def secrets_from_environment() -> list[str]:
    secrets = os.environ.get("INKASSO_WEBHOOK_SECRET", "").split()
    if not secrets:
        raise RuntimeError("Set INKASSO_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...).")
    return secrets


def create_app() -> FastAPI:
    logging.basicConfig(level=logging.INFO)  # show the handlers' lines in the console; no-op if set up already
    secrets = secrets_from_environment()
    seen = SeenDeliveries()
    app = FastAPI(title="inkasso webhook receiver")

    @app.post(WEBHOOK_PATH)
    async def receive_webhook(request: Request) -> JSONResponse:
        # The raw bytes, not a pydantic body parameter: a body parsed and serialised again would not verify.
        body = await request.body()
        try:
            event = inkasso.webhooks.verify(body, request.headers, secrets)
        except inkasso.WebhookVerificationError as exc:
            log.warning("webhook refused: %s", exc)
            return JSONResponse({"error": str(exc)}, status_code=400)

        webhook_id = request.headers["webhook-id"]
        if not seen.first_time(webhook_id):
            return JSONResponse({"status": "duplicate"})
        try:
            handled = handle(event)
        except Exception:
            seen.forget(webhook_id)  # the answer is a 500, and the service's retry must run the logic again
            raise
        return JSONResponse({"status": "processed" if handled else "ignored"})

    return app
