"""SmtpChannel against a real SMTP server (aiosmtpd) in the test process, with and without TLS."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default

import pytest

from paypage.engine.channels.protocol import Attachment, Channel, ChannelUnavailable, Message
from paypage.engine.channels.smtp import SmtpChannel, build_email
from tests.conftest import free_port
from tests.engine.channels.smtp_server import (
    QUEUE_ID,
    Authenticator,
    Certificate,
    RecordingHandler,
    self_signed_certificate,
    smtp_server,
)

SENDER = "mahnung@shop.example"
RECIPIENT = "joerg.mueller@kunde.example"
PAY_LINK = "https://pay.inkasso.example/p/Zm9vYmFyYmF6"
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
PDF = b"%PDF-1.7\n% invoice copy\n"


def reminder(**changes: object) -> Message:
    fields: dict[str, object] = {
        "message_id": "msg_01JDQ7ZK4T9X2M5N8P0R3S6V",
        "channel": "email",
        "language": "de",
        "to": RECIPIENT,
        "subject": "Zahlungserinnerung: Rechnung R-2026-0042 über 123,45 €",
        "text": f"Sehr geehrter Herr Müller,\n\nbitte begleichen Sie den offenen Betrag: {PAY_LINK}\n\nGrüße",
        "html": f'<p>Sehr geehrter Herr Müller,</p><p><a href="{PAY_LINK}">Jetzt bezahlen</a> – Grüße</p>',
        "sender_name": "Müller & Söhne GmbH",
        "attachments": [Attachment("Rechnung-R-2026-0042.pdf", "application/pdf", PDF)],
        "headers": {"List-Unsubscribe": "<https://pay.inkasso.example/u/abc>"},
    }
    fields.update(changes)
    return Message(**fields)  # type: ignore[arg-type]


def channel(port: int, **options: object) -> SmtpChannel:
    settings: dict[str, object] = {"sender": SENDER, "security": "none", "timeout": 2, "clock": lambda: NOW}
    settings.update(options)
    return SmtpChannel("127.0.0.1", port, **settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler(
        rcpt_replies={
            "gone@kunde.example": "550 5.1.1 <gone@kunde.example>: Recipient address rejected: User unknown",
            "busy@kunde.example": "451 4.7.1 <busy@kunde.example>: Greylisted, try again later",
        }
    )


@pytest.fixture
def plain_server(handler: RecordingHandler) -> Iterator[int]:
    with smtp_server(handler) as port:
        yield port


def received(handler: RecordingHandler) -> EmailMessage:
    (envelope,) = handler.received
    assert isinstance(envelope.content, bytes)
    parsed = email.message_from_bytes(envelope.content, policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


# ------------------------------------------------------------------------------------ the message


def test_the_server_receives_a_multipart_mail_with_our_headers(plain_server: int, handler: RecordingHandler) -> None:
    result = channel(plain_server, sender_name="Fallback Name").send(reminder())

    assert result.status == "sent"
    assert result.provider_reference == QUEUE_ID
    (envelope,) = handler.received
    assert envelope.mail_from == SENDER
    assert envelope.rcpt_tos == [RECIPIENT]
    mail = received(handler)
    assert mail["From"].addresses[0].display_name == "Müller & Söhne GmbH"
    assert mail["From"].addresses[0].addr_spec == SENDER
    assert mail["To"] == RECIPIENT
    assert mail["Subject"] == "Zahlungserinnerung: Rechnung R-2026-0042 über 123,45 €"
    assert mail["Message-ID"] == "<msg_01JDQ7ZK4T9X2M5N8P0R3S6V@shop.example>"
    assert mail["Content-Language"] == "de"
    assert mail["Date"].datetime == NOW
    assert mail["List-Unsubscribe"] == "<https://pay.inkasso.example/u/abc>"
    assert mail.get_content_type() == "multipart/mixed"


def test_text_and_html_are_alternatives_with_umlauts_and_the_pay_link(
    plain_server: int, handler: RecordingHandler
) -> None:
    channel(plain_server).send(reminder())

    mail = received(handler)
    alternative, attachment = mail.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html = alternative.iter_parts()
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert "Sehr geehrter Herr Müller" in text.get_content()
    assert PAY_LINK in text.get_content()
    assert f'href="{PAY_LINK}"' in html.get_content()
    assert "– Grüße" in html.get_content()
    assert isinstance(attachment, EmailMessage)
    assert attachment.get_filename() == "Rechnung-R-2026-0042.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_the_message_is_seven_bit_clean_with_encoded_words(plain_server: int, handler: RecordingHandler) -> None:
    channel(plain_server).send(reminder())

    raw = handler.received[0].original_content
    assert isinstance(raw, bytes)
    assert raw.isascii()  # any relay takes it, 8BITMIME or not
    assert b"=?utf-8?" in raw  # RFC 2047 encoded words for the display name and subject


def test_a_message_without_html_or_attachments_is_plain_text(plain_server: int, handler: RecordingHandler) -> None:
    channel(plain_server).send(reminder(html=None, attachments=(), headers={}))

    mail = received(handler)
    assert mail.get_content_type() == "text/plain"
    assert PAY_LINK in mail.get_content()


def test_the_channel_cannot_overwrite_its_own_headers() -> None:
    with pytest.raises(ValueError, match="From"):
        build_email(reminder(headers={"From": "evil@x.example"}), sender=SENDER, sender_name=None, now=NOW)


def test_header_values_cannot_inject_headers() -> None:
    with pytest.raises(ValueError):
        build_email(reminder(headers={"X-Tag": "a\r\nBcc: evil@x.example"}), sender=SENDER, sender_name=None, now=NOW)


# -------------------------------------------------------------------------------------- outcomes


def test_a_refused_recipient_bounces_without_the_address_in_the_detail(plain_server: int) -> None:
    result = channel(plain_server).send(reminder(to="gone@kunde.example"))

    assert result.status == "bounced"
    assert result.detail is not None
    assert result.detail.startswith("SMTP 550 5.1.1")
    assert "User unknown" in result.detail
    assert "gone" not in result.detail and "@" not in result.detail


def test_a_temporary_refusal_is_retried_later(plain_server: int) -> None:
    with pytest.raises(ChannelUnavailable, match="451") as raised:
        channel(plain_server).send(reminder(to="busy@kunde.example"))
    assert "busy" not in str(raised.value)


def test_a_message_refused_after_data_has_failed(handler: RecordingHandler) -> None:
    handler.data_reply = "554 5.7.1 Message rejected as spam"
    with smtp_server(handler) as port:
        result = channel(port).send(reminder())

    assert result.status == "failed"
    assert result.detail == "SMTP 554 5.7.1 Message rejected as spam"


def test_a_server_that_is_down_is_unavailable() -> None:
    with pytest.raises(ChannelUnavailable, match="not reachable: ConnectionRefusedError"):
        channel(free_port()).send(reminder())


def test_a_server_that_never_greets_times_out_as_unavailable() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the connection completes in the backlog, but nobody ever says 220
        with pytest.raises(ChannelUnavailable, match="not reachable"):
            channel(silent.getsockname()[1], timeout=0.2).send(reminder())


def test_a_recipient_that_is_no_address_fails_without_a_connection(loopback_only: list[tuple[str, int]]) -> None:
    result = channel(free_port()).send(reminder(to="not an address"))

    assert result.status == "failed"
    assert loopback_only == []


# -------------------------------------------------------------------------------- TLS and AUTH


def test_starttls_then_auth(certificate: Certificate, handler: RecordingHandler) -> None:
    authenticator = Authenticator()
    options = {"require_starttls": True, "auth_require_tls": True, "authenticator": authenticator}
    with smtp_server(handler, tls_context=certificate.server_context(), **options) as port:
        smtp = channel(
            port,
            security="starttls",
            username="inkasso",
            password="s3cret-ä",
            ssl_context=certificate.client_context(),
        )
        result = smtp.send(reminder())

    assert result.status == "sent"
    assert authenticator.attempts == [("PLAIN", b"inkasso", True)]
    assert handler.tls_when_mail_from == [True]
    assert "Sehr geehrter Herr Müller" in received(handler).get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_refused_login_is_unavailable(certificate: Certificate, handler: RecordingHandler) -> None:
    options = {"auth_require_tls": True, "authenticator": Authenticator()}
    with smtp_server(handler, tls_context=certificate.server_context(), **options) as port:
        smtp = channel(
            port, security="starttls", username="inkasso", password="wrong", ssl_context=certificate.client_context()
        )
        with pytest.raises(ChannelUnavailable, match="refused the login") as raised:
            smtp.send(reminder())
    assert "wrong" not in str(raised.value)
    assert handler.received == []


def test_an_untrusted_certificate_is_unavailable(certificate: Certificate, handler: RecordingHandler) -> None:
    with smtp_server(handler, tls_context=certificate.server_context()) as port:
        with pytest.raises(ChannelUnavailable, match="SSLCertVerificationError"):
            channel(port, security="starttls").send(reminder())  # the system's CAs do not know our test CA
    assert handler.received == []


def test_no_login_in_plaintext_when_the_server_offers_no_starttls(handler: RecordingHandler) -> None:
    authenticator = Authenticator()
    with smtp_server(handler, auth_require_tls=False, authenticator=authenticator) as port:
        smtp = channel(port, security="starttls", username="inkasso", password="s3cret-ä")
        with pytest.raises(ChannelUnavailable, match="does not offer STARTTLS"):
            smtp.send(reminder())
    assert authenticator.attempts == []
    assert handler.received == []


def test_login_without_tls_only_when_said_explicitly(handler: RecordingHandler) -> None:
    authenticator = Authenticator()
    with smtp_server(handler, auth_require_tls=False, authenticator=authenticator) as port:
        result = channel(port, security="none", username="inkasso", password="s3cret-ä").send(reminder())
    assert result.status == "sent"
    assert authenticator.attempts == [("PLAIN", b"inkasso", False)]


def test_implicit_tls(certificate: Certificate, handler: RecordingHandler) -> None:
    with smtp_server(handler, ssl_context=certificate.server_context()) as port:
        result = channel(port, security="ssl", ssl_context=certificate.client_context()).send(reminder())
    assert result.status == "sent"  # with our CA only: the server spoke TLS from the first byte


# ------------------------------------------------------------------------------------ the contract


def test_smtp_channel_is_a_channel() -> None:
    smtp = SmtpChannel("127.0.0.1", 25, sender=SENDER)
    assert isinstance(smtp, Channel)
    assert smtp.name == "email"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"username": "u"}, "go together"),
        ({"security": "tls"}, "starttls, ssl or none"),
        ({"sender": "Shop <mahnung@shop.example>"}, "plain e-mail address"),
    ],
)
def test_configuration_mistakes_fail_at_start(options: dict[str, str], message: str) -> None:
    settings: dict[str, object] = {"sender": SENDER, **options}
    with pytest.raises(ValueError, match=message):
        SmtpChannel("127.0.0.1", 25, **settings)  # type: ignore[arg-type]
