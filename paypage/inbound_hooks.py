"""`POST /hooks/inbound/twilio/<channel>/<creditor_id>`: debtors' SMS and WhatsApp replies, from Twilio.

Set this URL as the "A message comes in" webhook of the creditor's Twilio number (or WhatsApp sender).
The request must carry Twilio's `X-Twilio-Signature` for our public URL, made with the auth token of the
creditor's channel settings: anything else gets 400 and changes nothing. A message Twilio delivers twice
(same MessageSid) is stored once. The answer, if any, goes out through the Messages API like every other
message (contact hours, delivery reports), so the webhook answers with an empty TwiML document.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from flask import Blueprint, Response, jsonify, request

from paypage.decisions.intents.model import ready_model
from paypage.engine.channel_registry import channels_for
from paypage.engine.channels.protocol import CallbackSignatureError
from paypage.engine.channels.twilio_signature import verify_twilio_signature
from paypage.extensions import database, links, settings
from paypage.services import inbound
from paypage.store import models

bp = Blueprint("inbound_hooks", __name__, url_prefix="/hooks/inbound")
log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _answer(status: int, message: str) -> Response:
    response = jsonify({"message": message})
    response.status_code = status
    return response


def _auth_token(creditor: models.Creditor, channel: str) -> str | None:
    options = creditor.settings.get("channels", {})
    twilio = options.get(channel, {}).get("twilio") if isinstance(options, dict) else None
    token = twilio.get("auth_token") if isinstance(twilio, dict) else None
    return token if isinstance(token, str) and token else None


@bp.post("/twilio/<any(sms, whatsapp):channel>/<creditor_id>")
def twilio(channel: str, creditor_id: str) -> Response:
    config = settings()
    body = request.get_data(cache=False)
    # Twilio signs the URL it called: our public address, not whatever a proxy forwarded to.
    called = config.public_url.rstrip("/") + request.full_path.rstrip("?")
    params = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    with database().transaction() as session:
        creditor = session.get(models.Creditor, creditor_id)
        token = _auth_token(creditor, channel) if creditor is not None else None
        if creditor is None or token is None:
            return _answer(404, "unknown account or no Twilio channel")
        try:
            verify_twilio_signature(token, called, params, request.headers.get("X-Twilio-Signature", ""))
        except CallbackSignatureError:
            log.warning("inbound %s for %s refused: bad signature", channel, creditor_id)
            return _answer(400, "signature not valid")
        fields = dict(params)
        sender = fields.get("From", "").removeprefix("whatsapp:")
        sid = fields.get("MessageSid") or fields.get("SmsSid")
        if not sender or not sid:
            return _answer(400, "From and MessageSid are required")
        incoming = inbound.Incoming(
            channel=channel, sender=sender, body=fields.get("Body", ""), provider_reference=sid[:255]
        )
        handled = inbound.receive(
            session,
            creditor_id,
            incoming,
            config.clock(),
            links(),
            lambda record, livemode: channels_for(record, livemode, config.outbox_file),
            ready_model(config.intent_model),
        )
    log.info("inbound %s %s: %s (%s)", channel, handled.message.id, handled.message.outcome, handled.message.reason)
    return Response(EMPTY_TWIML, status=200, content_type="text/xml; charset=utf-8")
