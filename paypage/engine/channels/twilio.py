"""SMS and WhatsApp through Twilio's Messages API (2010-04-01), spoken directly over httpx.

    POST {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json     (HTTP basic auth: SID + auth token)
    form: To, From | MessagingServiceSid, Body, StatusCallback
    201 {"sid": "SM...", "status": "queued", "num_segments": "1", ...}     -> sent
    400 {"code": 21211, "message": ..., "more_info": ..., "status": 400}  -> failed ("Twilio 21211: ...")
    401/403/404 (credentials, account), 429, 5xx, no connection          -> ChannelUnavailable

Delivery is reported later to the StatusCallback URL, signed with `X-Twilio-Signature`; our message id
rides along in that URL's query, which the signature covers. Twilio's error messages quote the phone
number, so only the error code and our own wording of it ever reach `detail`.

WhatsApp: a business-initiated message outside a 24-hour customer session has to be an approved template
(ContentSid); a free-form Body is refused by WhatsApp and comes back as a failed status callback (63016).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from paypage.config import utc_now
from paypage.engine.channels.http_client import http_client
from paypage.engine.channels.protocol import (
    ChannelName,
    ChannelUnavailable,
    DeliveryStatus,
    Message,
    SendResult,
    StatusUpdate,
)
from paypage.engine.channels.sms_segments import gsm7_segments
from paypage.engine.channels.twilio_signature import verify_twilio_signature

__all__ = ["TwilioChannel", "gsm7_segments"]

E164 = re.compile(r"\+[1-9][0-9]{1,14}")
MESSAGE_ID_PARAMETER = "message_id"

# Twilio's codes for "this number cannot get this message", in our words (Twilio's own text names the
# number). Other codes are reported as "Twilio error <code>".
ERROR_CODES: Mapping[int, str] = {
    21211: "invalid 'To' phone number",
    21214: "'To' phone number cannot be reached",
    21408: "sending to this region is not enabled",
    21610: "the recipient has unsubscribed (STOP)",
    21612: "no route to the 'To' number from this sender",
    21614: "'To' number is not a mobile number",
    21635: "'To' number is a landline",
    30003: "unreachable destination handset",
    30004: "message blocked",
    30005: "unknown destination handset",
    30006: "landline or unreachable carrier",
    30007: "message filtered by the carrier",
    30008: "unknown error",
    63003: "the recipient is not on WhatsApp",
    63016: "outside the WhatsApp session window (a template is needed)",
}

# Status callback values -> ours. `read` (WhatsApp) implies delivered; statuses before the hand-over to the
# carrier (queued, accepted, sending, scheduled) change nothing the engine acts on.
CALLBACK_STATUSES: Mapping[str, DeliveryStatus] = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "bounced",
    "failed": "failed",
    "canceled": "failed",
}


class TwilioChannel:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        channel: Literal["sms", "whatsapp"] = "sms",
        status_callback_url: str | None = None,
        api_base: str = "https://api.twilio.com",
        timeout: float = 10,
        http: httpx.Client | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        if channel not in ("sms", "whatsapp"):
            raise ValueError(f"channel must be sms or whatsapp, not {channel!r}")
        if (from_number is None) == (messaging_service_sid is None):
            raise ValueError("give either from_number (E.164) or messaging_service_sid, not both")
        if from_number is not None and not E164.fullmatch(from_number):
            raise ValueError("from_number must be an E.164 number such as +4915112345678")
        if not account_sid.startswith("AC") or not auth_token:
            raise ValueError("account_sid (AC...) and auth_token are required")
        self.name: ChannelName = channel
        self.account_sid = account_sid
        self._auth_token = auth_token
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.status_callback_url = status_callback_url
        self.messages_url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.timeout = timeout
        self._http = http
        self._clock = clock

    # ------------------------------------------------------------------------------------------- send

    def send(self, message: Message) -> SendResult:
        if not isinstance(message.to, str):
            raise TypeError("an SMS or WhatsApp message needs a phone number in Message.to")
        if not E164.fullmatch(message.to):
            return SendResult(status="failed", detail="the recipient is not an E.164 phone number")
        try:
            with http_client(self._http, self.timeout) as client:
                response = client.post(
                    self.messages_url, data=self._form(message, message.to), auth=(self.account_sid, self._auth_token)
                )
        except httpx.TransportError as exc:
            # A read timeout may come after Twilio accepted the message: the retry can then send it twice.
            # Twilio's Messages API has no idempotency key to prevent that.
            raise ChannelUnavailable(f"Twilio not reachable: {type(exc).__name__}") from None
        if response.status_code in (200, 201):
            return _accepted(response)
        return _refused(response)

    def _form(self, message: Message, to: str) -> dict[str, str]:
        prefix = "whatsapp:" if self.name == "whatsapp" else ""
        form = {"To": prefix + to, "Body": message.text}
        if self.messaging_service_sid is not None:
            form["MessagingServiceSid"] = self.messaging_service_sid
        elif self.from_number is not None:
            form["From"] = prefix + self.from_number
        if self.status_callback_url is not None:
            form["StatusCallback"] = with_query(self.status_callback_url, {MESSAGE_ID_PARAMETER: message.message_id})
        return form

    # --------------------------------------------------------------------------------------- callback

    def parse_callback(self, url: str, body: bytes, headers: Mapping[str, str]) -> Sequence[StatusUpdate]:
        """A verified status callback as a StatusUpdate; nothing for statuses before the carrier.

        `url` is the full URL Twilio called, as Twilio saw it (scheme, host, path and query): behind a
        proxy, rebuild it from the public URL, or the signature will not match.
        """
        params = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        signature = _header(headers, "X-Twilio-Signature")
        verify_twilio_signature(self._auth_token, url, params, signature)
        fields = dict(params)
        status = CALLBACK_STATUSES.get(fields.get("MessageStatus") or fields.get("SmsStatus") or "")
        sid = fields.get("MessageSid") or fields.get("SmsSid")
        if status is None or not sid:
            return []
        query = dict(parse_qsl(urlsplit(url).query))
        error_code = fields.get("ErrorCode")
        return [
            StatusUpdate(
                provider_reference=sid,
                message_id=query.get(MESSAGE_ID_PARAMETER),
                status=status,
                # Twilio's callbacks carry no time of the event; the moment we hear of it is close enough.
                occurred_at=self._clock(),
                detail=_describe_error(int(error_code)) if error_code and error_code.isdigit() else None,
            )
        ]


def with_query(url: str, extra: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *extra.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _accepted(response: httpx.Response) -> SendResult:
    payload = _json(response)
    segments = str(payload.get("num_segments") or "")
    # Through a Messaging Service num_segments is "0" until a sender is picked: unknown, not zero.
    return SendResult(
        status="sent",
        provider_reference=str(payload.get("sid") or "") or None,
        segments=int(segments) if segments.isdigit() and int(segments) > 0 else None,
    )


def _refused(response: httpx.Response) -> SendResult:
    status = response.status_code
    code = _json(response).get("code")
    twilio_code = f", Twilio {code}" if isinstance(code, int) else ""
    if status in (401, 403, 404):
        raise ChannelUnavailable(f"Twilio refused the account settings (HTTP {status}{twilio_code})")
    if status == 429 or status >= 500:
        raise ChannelUnavailable(f"Twilio unavailable (HTTP {status}{twilio_code})")
    return SendResult(
        status="failed",
        detail=_describe_error(code) if isinstance(code, int) else f"Twilio refused the message (HTTP {status})",
    )


def _describe_error(code: int) -> str:
    return f"Twilio {code}: {ERROR_CODES[code]}" if code in ERROR_CODES else f"Twilio error {code}"


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")
