"""Debtors' e-mail as a real SMTP conversation: `smtplib` sends MIME to the inbound server in this process,
the answer leaves through the creditor's SMTP relay (a recording server) with a per-claim reply address,
and the debtor's reply to that address finds the claim again, whoever sends it."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask

from paypage.extensions import database
from paypage.inbound_smtp import controller
from paypage.store import models
from tests.conftest import build_app, free_port
from tests.engine.channels.smtp_server import RecordingHandler, smtp_server
from tests.functional.inbound_setup import (
    INBOUND_DOMAIN,
    WEDNESDAY_MORNING,
    Case,
    Clock,
    inbound_app_for,
    new_case,
    trained_model,
)


@dataclass
class Mail:
    app: Flask
    inbound_port: int
    relay: RecordingHandler
    relay_port: int


@pytest.fixture(scope="module")
def mail(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mail]:
    trained_model()
    relay = RecordingHandler()
    with (
        inbound_app_for(backend, request, tmp_path_factory.mktemp("smtp"), Clock(WEDNESDAY_MORNING)) as app,
        smtp_server(relay) as relay_port,
    ):
        port = free_port()
        server = controller(app, "127.0.0.1", port, INBOUND_DOMAIN)
        server.start()
        try:
            yield Mail(app, port, relay, relay_port)
        finally:
            server.stop()


def mail_case(mail: Mail) -> Case:
    case = new_case(mail.app)
    smtp = {"host": "127.0.0.1", "port": mail.relay_port, "security": "none", "sender": "inkasso@shop.example"}
    with mail.app.app_context(), database().transaction() as session:
        creditor = session.get(models.Creditor, case.creditor.id)
        assert creditor is not None
        creditor.settings = {"channels": {"email": {"smtp": smtp}}}
    return case


def send(mail: Mail, sender: str, to: str, message: EmailMessage) -> None:
    message["From"] = sender
    message["To"] = to
    with smtplib.SMTP("127.0.0.1", mail.inbound_port, timeout=30) as client:
        client.send_message(message)


def reply_text(
    body: str, subject: str = "AW: Zahlungserinnerung", message_id: str = "<1@debtor.example>"
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content(body)
    message.add_alternative(f"<p>{body.splitlines()[0]}</p>", subtype="html")
    return message


def test_a_question_by_mail_is_answered_with_a_reply_address_and_the_reply_finds_its_claim(mail: Mail) -> None:
    case = mail_case(mail)
    before = len(mail.relay.received)
    question = (
        "Hallo, wo finde ich den Link zum Bezahlen? Danke\n\n"
        "Am 24.11.2026 schrieb Test Shop <inkasso@shop.example>:\n> Sehr geehrte Frau Mustermann"
    )
    send(mail, case.email, f"{case.creditor.id}@{INBOUND_DOMAIN}", reply_text(question))
    [stored] = case.rows(models.InboundMessage)
    assert stored.body == "Hallo, wo finde ich den Link zum Bezahlen? Danke"
    assert (stored.channel, stored.matched_by, stored.outcome, stored.provider_reference) == (
        "email",
        "sender",
        "answered",
        "<1@debtor.example>",
    )
    [envelope] = mail.relay.received[before:]
    assert envelope.rcpt_tos == [case.email]
    answer = message_from_bytes(envelope.original_content or b"", policy=policy.default)
    reply_to = str(answer["Reply-To"])
    assert reply_to.startswith("r-") and reply_to.endswith("@" + INBOUND_DOMAIN)
    assert case.claim["external_reference"] in str(answer["Subject"])
    assert str(answer["In-Reply-To"]) == "<1@debtor.example>"

    # The debtor's bookkeeper answers from another address: the reply address still names the claim.
    send(
        mail,
        "buchhaltung@firma.example",
        reply_to,
        reply_text("Wir haben die Rechnung bereits bezahlt.", message_id="<2@x>"),
    )
    second = case.rows(models.InboundMessage)[-1]
    assert (second.matched_by, second.claim_id, second.intent) == ("token", case.claim["id"], "already_paid")
    assert second.outcome == "answered"
    assert [item.kind for item in case.rows(models.InboxItem)] == ["verify_payment"]


def test_addresses_that_are_not_ours_are_refused_at_rcpt(mail: Mail) -> None:
    case = mail_case(mail)
    forged = f"r-{case.claim['id'].removeprefix('clm_')}-{'a' * 16}@{INBOUND_DOMAIN}"
    for address in (
        f"info@{INBOUND_DOMAIN}",
        f"{case.creditor.id}@elsewhere.example",
        forged,
        f"cred_nobody@{INBOUND_DOMAIN}",
    ):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(mail, case.email, address, reply_text("Wie kann ich bezahlen?"))
        assert refused.value.recipients[address][0] == 550
    assert case.rows(models.InboundMessage) == []


def test_a_latin_1_mail_without_html_is_read(mail: Mail) -> None:
    case = mail_case(mail)
    message = EmailMessage()
    message["Subject"] = "Adresse"
    message.set_content(
        "Ich bin umgezogen, meine neue Adresse lautet Lindenstraße 12, 50674 Köln.", charset="iso-8859-1"
    )
    send(mail, case.email, f"{case.creditor.id}@{INBOUND_DOMAIN}", message)
    [stored] = case.rows(models.InboundMessage)
    assert stored.body == "Ich bin umgezogen, meine neue Adresse lautet Lindenstraße 12, 50674 Köln."
    assert stored.intent == "address_change"
    assert [item.kind for item in case.rows(models.InboxItem)] == ["apply_address_change"]


def test_the_command_names_the_setting_it_needs(mail: Mail, tmp_path: Path) -> None:
    config = mail.app.extensions["inkasso.settings"]
    bare = build_app(config.database_url, tmp_path)  # no INKASSO_INBOUND_EMAIL_DOMAIN
    try:
        result = bare.test_cli_runner().invoke(args=["inbound-smtp", "--port", "0"])
    finally:
        bare.extensions["inkasso.db"].dispose()
    assert result.exit_code != 0
    assert "set INKASSO_INBOUND_EMAIL_DOMAIN" in result.output
