"""What every channel implements. The engine renders a `Message`, records it as `sending`, then calls
`send`; the answer (or a later status callback) moves it to `sent`, `delivered`, `bounced` or `failed`.

A channel must never raise for what the far side does (a refused address, a full mailbox): it reports it
in the `SendResult`. It raises `ChannelUnavailable` only when the provider cannot be reached at all, so
the engine retries the step later instead of moving on to the next channel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

ChannelName = Literal["email", "sms", "whatsapp", "letter", "outbox"]
DeliveryStatus = Literal["sent", "delivered", "bounced", "failed"]


class ChannelUnavailable(RuntimeError):
    """The provider could not be reached or answered 5xx: try the same step again later."""


class CallbackSignatureError(ValueError):
    """A delivery-status callback that is not authentic: answer 400, change nothing."""


@dataclass(frozen=True)
class PostalAddress:
    name: str
    line1: str
    postal_code: str
    city: str
    country: str
    """ISO 3166-1 alpha-2."""
    line2: str | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Message:
    message_id: str
    """Our id (`msg_...`): sent along (Message-ID header, provider metadata) so callbacks find it again."""
    channel: ChannelName
    language: str
    to: str | PostalAddress
    """An e-mail address, an E.164 phone number, or a postal address for letters."""
    subject: str | None
    text: str
    """Plain text: the whole SMS/WhatsApp message, the text part of an e-mail, the body of a letter."""
    html: str | None = None
    sender_name: str | None = None
    attachments: Sequence[Attachment] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra e-mail headers (List-Unsubscribe where the law asks for an opt-out)."""


@dataclass(frozen=True)
class SendResult:
    status: DeliveryStatus
    provider_reference: str | None = None
    """The provider's id for the message (Twilio's SID, the SMTP queue id, the print provider's job id)."""
    detail: str | None = None
    """Why it bounced or failed, without personal data."""
    segments: int | None = None
    """For SMS: how many segments the provider bills."""


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery-status callback from the provider, verified and parsed."""

    provider_reference: str
    message_id: str | None
    status: DeliveryStatus
    occurred_at: dt.datetime
    detail: str | None = None


@runtime_checkable
class Channel(Protocol):
    name: ChannelName

    def send(self, message: Message) -> SendResult: ...


@runtime_checkable
class CallbackChannel(Channel, Protocol):
    """A channel whose provider reports delivery later by a signed HTTP callback."""

    def parse_callback(self, url: str, body: bytes, headers: Mapping[str, str]) -> Sequence[StatusUpdate]: ...
