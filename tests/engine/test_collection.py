"""The collection engine on a simulated clock: whole strategies over 90 days, in DE, NL and CH."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from flask import Flask
from sqlalchemy import select

from paypage.engine.worker import Worker
from paypage.store import models
from tests.conftest import fresh_app
from tests.factories import CreditorKeys, claim_body, debtor, new_creditor
from tests.functional.conftest import Api


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # Monday, 10:00 in Berlin


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(START)


@pytest.fixture(scope="module")
def app(backend: str, clock: Clock, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with fresh_app(backend, tmp_path_factory.mktemp("collection"), clock=clock) as application:
        yield application


@pytest.fixture
def creditor(app: Flask) -> CreditorKeys:
    return new_creditor(app)


@pytest.fixture
def api(app: Flask, creditor: CreditorKeys) -> Api:
    return Api(app.test_client(), creditor)


@pytest.fixture
def worker(app: Flask, clock: Clock) -> Iterator[Worker]:
    runner = Worker(app.extensions["inkasso.db"], clock, app=app)
    yield runner
    runner.close()


def run_until(app: Flask, worker: Worker, clock: Clock, claim_id: str, end: dt.datetime) -> None:
    """Jump the clock from one due moment of the claim to the next, running the engine at each."""
    database = app.extensions["inkasso.db"]
    for _ in range(500):
        while worker.collect():
            pass
        with database.transaction() as session:
            claim = session.scalars(select(models.Claim).where(models.Claim.id == claim_id)).one()
            upcoming = claim.next_action_at
        if upcoming is None or upcoming > end:
            clock.now = end
            return
        clock.now = max(clock.now, upcoming)
    raise AssertionError("the engine did not settle")


def messages_of(app: Flask, claim_id: str) -> list[models.ContactMessage]:
    with app.extensions["inkasso.db"].transaction() as session:
        return list(
            session.scalars(
                select(models.ContactMessage)
                .where(models.ContactMessage.claim_id == claim_id)
                .order_by(models.ContactMessage.id)
            )
        )


def local(moment: dt.datetime | None, zone: str) -> dt.datetime:
    assert moment is not None
    return moment.astimezone(ZoneInfo(zone))


def sent_days(found: list[models.ContactMessage], zone: str) -> list[tuple[str, str, dt.date]]:
    return [(m.step_key, m.channel, local(m.sent_at, zone).date()) for m in found]


def assert_contact_rules(found: list[models.ContactMessage], zone: str, country: str) -> None:
    public = holidays.country_holidays(country, years=[2026])
    for message in found:
        moment = local(message.sent_at, zone)
        assert dt.time(8) <= moment.time() < dt.time(20), (message.step_key, moment)
        assert moment.weekday() != 6, (message.step_key, moment)
        assert moment.date() not in public, (message.step_key, moment)


def hand_over(api: Api, clock: Clock, **overrides: Any) -> dict[str, Any]:
    clock.now = START
    response = api.post("/v1/claims", claim_body(**overrides))
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_german_consumer_claim_through_its_whole_strategy(app: Flask, api: Api, worker: Worker, clock: Clock) -> None:
    claim = hand_over(api, clock, amount=123_456, invoice_date="2026-01-30", due_date="2026-02-13")
    run_until(app, worker, clock, claim["id"], START + dt.timedelta(days=95))
    found = messages_of(app, claim["id"])
    assert sent_days(found, "Europe/Berlin") == [
        ("reminder", "email", dt.date(2026, 3, 2)),
        ("reminder_sms", "sms", dt.date(2026, 3, 6)),
        ("notice_1", "email", dt.date(2026, 3, 16)),
        ("notice_2", "letter", dt.date(2026, 3, 30)),
        ("notice_sms", "sms", dt.date(2026, 4, 7)),  # day 35 is Easter Monday: the next working day
        ("final_notice", "letter", dt.date(2026, 4, 27)),
        ("final_email", "email", dt.date(2026, 5, 11)),
    ]
    assert all(m.status == "sent" for m in found)
    assert_contact_rules(found, "Europe/Berlin", "DE")
    after = api.get(f"/v1/claims/{claim['id']}").json
    # Day 90 (31 May) is a Sunday: the claim is handed over on Monday, 1 June.
    assert after["state"] == "escalated"
    # Interest, by hand: default from 14 Feb 2026 (the day after the due date) to 1 June 2026 (exclusive)
    # is 107 days at the base rate of 1.27 % + 5 points = 6.27 % a year (§ 288 Abs. 1, § 247 BGB), act/365:
    # 1,234.56 € × 6.27 % × 107 / 365 = 22.692... € -> 22.69 €.
    assert after["balance"]["interest"] == 2269
    # Collection costs: the German RVG cap is in our data but not verified, so none are charged.
    assert after["balance"]["fees"] == 0
    events = [e["type"] for e in api.get(f"/v1/claims/{claim['id']}/events", limit=100).json["data"]]
    assert events.count("claim.contacted") == 7
    assert events[-1] == "claim.escalated"
    first = found[0]
    assert first.language == "de" and "Rechnung" in (first.subject or "")
    assert claim["pay_url"] in first.body_text
    assert "1.234,56" in first.body_text


def test_dutch_claim_announces_wik_costs_and_charges_them_after_fourteen_days(
    app: Flask, api: Api, worker: Worker, clock: Clock
) -> None:
    dutch = debtor(
        country="NL",
        language="nl",
        phone="+31612345678",
        address={"line1": "Keizersgracht 1", "postal_code": "1015 CJ", "city": "Amsterdam", "country": "NL"},
    )
    claim = hand_over(api, clock, amount=270_000, debtor=dutch, invoice_date="2026-01-30", due_date="2026-02-13")
    run_until(app, worker, clock, claim["id"], START + dt.timedelta(days=95))
    found = messages_of(app, claim["id"])
    steps = [(m.step_key, local(m.sent_at, "Europe/Amsterdam").date()) for m in found]
    assert steps[:3] == [
        ("reminder", dt.date(2026, 3, 2)),
        ("fourteen_day_letter", dt.date(2026, 3, 4)),
        ("notice_1", dt.date(2026, 3, 21)),  # day 19: after the 14 days from receipt
    ]
    assert_contact_rules(found, "Europe/Amsterdam", "NL")
    warning = found[1]
    assert "395,00" in warning.body_text  # WIK: 15 % of 2,500 + 10 % of 200 = 375 + 20 = 395 €
    after = api.get(f"/v1/claims/{claim['id']}").json
    assert after["balance"]["fees"] == 39_500
    assert after["state"] == "escalated"


def test_swiss_claim_gets_five_percent_and_no_costs(app: Flask, api: Api, worker: Worker, clock: Clock) -> None:
    swiss = debtor(
        country="CH",
        language="de",
        phone="+41791234567",
        address={"line1": "Seestrasse 2", "postal_code": "8002", "city": "Zürich", "country": "CH"},
    )
    claim = hand_over(
        api, clock, amount=100_000, currency="CHF", debtor=swiss, invoice_date="2026-01-30", due_date="2026-02-13"
    )
    run_until(app, worker, clock, claim["id"], START + dt.timedelta(days=95))
    found = messages_of(app, claim["id"])
    assert [m.step_key for m in found] == ["reminder", "notice_1", "notice_2", "final_notice"]
    assert_contact_rules(found, "Europe/Zurich", "CH")
    after = api.get(f"/v1/claims/{claim['id']}").json
    # Art. 104 OR: 5 % from 14 Feb 2026 to 1 June 2026 (exclusive), 107 days:
    # 1,000.00 CHF × 5 % × 107 / 365 = 14.657... -> 14.66 CHF.
    assert after["balance"]["interest"] == 1466
    assert after["balance"]["fees"] == 0
    assert after["state"] == "escalated"


@pytest.mark.parametrize(
    ("country", "language", "currency", "phone"),
    [
        ("PL", "pl", "PLN", "+48601234567"),
        ("DE", "de", "EUR", "+4915112345678"),
        ("FR", "fr", "EUR", "+33612345678"),
        ("SE", "sv", "SEK", "+46701234567"),
    ],
)
def test_every_sms_fits_one_gsm7_segment(
    app: Flask, api: Api, worker: Worker, clock: Clock, country: str, language: str, currency: str, phone: str
) -> None:
    from paypage.engine.channels.sms_segments import gsm7_segments

    person = debtor(country=country, language=language, phone=phone, email=None, address=None)
    claim = hand_over(api, clock, amount=123_456, currency=currency, debtor=person)
    run_until(app, worker, clock, claim["id"], START + dt.timedelta(days=40))
    texts = [m.body_text for m in messages_of(app, claim["id"]) if m.channel == "sms"]
    assert texts, "the strategy sends SMS to a debtor with only a phone number"
    for text in texts:
        assert gsm7_segments(text) == ("GSM-7", 1), text


def test_sms_amounts_stay_within_gsm7() -> None:
    from paypage.domain.money import Money
    from paypage.engine.messages import _sms_amount

    assert _sms_amount(Money(123_456, "CHF"), "de_CH") == "1234.56 CHF"  # not CHF 1’234.56
    assert _sms_amount(Money(34_999, "PLN"), "pl_PL") == "349,99 PLN"  # not 349,99 zł
    assert _sms_amount(Money(500, "JPY"), "ja_JP") == "500 JPY"
