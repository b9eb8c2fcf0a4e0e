"""A single-file Django receiver for inkasso webhooks: verify, drop duplicates, hand over to the shop.

Run it:

    pip install inkasso django
    export INKASSO_WEBHOOK_SECRET=whsec_...   # the `secret` of client.webhook_endpoints.create(...)
    python examples/webhooks_django.py runserver 8002

and register `http://127.0.0.1:8002/inkasso/webhooks` as a test-mode endpoint. During a secret rotation,
put both secrets into the variable, separated by a space. In a Django project of your own, copy the
view and `INKASSO_WEBHOOK_SECRET` into your app and settings. See docs/webhooks.md.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import threading

import inkasso
from django.conf import settings
from django.core.management import execute_from_command_line
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from inkasso.types import WebhookEvent
from inkasso.types.events import ClaimCancelledEvent, ClaimPaidEvent, ClaimPaymentSucceededEvent

log = logging.getLogger(__name__)


if not settings.configured:
    settings.configure(
        DEBUG=os.environ.get("DJANGO_DEBUG") == "1",
        # Nothing here signs cookies or sessions; Django only insists on having a key.
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS=os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1 localhost").split(),
        ROOT_URLCONF=__name__,
        # No session, auth or CSRF middleware: a webhook proves itself by its signature.
        MIDDLEWARE=[],
        INKASSO_WEBHOOK_SECRET=os.environ.get("INKASSO_WEBHOOK_SECRET", ""),
    )


# ----------------------------------------------------------------------- the shop's own logic goes here
# Keep these quick (update a row, enqueue a job): the service waits at most 15 s for the answer and
# retries what it does not get acknowledged in time.


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


seen = SeenDeliveries()


@csrf_exempt
@require_POST
def receive_webhook(request: HttpRequest) -> JsonResponse:
    try:
        # request.body is the raw bytes: a body parsed and serialised again would not verify.
        event = inkasso.webhooks.verify(request.body, request.headers, settings.INKASSO_WEBHOOK_SECRET.split())
    except inkasso.WebhookVerificationError as exc:
        log.warning("webhook refused: %s", exc)
        return JsonResponse({"error": str(exc)}, status=400)

    webhook_id = request.headers["webhook-id"]
    if not seen.first_time(webhook_id):
        return JsonResponse({"status": "duplicate"})
    try:
        handled = handle(event)
    except Exception:
        seen.forget(webhook_id)  # the answer is a 500, and the service's retry must run the logic again
        raise
    return JsonResponse({"status": "processed" if handled else "ignored"})


urlpatterns = [path("inkasso/webhooks", receive_webhook)]

application = get_wsgi_application()  # for a WSGI server: gunicorn webhooks_django:application


if __name__ == "__main__":
    if not settings.INKASSO_WEBHOOK_SECRET:
        sys.exit("Set INKASSO_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...).")
    logging.basicConfig(level=logging.INFO)  # show the handlers' lines in the console
    execute_from_command_line(sys.argv)
