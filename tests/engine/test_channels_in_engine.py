"""The engine sending through real protocol peers: an SMTP server and a Twilio-format SMS API on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from pypdf import PdfReader

from paypage.engine.worker import Worker
from paypage.store import models
from tests.conftest import Served, site
from tests.engine.channels.smtp_server import RecordingHandler, smtp_server
from tests.engine.channels.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, form_body, sign, status_callback
from tests.engine.test_collection import START, Clock, messages_of
from tests.factories import claim_body, debtor, new_creditor


@pytest.fixture
def smtp() -> Iterator[tuple[RecordingHandler, int]]:
    handler = RecordingHandler(rcpt_replies={"bounce@example.de": "550 5.1.1 mailbox unavailable"})
    with smtp_server(handler) as port:
        yield handler, port


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    yield fake
    fake.server.close()


@pytest.fixture
def engine_site(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, Served, Clock]]:
    url = request.getfixturevalue(f"{backend}_url")
    clock = Clock(START)
    with site(url, tmp_path_factory.mktemp("channels"), clock=clock) as (application, served):
        yield application, served, clock


def configure(app: Flask, served: Served, smtp_port: int, twilio: FakeTwilio, letters: Path | None = None) -> str:
    creditor = new_creditor(app, "Nordlicht Versand GmbH")
    with app.extensions["inkasso.db"].transaction() as session:
        record = session.get(models.Creditor, creditor.id)
        assert record is not None
        record.settings = {
            "channels": {
                "email": {
                    "smtp": {
                        "host": "127.0.0.1",
                        "port": smtp_port,
                        "security": "none",
                        "sender": "forderungen@nordlicht.example",
                        "sender_name": "Nordlicht Versand",
                    }
                },
                **(
                    {
                        "letter": {"directory": str(letters)},
                        "sender_address": {
                            "name": "Nordlicht Versand GmbH",
                            "line1": "Hafenstraße 3",
                            "postal_code": "20457",
                            "city": "Hamburg",
                            "country": "DE",
                        },
                    }
                    if letters
                    else {}
                ),
                "sms": {
                    "twilio": {
                        "account_sid": ACCOUNT_SID,
                        "auth_token": AUTH_TOKEN,
                        "from_number": "+4915799912345",
                        "api_base": twilio.url,
                        "status_callback_url": f"{served.url}/hooks/channels/sms/{creditor.id}",
                    }
                },
            },
            "bank_accounts": {"EUR": {"holder": "Nordlicht Versand GmbH", "iban": "DE89370400440532013000"}},
        }
    return creditor.test_key


def hand_over(app: Flask, key: str, clock: Clock, **overrides: Any) -> dict[str, Any]:
    clock.now = START
    response = app.test_client().post(
        "/v1/claims", json=claim_body(**overrides), headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_email_then_sms_over_real_protocols(
    engine_site: tuple[Flask, Served, Clock], smtp: tuple[RecordingHandler, int], twilio: FakeTwilio
) -> None:
    app, served, clock = engine_site
    handler, port = smtp
    key = configure(app, served, port, twilio)
    claim = hand_over(app, key, clock, amount=123_456)
    worker = Worker(app.extensions["inkasso.db"], clock, app=app)
    try:
        assert worker.collect() == 1
        assert len(handler.received) == 1
        envelope = handler.received[0]
        assert envelope.rcpt_tos == ["erika@example.de"]
        mail = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        assert mail.get_content_type() == "multipart/alternative"
        assert mail["Content-Language"] == "de"
        assert "Zahlungserinnerung" in str(mail["Subject"])
        assert "Nordlicht Versand" in str(mail["From"])
        text = mail.get_body(("plain",))
        html = mail.get_body(("html",))
        assert text is not None and html is not None
        for part in (text.get_content(), html.get_content()):
            assert "1.234,56\xa0€" in part
            assert claim["pay_url"] in part
        clock.now = START + dt.timedelta(days=4, hours=1)
        assert worker.collect() == 1
        [form] = twilio.forms
        assert form["To"] == "+4915112345678" and form["From"] == "+4915799912345"
        assert claim["pay_url"] in form["Body"]
        callback_url = form["StatusCallback"]
        assert callback_url.startswith(f"{served.url}/hooks/channels/sms/")
    finally:
        worker.close()
    sms = messages_of(app, claim["id"])[-1]
    assert (sms.channel, sms.status) == ("sms", "sent")
    report = status_callback(sms.provider_reference or "", "delivered")
    forged = httpx.post(
        callback_url,
        content=form_body(report),
        headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert forged.status_code == 400
    signed = httpx.post(
        callback_url,
        content=form_body(report),
        headers={"X-Twilio-Signature": sign(callback_url, report), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert signed.status_code == 200, signed.text
    assert messages_of(app, claim["id"])[-1].status == "delivered"


def test_a_bounced_email_moves_to_the_next_channel(
    engine_site: tuple[Flask, Served, Clock], smtp: tuple[RecordingHandler, int], twilio: FakeTwilio, tmp_path: Path
) -> None:
    app, served, clock = engine_site
    handler, port = smtp
    key = configure(app, served, port, twilio, letters=tmp_path)
    claim = hand_over(app, key, clock, debtor=debtor(email="bounce@example.de"))
    worker = Worker(app.extensions["inkasso.db"], clock, app=app)
    try:
        worker.collect()
        worker.collect()
    finally:
        worker.close()
    found = [(m.step_key, m.channel, m.status) for m in messages_of(app, claim["id"])]
    assert found == [("reminder", "email", "bounced"), ("reminder", "letter", "sent")]
    assert handler.received == []
    [letter] = list(tmp_path.glob("*.pdf"))
    reader = PdfReader(letter)
    text = reader.pages[0].extract_text()
    assert "Erika Mustermann" in text and "DE89 3704 0044 0532 0130 00" in text
    drawing = b"".join(page.get_contents().get_data() for page in reader.pages)  # type: ignore[union-attr]
    # fpdf2 draws the SVG code as vector paths into the page: thousands of path operators.
    assert drawing.count(b" l ") > 200, "the bank-transfer QR code is on the letter"
