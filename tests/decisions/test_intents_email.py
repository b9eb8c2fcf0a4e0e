"""Reading debtors' e-mail: MIME structure, charsets, and the quoted history cut off before classifying."""

from __future__ import annotations

from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from paypage.services import inbound_email, reply_address


def test_a_multipart_reply_gives_the_plain_text_without_the_quote() -> None:
    message = MIMEMultipart("alternative")
    message["From"] = "Erika Mustermann <erika@example.de>"
    message["To"] = "r-abc@inbound.example"
    message["Subject"] = "AW: Zahlungserinnerung INV-000123"
    message["Message-ID"] = "<reply-1@example.de>"
    plain = (
        "Kann ich in Raten zahlen?\n\nAm 24.11.2026 um 10:00 schrieb Test Shop GmbH <inkasso@shop.example>:\n"
        "> Sehr geehrte Frau Mustermann,\n> bitte zahlen Sie."
    )
    message.attach(MIMEText(plain, "plain", "utf-8"))
    message.attach(MIMEText("<p>Kann ich in Raten zahlen?</p><blockquote>alt</blockquote>", "html", "utf-8"))
    parsed = inbound_email.parse(message.as_bytes())
    assert parsed.sender == "erika@example.de"
    assert parsed.recipients == ("r-abc@inbound.example",)
    assert parsed.subject == "AW: Zahlungserinnerung INV-000123"
    assert parsed.message_id == "<reply-1@example.de>"
    assert parsed.text == "Kann ich in Raten zahlen?"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "Already paid on Monday.\n\nOn Tue, 24 Nov 2026 at 10:00, Shop <a@b.c> wrote:\n> Please pay",
            "Already paid on Monday.",
        ),
        (
            "J'ai déjà payé.\n\nLe mar. 24 nov. 2026 à 10:00, Shop <a@b.c> a écrit :\n> Merci de payer",
            "J'ai déjà payé.",
        ),
        ("Ik heb al betaald.\n\nOp di 24 nov. 2026 schreef Shop <a@b.c>:\n> Betaal", "Ik heb al betaald."),
        ("Już zapłaciłem.\n\nW dniu 24.11.2026 Shop <a@b.c> napisał:\n> Prosimy", "Już zapłaciłem."),
        ("Jeg har betalt.\n\nDen 24. nov. 2026 skrev Shop <a@b.c>:\n> Betal", "Jeg har betalt."),
        ("Maksoin jo.\n\nti 24.11.2026 klo 10.00 Shop <a@b.c> kirjoitti:\n> Maksakaa", "Maksoin jo."),
        ("Ho già pagato.\n\nIl giorno mar 24 nov 2026 Shop <a@b.c> ha scritto:\n> Paghi", "Ho già pagato."),
        ("Ya pagué.\n\nEl mar, 24 nov 2026, Shop <a@b.c> escribió:\n> Pague", "Ya pagué."),
        ("Bereits bezahlt.\n\n-----Ursprüngliche Nachricht-----\nVon: Shop\nBetreff: Mahnung", "Bereits bezahlt."),
        ("Paid.\n\nFrom: Shop <a@b.c>\nSent: Tuesday\nSubject: Reminder", "Paid."),
        ("Paid last week.\n-- \nJohn Smith\n+44 7700 900123", "Paid last week."),
        ("> quoted first\nnothing new", ""),
        ("From now on please write to my new address.", "From now on please write to my new address."),
    ],
)
def test_quoted_history_is_cut_in_every_language(text: str, kept: str) -> None:
    assert inbound_email.strip_quoted(text) == kept


def test_an_iso_8859_1_message_is_decoded() -> None:
    message = EmailMessage()
    message["From"] = "jurgen@example.de"
    message["Subject"] = "Frage"
    message.set_content("Wie kann ich bezahlen? Grüße, Jürgen", charset="iso-8859-1")
    assert inbound_email.parse(message.as_bytes()).text == "Wie kann ich bezahlen? Grüße, Jürgen"


def test_a_mislabelled_charset_is_read_leniently() -> None:
    raw = (
        b"From: a@example.de\r\nSubject: x\r\nContent-Type: text/plain; charset=x-unknown\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nSchon bezahlt, Gr\xc3\xbc\xc3\x9fe\r\n"
    )
    assert inbound_email.parse(raw).text == "Schon bezahlt, Grüße"


def test_an_html_only_message_is_turned_into_text() -> None:
    message = EmailMessage()
    message["From"] = "a@example.fr"
    message.set_content(
        "<html><head><style>p{}</style></head><body><p>Comment payer&nbsp;?</p>"
        "<blockquote>ancien</blockquote></body></html>",
        subtype="html",
    )
    assert inbound_email.parse(message.as_bytes()).text == "Comment payer\xa0?"


def test_a_message_without_a_sender_or_too_large_is_refused() -> None:
    with pytest.raises(inbound_email.UnreadableEmail, match="no sender"):
        inbound_email.parse(b"Subject: x\r\n\r\nhello\r\n")
    with pytest.raises(inbound_email.UnreadableEmail, match="larger than 2 MB"):
        inbound_email.parse(b"From: a@b.c\r\n\r\n" + b"x" * (inbound_email.MAX_MESSAGE_BYTES + 1))


def test_attachments_are_not_read_as_text() -> None:
    message = EmailMessage()
    message["From"] = "a@example.de"
    message.set_content("Beleg anbei.")
    message.add_attachment(b"%PDF-1.4 ...", maintype="application", subtype="pdf", filename="beleg.pdf")
    message.add_attachment("secret notes", subtype="plain", filename="notes.txt")
    assert inbound_email.parse(message.as_bytes()).text == "Beleg anbei."


def test_reply_addresses_are_checked_and_fit_in_a_local_part() -> None:
    secret = b"k" * 32
    claim_id = "clm_01jz8x0000000000000000abcd"
    local = reply_address.local_part(secret, "cred_a", claim_id)
    assert len(local) <= 64
    found = reply_address.claim_id_of(local)
    assert found is not None and found[0] == claim_id
    assert reply_address.verify(secret, "cred_a", claim_id, found[1])
    assert not reply_address.verify(secret, "cred_b", claim_id, found[1])
    assert not reply_address.verify(b"other" * 8, "cred_a", claim_id, found[1])
    assert reply_address.claim_id_of("info") is None
