"""`POST /hooks/<provider>/<creditor_id>`: providers report payments here, signed.

Verified notifications are booked in one transaction and acknowledged with 200; a bad signature gets 400
and books nothing; an error on our side gets 500, so the provider retries later.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import IntegrityError

from paypage.engine import delivery_reports
from paypage.engine.channel_registry import channels_for
from paypage.engine.channels.protocol import CallbackChannel, CallbackSignatureError
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
    for attempt in range(2):
        try:
            with database().transaction() as session:
                creditor = session.get(models.Creditor, creditor_id)
                if creditor is None:
                    return _answer(404, "unknown account")
                try:
                    notifications = provider_for(creditor, provider).parse_webhook(body, dict(request.headers.items()))
                except WebhookSignatureError as exc:
                    log.warning("%s webhook for %s refused: %s", provider, creditor_id, exc)
                    return _answer(400, "signature not valid")
                booked = payments.book_provider_events(
                    session, creditor_id, provider, notifications, settings().clock()
                )
            break
        except IntegrityError:
            # Providers deliver at least once, sometimes two copies at the same moment: the copy that
            # commits second trips the unique keys. Run again to find the first copy's booking.
            if attempt:
                raise
    applied = sum(1 for outcome in booked if outcome.applied)
    return _answer(200, f"{len(booked)} notification(s), {applied} applied")


@bp.post("/channels/<channel>/<creditor_id>")
def channel_status(channel: str, creditor_id: str) -> Response:
    """Delivery reports of SMS and WhatsApp providers: delivered, bounced, failed. A message that did not
    reach the debtor sends the engine back to the same step, to try the step's next channel."""
    config = settings()
    body = request.get_data(cache=False)
    # The provider signs the URL it called: our public address, not whatever a proxy forwarded to.
    called = config.public_url.rstrip("/") + request.full_path.rstrip("?")
    with database().transaction() as session:
        creditor = session.get(models.Creditor, creditor_id)
        if creditor is None:
            return _answer(404, "unknown account")
        found = channels_for(creditor, livemode=True).get(channel)
        if not isinstance(found, CallbackChannel):
            return _answer(404, "no delivery reports for this channel")
        try:
            updates = found.parse_callback(called, body, dict(request.headers.items()))
        except CallbackSignatureError:
            log.warning("%s delivery report for %s refused: bad signature", channel, creditor_id)
            return _answer(400, "signature not valid")
        for update in updates:
            delivery_reports.apply(session, creditor_id, update, config.clock())
    return _answer(200, f"{len(updates)} report(s)")
