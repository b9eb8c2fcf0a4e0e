"""Reading a debtor's e-mail: sender, recipients, subject and the new text, without the quoted history.

Mail clients quote the message they answer in many ways: `>` prefixes, a header line ("On Mon, ... wrote:",
"Am ... schrieb ...:", "Le ... a écrit :"), an Outlook block ("-----Original Message-----", "From: ...").
Everything from the first such marker on is history; the classifier sees only what the debtor wrote now.
Text is taken from the first text/plain part, else from text/html with the tags removed; a part whose
declared charset is wrong or unknown is decoded leniently rather than refused.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

MAX_MESSAGE_BYTES = 2 * 1024 * 1024

# "wrote" in the supported languages, as mail clients put it at the end of the quote header.
_WROTE = (
    r"wrote|schrieb|a écrit|schreef|ha scritto|escribió|napisał|napisała|skrev|kirjoitti|"
    r"a ecrit|escribio|napisal"
)
_QUOTE_HEADER = re.compile(rf"^(?=.*[@\d]).{{0,200}}\b({_WROTE})\b.{{0,120}}:\s*$", re.IGNORECASE)
"""A line naming the writer: it has a date or an address in it and ends with a colon."""
_ORIGINAL = re.compile(r"^\s*-{2,}\s*[\w\s.äöüéèåøæ]{0,40}-{2,}\s*$", re.IGNORECASE)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(from|von|de|van|da|od|från|fra|lähettäjä)\s?\*?:", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|div|br|tr|li|h\d)\s*>|<br\s*/?>", re.IGNORECASE)
_DROP = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


class UnreadableEmail(ValueError):
    """Not a message we can read: too large, or no sender."""


@dataclass(frozen=True)
class ParsedEmail:
    sender: str
    recipients: tuple[str, ...]
    subject: str
    message_id: str | None
    text: str
    """The new text only, quoted history removed."""


def parse(raw: bytes, envelope_recipients: tuple[str, ...] = ()) -> ParsedEmail:
    if len(raw) > MAX_MESSAGE_BYTES:
        raise UnreadableEmail("the message is larger than 2 MB")
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)  # noqa: S101 - policy.default builds EmailMessage
    sender = parseaddr(str(message.get("Reply-To") or message.get("From") or ""))[1].strip()
    if "@" not in sender:
        raise UnreadableEmail("the message has no sender address")
    header_recipients = [address for _, address in getaddresses([str(v) for v in message.get_all("To", [])])]
    recipients = tuple(dict.fromkeys(a.strip().lower() for a in (*envelope_recipients, *header_recipients) if a))
    message_id = str(message.get("Message-ID") or "").strip() or None
    return ParsedEmail(
        sender=sender,
        recipients=recipients,
        subject=str(message.get("Subject") or "").strip(),
        message_id=message_id[:255] if message_id else None,
        text=strip_quoted(_body_text(message)),
    )


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        # Mislabelled parts are common (Windows-1252 declared as ISO-8859-1, or nothing at all).
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", errors="replace")


def _body_text(message: EmailMessage) -> str:
    plain = html_part = None
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _decoded(part)
        elif kind == "text/html" and html_part is None:
            html_part = _decoded(part)
    if plain is not None and plain.strip():
        return plain
    return html_to_text(html_part or "")


def html_to_text(markup: str) -> str:
    markup = _DROP.sub("", markup)
    markup = re.sub(r"<blockquote\b.*?</blockquote\s*>", "\n", markup, flags=re.IGNORECASE | re.DOTALL)
    markup = _BLOCK_END.sub("\n", markup)
    return html.unescape(_TAG.sub("", markup))


def strip_quoted(text: str) -> str:
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if stripped.startswith(">") or _ORIGINAL.match(line) or _QUOTE_HEADER.match(stripped):
            break
        if _OUTLOOK_FROM.match(line) and any(part.strip() for part in kept):
            break
        if stripped == "--":
            break  # the signature delimiter "-- "
        kept.append(line.rstrip())
    return "\n".join(kept).strip()
