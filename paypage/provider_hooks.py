"""`POST /hooks/<provider>/<creditor_id>`: providers report payments here, signed.

Verified notifications are booked in one transaction and acknowledged with 200; a bad signature gets 400
and books nothing; an error on our side gets 500, so the provider retries later.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request

from paypage.extensions import database, settings
from paypage.payments.protocol import WebhookSignatureError
from paypage.payments.registry import PROVIDERS, provider_for
from paypage.services import payments
from paypage.store import models

bp = Blueprint("provider_hooks", __name__, url_prefix="/hooks")
log = logging.getLogger(__name__)


def _answer(status: int, message: str) -> Response:
    response = jsonify({"message": message})
    response.status_code = status
    return response


@bp.post("/<provider>/<creditor_id>")
def receive(provider: str, creditor_id: str) -> Response:
    if provider not in PROVIDERS:
        return _answer(404, "unknown provider")
    body = request.get_data(cache=False)
    with database().transaction() as session:
        creditor = session.get(models.Creditor, creditor_id)
        if creditor is None:
            return _answer(404, "unknown account")
        try:
            notifications = provider_for(creditor, provider).parse_webhook(body, dict(request.headers.items()))
        except WebhookSignatureError as exc:
            log.warning("%s webhook for %s refused: %s", provider, creditor_id, exc)
            return _answer(400, "signature not valid")
        booked = payments.book_provider_events(session, creditor_id, provider, notifications, settings().clock())
    applied = sum(1 for outcome in booked if outcome.applied)
    return _answer(200, f"{len(booked)} notification(s), {applied} applied")
