"""The webhook endpoint: `POST /inkasso/webhook/` (where the shop's URLconf includes `oscar_inkasso.urls`)."""

from __future__ import annotations

import logging

import inkasso
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from oscar_inkasso import events
from oscar_inkasso.conf import plugin_settings

log = logging.getLogger(__name__)


@csrf_exempt  # a webhook proves itself by its signature, not by a CSRF token
@require_POST
def webhook(request: HttpRequest) -> JsonResponse:
    config = plugin_settings()
    try:
        # request.body is the raw bytes the service signed; nothing is parsed before the check.
        event = inkasso.webhooks.verify(request.body, request.headers, list(config.webhook_secrets))
    except inkasso.WebhookVerificationError as exc:
        log.warning("inkasso webhook refused: %s", exc)
        return JsonResponse({"error": str(exc)}, status=400)
    outcome = events.apply(event, config)
    log.info("inkasso webhook %s %s: %s", event.id, event.type, outcome)
    return JsonResponse({"status": outcome})
