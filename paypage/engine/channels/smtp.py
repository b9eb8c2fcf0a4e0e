"""E-mail over SMTP with the standard library: STARTTLS (or implicit TLS), AUTH, one multipart message.

What the far side answers is mapped onto the protocol's outcomes:

    250 after DATA                      -> sent (provider_reference: the relay's queue id, when it says one)
    5xx to RCPT TO                      -> bounced, detail "SMTP 550 5.1.1 ..." with addresses scrubbed
    5xx to MAIL FROM or DATA            -> failed (the message, not the mailbox, was refused)
    4xx anywhere, AUTH refused,
    no STARTTLS, refused or timed-out
    connection, TLS failure             -> ChannelUnavailable: the engine tries the same step again later

Credentials never travel in plaintext unless the operator says `security="none"` (a relay on localhost):
with `starttls` a server that does not offer STARTTLS is unavailable, not a reason to log in anyway.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import smtplib
import ssl
from collections.abc import Callable
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime
from typing import Literal

from paypage.config import utc_now
from paypage.engine.channels.protocol import ChannelName, ChannelUnavailable, DeliveryStatus, Message, SendResult

Security = Literal["starttls", "ssl", "none"]

# Headers the channel sets itself; `Message.headers` may add others (List-Unsubscribe, Reply-To) but not
# replace these, so a template cannot forge the sender or break the MIME structure.
RESERVED_HEADERS = frozenset(
    {
        "from",
        "sender",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "content-language",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "return-path",
    }
)
DETAIL_LIMIT = 200
EMAIL_LIKE = re.compile(r"[^\s<>\"'@]+@[^\s<>\"';,]+")
QUEUE_ID = re.compile(r"queued as ([A-Za-z0-9._-]+)", re.IGNORECASE)


class SmtpChannel:
    name: ChannelName = "email"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        security: Security = "starttls",
        sender_name: str | None = None,
        timeout: float = 30,
        ssl_context: ssl.SSLContext | None = None,
        helo_name: str | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        if security not in ("starttls", "ssl", "none"):
            raise ValueError(f"security must be starttls, ssl or none, not {security!r}")
        if (username is None) != (password is None):
            raise ValueError("SMTP username and password go together")
        if "@" not in sender or any(char in sender for char in "\r\n<> "):
            raise ValueError("sender must be a plain e-mail address (the display name goes in sender_name)")
        self.host, self.port, self.security, self.timeout = host, port, security, timeout
        self.sender, self.sender_name = sender, sender_name
        self._credentials = (username, password) if username is not None and password is not None else None
        # Verified certificates and host names by default; a test or a private CA passes its own context.
        self._ssl_context = ssl_context or ssl.create_default_context()
        # EHLO with the sender's domain instead of socket.getfqdn(): no reverse DNS lookup on every send,
        # and the machine's internal host name does not leak into every message's Received header.
        self._helo_name = helo_name or _domain(sender)
        self._clock = clock

    def send(self, message: Message) -> SendResult:
        if not isinstance(message.to, str):
            raise TypeError("an e-mail message needs an e-mail address in Message.to")
        recipient = message.to.strip()
        if not _looks_like_address(recipient):
            return SendResult(status="failed", detail="the recipient is not an e-mail address")
        email = build_email(message, sender=self.sender, sender_name=self.sender_name, now=self._clock())
        try:
            with self._connect() as smtp:
                self._secure_and_login(smtp)
                return self._transmit(smtp, email, recipient)
        except smtplib.SMTPAuthenticationError as exc:
            raise ChannelUnavailable(f"SMTP server {self._where} refused the login (SMTP {exc.smtp_code})") from None
        except smtplib.SMTPResponseException as exc:
            raise ChannelUnavailable(f"SMTP server {self._where} answered {exc.smtp_code}") from None
        except smtplib.SMTPNotSupportedError:
            raise ChannelUnavailable(f"SMTP server {self._where} does not support AUTH") from None
        except (smtplib.SMTPException, OSError) as exc:
            # OSError covers refused connections, timeouts and ssl.SSLError (certificate, handshake).
            raise ChannelUnavailable(f"SMTP server {self._where} not reachable: {_describe(exc)}") from None

    @property
    def _where(self) -> str:
        return f"{self.host}:{self.port}"

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host, self.port, local_hostname=self._helo_name, timeout=self.timeout, context=self._ssl_context
            )
        return smtplib.SMTP(self.host, self.port, local_hostname=self._helo_name, timeout=self.timeout)

    def _secure_and_login(self, smtp: smtplib.SMTP) -> None:
        smtp.ehlo()
        if self.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise ChannelUnavailable(f"SMTP server {self._where} does not offer STARTTLS")
            smtp.starttls(context=self._ssl_context)
            smtp.ehlo()  # the capabilities before TLS are not to be trusted (RFC 3207)
        if self._credentials is not None:
            _login(smtp, *self._credentials)

    def _transmit(self, smtp: smtplib.SMTP, email: EmailMessage, recipient: str) -> SendResult:
        # MAIL, RCPT and DATA one by one (not sendmail()) to tell a refused mailbox from a refused message
        # and to read the relay's queue id from the final reply.
        international = not (recipient.isascii() and self.sender.isascii())
        if international and not smtp.has_extn("smtputf8"):
            return SendResult(status="failed", detail="the mail server cannot deliver to this address (no SMTPUTF8)")
        options = ["SMTPUTF8", "BODY=8BITMIME"] if international else []
        payload = email.as_bytes(policy=SMTPUTF8 if international else SMTP)

        code, reply = smtp.mail(self.sender, options)
        if code != 250:
            return _refused(smtp, "sender", code, reply, recipient)
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            return _refused(smtp, "recipient", code, reply, recipient)
        code, reply = smtp.data(payload)
        if code != 250:
            return _refused(smtp, "message", code, reply, recipient)
        queued = QUEUE_ID.search(reply.decode("utf-8", "replace"))
        return SendResult(status="sent", provider_reference=queued.group(1) if queued else None)


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    if username.isascii() and password.isascii():
        smtp.login(username, password)  # smtplib picks the best mechanism the server offers
        return
    # smtplib sends AUTH responses as ASCII only; SASL PLAIN is UTF-8 (RFC 4616), so that one by hand.
    if "plain" not in smtp.esmtp_features.get("auth", "").lower().split():
        raise ChannelUnavailable("credentials with non-ASCII characters need AUTH PLAIN, which the server lacks")
    token = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def build_email(message: Message, *, sender: str, sender_name: str | None, now: dt.datetime) -> EmailMessage:
    """The MIME message: text and HTML as alternatives, attachments beside them, UTF-8 throughout.

    Header values that are not ASCII (a creditor "Müller & Söhne", a subject with umlauts) become RFC 2047
    encoded words; the bodies are quoted-printable, so the message is 7-bit clean for any relay.
    """
    email = EmailMessage(policy=SMTP)
    email["From"] = Address(display_name=message.sender_name or sender_name or "", addr_spec=sender)
    email["To"] = str(message.to)
    email["Subject"] = message.subject or ""
    email["Date"] = format_datetime(now.astimezone(dt.UTC))
    email["Message-ID"] = message_id_header(message.message_id, sender)
    for name, value in message.headers.items():
        if name.lower() in RESERVED_HEADERS:
            raise ValueError(f"the channel sets the {name} header itself")
        email[name] = value  # the email package refuses CR/LF in values (no header injection)
    email.set_content(message.text, charset="utf-8", cte="quoted-printable")
    if message.html is not None:
        email.add_alternative(message.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype or "octet-stream", filename=attachment.filename
        )
    email["Content-Language"] = message.language  # after the body: set_content() clears Content-* headers
    return email


def message_id_header(message_id: str, sender: str) -> str:
    """`<msg_...@sender-domain>`: our id comes back in bounces and replies (References, In-Reply-To)."""
    local = re.sub(r"[^A-Za-z0-9_.\-]", "-", message_id)
    return f"<{local}@{_domain(sender)}>"


def _domain(address: str) -> str:
    domain = address.rpartition("@")[2].strip().rstrip(">")
    return domain.encode("idna").decode("ascii") if not domain.isascii() else domain


def _looks_like_address(value: str) -> bool:
    local, at, domain = value.rpartition("@")
    return bool(at and local and "." in domain) and not any(char in value for char in "\r\n<>, ")


def _refused(smtp: smtplib.SMTP, stage: str, code: int, reply: bytes, recipient: str) -> SendResult:
    smtp.rset()  # leave the session clean before QUIT
    if 400 <= code < 500:
        raise ChannelUnavailable(f"SMTP server refused the {stage} for now (SMTP {code})")
    status: DeliveryStatus = "bounced" if stage == "recipient" else "failed"
    return SendResult(status=status, detail=_detail(code, reply, recipient))


def _detail(code: int, reply: bytes, recipient: str) -> str:
    """The server's own words minus any address: servers like to quote the mailbox they refuse."""
    text = reply.decode("utf-8", "replace")
    text = re.sub(re.escape(recipient), "<recipient>", text, flags=re.IGNORECASE)
    text = EMAIL_LIKE.sub("<address>", text)
    text = " ".join(text.split())
    return f"SMTP {code} {text}"[:DETAIL_LIMIT]


def _describe(exc: BaseException) -> str:
    # The exception's class and errno say enough for an operator; its text could quote a server reply.
    errno = getattr(exc, "errno", None)
    return f"{type(exc).__name__}" + (f" (errno {errno})" if isinstance(errno, int) else "")
