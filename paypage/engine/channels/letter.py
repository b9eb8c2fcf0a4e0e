"""Letters: the channel renders the PDF, a print provider prints and posts it.

    LetterChannel(print_provider, sender)  --PDF-->  PrintProvider.submit(pdf, recipient, reference) -> job id

A provider raises `ChannelUnavailable` when it cannot take the letter now (the engine retries the step)
and `PrintRejected` when it refuses this letter for good (the letter is `failed`, the engine moves on).
The bank-transfer QR code travels as an attachment of type image/svg+xml or image/png.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

from paypage.config import utc_now
from paypage.engine.channels.letter_layout import WindowLayout, window_layout_for
from paypage.engine.channels.letter_pdf import LetterContent, render_letter
from paypage.engine.channels.protocol import ChannelName, Message, PostalAddress, SendResult

QR_CODE_TYPES = frozenset({"image/svg+xml", "image/png"})


class PrintRejected(Exception):
    """The print provider refused this letter for good; `detail` says why, without personal data."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@runtime_checkable
class PrintProvider(Protocol):
    def submit(self, pdf: bytes, recipient: PostalAddress, reference: str) -> str:
        """Hand over one letter; returns the provider's job id. `reference` is our message id."""
        ...


class LetterChannel:
    name: ChannelName = "letter"

    def __init__(
        self,
        print_provider: PrintProvider,
        sender: PostalAddress,
        *,
        return_line: bool = True,
        layout_for: Callable[[str], WindowLayout] = window_layout_for,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.print_provider = print_provider
        self.sender = sender
        # The sender's line above the window address (DIN 5008). Off for print shops that print their own
        # franking and return address there (Pingen keeps 40-60 mm from the top for it).
        self.return_line = return_line
        self._layout_for = layout_for
        self._clock = clock

    def send(self, message: Message) -> SendResult:
        recipient = _recipient(message)
        if not (recipient.name.strip() and recipient.line1.strip() and recipient.city.strip()):
            return SendResult(status="failed", detail="the postal address is incomplete")
        unsupported = [a.content_type for a in message.attachments if a.content_type not in QR_CODE_TYPES]
        if unsupported:
            return SendResult(status="failed", detail=f"a letter cannot carry a {unsupported[0]} attachment")
        pdf = self.render(message)
        try:
            job_id = self.print_provider.submit(pdf, recipient, message.message_id)
        except PrintRejected as rejected:
            return SendResult(status="failed", detail=rejected.detail)
        return SendResult(status="sent", provider_reference=job_id)

    def render(self, message: Message) -> bytes:
        """The letter's PDF, as it would be printed (for previews in the portal, too)."""
        recipient = _recipient(message)
        qr_code = next((a.content for a in message.attachments if a.content_type in QR_CODE_TYPES), None)
        content = LetterContent(
            sender=self.sender,
            recipient=recipient,
            date=self._clock().date(),
            language=message.language,
            subject=message.subject,
            body=message.text,
            qr_code=qr_code,
            return_line=self.return_line,
        )
        return render_letter(content, self._layout_for(recipient.country))


def _recipient(message: Message) -> PostalAddress:
    if not isinstance(message.to, PostalAddress):
        raise TypeError("a letter needs a PostalAddress in Message.to")
    return message.to


def letter_channel_from_settings(options: Mapping[str, Any], sender_address: Mapping[str, Any] | None) -> LetterChannel:
    """The letter channel a creditor configured (see channel_registry for the settings' shape).

    {"directory": "/var/lib/inkasso/letters"}
    {"pingen": {"client_id": ..., "client_secret": ..., "organisation_id": ..., "delivery_product": "cheap"}}
    {"http": {"url": "https://print.example/letters", "token": ...}}
    """
    from paypage.engine.channels.pingen import PingenProvider
    from paypage.engine.channels.print_providers import DirectoryPrintProvider, HttpPrintProvider

    if not sender_address:
        raise ValueError("letters need the creditor's sender_address")
    sender = PostalAddress(**sender_address)
    if "pingen" in options:
        return LetterChannel(PingenProvider(**options["pingen"]), sender, return_line=False)
    if "http" in options:
        return LetterChannel(HttpPrintProvider(**options["http"]), sender)
    if "directory" in options:
        return LetterChannel(DirectoryPrintProvider(options["directory"]), sender)
    raise ValueError("letter settings name no print provider (directory, pingen or http)")
