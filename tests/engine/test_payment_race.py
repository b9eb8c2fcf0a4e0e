"""A payment booked while a dunning message is on its way: no "you have not paid" after the booking."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask

from paypage.domain.money import Money
from paypage.engine import dunning
from paypage.engine.channels.outbox import OutboxChannel
from paypage.engine.channels.protocol import Channel, Message, SendResult
from paypage.services import bank_transfers, claims
from paypage.services.tenancy import Tenant
from paypage.store import models
from tests.conftest import fresh_app
from tests.factories import claim_body, new_creditor
from tests.functional.conftest import Api

WORKING_HOURS = dt.datetime.now(dt.UTC).replace(hour=10, minute=0) + dt.timedelta(
    days=7 - dt.datetime.now(dt.UTC).weekday()
)
"""Next Monday, 10:00 UTC: inside the German contact hours, after the claim's hand-over."""


@pytest.fixture(scope="module")
def app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with fresh_app(backend, tmp_path_factory.mktemp("race")) as application:
        yield application


def book_transfer(app: Flask, tenant: Tenant, claim: dict[str, object], reference: str) -> None:
    with app.extensions["inkasso.db"].transaction() as session:
        result = bank_transfers.book(
            session, tenant, Money(12_345, "EUR"), reference, str(claim["transfer_reference"]), dt.datetime.now(dt.UTC)
        )
        assert result.status == "booked"


def prepared_claim(app: Flask) -> tuple[Tenant, dict[str, object], dunning.Due, dunning.Prepared, dict[str, Channel]]:
    creditor = new_creditor(app)
    claim = dict(Api(app.test_client(), creditor).post("/v1/claims", claim_body()).json)
    tenant = Tenant(creditor.id, False)
    database = app.extensions["inkasso.db"]
    due = dunning.Due(creditor.id, str(claim["id"]), False)
    channels: dict[str, Channel] = {"email": OutboxChannel("email")}
    with app.app_context(), database.transaction() as session:
        found = dunning.prepare(session, due, WORKING_HOURS, app.extensions["inkasso.links"], channels)
    assert found is not None, "a new claim's first reminder is due at once"
    return tenant, claim, due, found, channels


def message_status(app: Flask, due: dunning.Due, prepared: dunning.Prepared) -> str:
    with app.extensions["inkasso.db"].transaction() as session:
        record = session.get(models.ContactMessage, (due.creditor_id, prepared.message_id))
        assert record is not None
        return record.status


def test_payment_between_rendering_and_sending_cancels_the_message(app: Flask) -> None:
    tenant, claim, due, prepared, _ = prepared_claim(app)
    book_transfer(app, tenant, claim, "BANK-RACE-1")
    calls: list[Message] = []
    channels: dict[str, Channel] = {"email": OutboxChannel("email", sink=calls.append)}
    with app.extensions["inkasso.db"].transaction() as session:
        status = dunning.send(session, due, prepared, WORKING_HOURS, channels)
    assert status == "cancelled"
    assert calls == [], "the channel must not be called for a paid claim"
    assert message_status(app, due, prepared) == "cancelled"


class SlowChannel:
    """Takes its time; a payment is booked from another thread while it 'sends'."""

    name = "email"

    def __init__(self, on_send: threading.Event, release_after: float) -> None:
        self.on_send = on_send
        self.release_after = release_after
        self.returned_at = 0.0

    def send(self, message: Message) -> SendResult:
        self.on_send.set()
        time.sleep(self.release_after)
        self.returned_at = time.monotonic()
        return SendResult(status="sent", provider_reference="slow")


def test_a_payment_during_sending_waits_for_the_send_to_be_recorded(app: Flask) -> None:
    tenant, claim, due, prepared, _ = prepared_claim(app)
    started = threading.Event()
    channel = SlowChannel(started, release_after=0.4)
    booked_at: list[float] = []

    def pay() -> None:
        started.wait(5)
        book_transfer(app, tenant, claim, "BANK-RACE-2")
        booked_at.append(time.monotonic())

    payer = threading.Thread(target=pay)
    payer.start()
    with app.extensions["inkasso.db"].transaction() as session:
        status = dunning.send(session, due, prepared, WORKING_HOURS, {"email": channel})
    payer.join(10)
    assert status == "sent"
    assert booked_at and booked_at[0] > channel.returned_at, "the booking committed only after the send"
    with app.extensions["inkasso.db"].transaction() as session:
        claim_now, _ = claims.get(session, tenant, due.claim_id)
        assert claim_now.state == "paid"
