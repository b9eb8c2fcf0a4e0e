"""Twilio's Messages API, locally: form-encoded requests in, Twilio-shaped JSON out, signed callbacks.

The fake checks HTTP basic auth (account SID + auth token) like Twilio, answers 201 with a Message
resource, and refuses numbers with Twilio's error envelope (`code`, `message`, `more_info`, `status`),
whose message quotes the number just as Twilio's does. The callback signer is an implementation of
Twilio's scheme of its own, written from the documentation, not the channel's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from tests.payments.wire.server import Request, Response, WireServer

ACCOUNT_SID = "AC" + "5ef8732a3c49700934481addd5ce1659"
AUTH_TOKEN = "9f3c2b1a0e8d7c6b5a4f3e2d1c0b9a88"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"

INVALID_NUMBER = "+4915100000000"
UNSUBSCRIBED_NUMBER = "+4915111111111"


def twilio_error(status: int, code: int, message: str) -> Response:
    return Response.json(
        status,
        {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status},
    )


class FakeTwilio:
    def __init__(self) -> None:
        self.server = WireServer(self.route)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def forms(self) -> list[dict[str, str]]:
        return [dict(parse_qsl(request.body.decode())) for request in self.server.requests]

    def route(self, request: Request) -> Response:
        if request.method != "POST" or request.path != MESSAGES_PATH:
            return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return twilio_error(401, 20003, "Authenticate")
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return twilio_error(400, 20001, "Unsupported content type")
        form = dict(parse_qsl(request.body.decode()))
        number = form.get("To", "").removeprefix("whatsapp:")
        if number == INVALID_NUMBER:
            return twilio_error(400, 21211, f"The 'To' number {number} is not a valid phone number.")
        if number == UNSUBSCRIBED_NUMBER:
            return twilio_error(400, 21610, f"Attempt to send to unsubscribed recipient {number}")
        return Response.json(201, message_resource(form))


def message_resource(form: Mapping[str, str]) -> dict[str, Any]:
    body = form.get("Body", "")
    via_service = "MessagingServiceSid" in form
    return {
        "account_sid": ACCOUNT_SID,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": "Wed, 25 Nov 2026 09:30:00 +0000",
        "date_sent": None,
        "date_updated": "Wed, 25 Nov 2026 09:30:00 +0000",
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": form.get("From"),
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "num_media": "0",
        # Plain ASCII test bodies: 160 characters, or 153 per part; "0" until a service picks a sender.
        "num_segments": "0" if via_service else str(1 if len(body) <= 160 else math.ceil(len(body) / 153)),
        "price": None,
        "price_unit": "USD",
        "sid": "SM" + secrets.token_hex(16),
        "status": "accepted" if via_service else "queued",
        "to": form.get("To"),
        "uri": f"{MESSAGES_PATH.removesuffix('.json')}/SM.json",
    }


def sign(url: str, params: Mapping[str, str], auth_token: str = AUTH_TOKEN) -> str:
    """Twilio's documented scheme: base64(HMAC-SHA1(token, URL + name1 + value1 + name2 + value2 ...))."""
    payload = url
    for name in sorted(params):
        payload += name + params[name]
    mac = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def status_callback(message_sid: str, status: str, **extra: str) -> dict[str, str]:
    """The form Twilio posts to a StatusCallback URL for an outbound SMS."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "From": "+4915799912345",
        "MessageSid": message_sid,
        "MessageStatus": status,
        "SmsSid": message_sid,
        "SmsStatus": status,
        "To": "+4915712345678",
        **extra,
    }


def form_body(params: Mapping[str, str]) -> bytes:
    return urlencode(params).encode()
