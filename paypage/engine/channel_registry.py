"""Which channels a creditor sends through, from `settings["channels"]`:

    {"email": {"smtp": {"host": ..., "port": 587, "username": ..., "password": ..., "security": "starttls",
                        "sender": "inkasso@shop.example", "sender_name": "Shop GmbH"}},
     "sms": {"twilio": {"account_sid": ..., "auth_token": ..., "from_number": "+4915...",
                        "status_callback_url": optional, "api_base": optional}},
     "whatsapp": {"twilio": {... same ...}},
     "letter": {"directory": "/var/lib/inkasso/letters"} | {"http": {"url": ..., "token": ...}}
               | {"pingen": {"client_id": ..., "client_secret": ..., "organisation_id": ...}},
     "sender_address": {"name": ..., "line1": ..., "postal_code": ..., "city": ..., "country": ...}}

A channel without settings is the outbox: the message is kept (in the messages table, shown in the
portal) and counts as sent, which is what the demo and test mode want. Live mode never falls back to the
outbox: a creditor without a configured channel simply has none.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Literal, cast

from paypage.engine.channels.outbox import Sink
from paypage.engine.channels.protocol import Channel, ChannelName, Message
from paypage.store import models

CHANNELS = ("email", "sms", "whatsapp", "letter")


def _configured(name: str, options: dict[str, Any], creditor: models.Creditor) -> Channel | None:
    if name == "email" and "smtp" in options:
        from paypage.engine.channels.smtp import SmtpChannel

        return SmtpChannel(**options["smtp"])
    if name in ("sms", "whatsapp") and "twilio" in options:
        from paypage.engine.channels.twilio import TwilioChannel

        return TwilioChannel(**options["twilio"], channel=cast(Literal["sms", "whatsapp"], name))
    if name == "letter" and ("directory" in options or "http" in options or "pingen" in options):
        from paypage.engine.channels.letter import letter_channel_from_settings

        return letter_channel_from_settings(options, creditor.settings.get("channels", {}).get("sender_address"))
    return None


def file_sink(path: str) -> Sink:
    """Append each kept message to a JSON-lines file (the demo's "sent mail" folder, and a count for tests)."""
    lock = threading.Lock()

    def keep(message: Message) -> None:
        line = json.dumps({"message_id": message.message_id, "channel": message.channel, "language": message.language})
        with lock, open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")

    return keep


def channels_for(creditor: models.Creditor, livemode: bool, outbox_file: str = "") -> dict[str, Channel]:
    from paypage.engine.channels.outbox import OutboxChannel

    sink = file_sink(outbox_file) if outbox_file else None
    settings = creditor.settings.get("channels", {})
    found: dict[str, Channel] = {}
    for name in CHANNELS:
        options = settings.get(name, {}) if isinstance(settings, dict) else {}
        channel = _configured(name, options, creditor) if isinstance(options, dict) else None
        if channel is None and not livemode:
            channel = OutboxChannel(cast(ChannelName, name), sink) if sink else OutboxChannel(cast(ChannelName, name))
        if channel is not None:
            found[name] = channel
    return found
