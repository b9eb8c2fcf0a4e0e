"""Expected cash by week: integer minor units, one currency at a time, weeks that add up, plans counted
in the week their instalments fall due, and a band around every figure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask import Flask

from bench.history import seed
from paypage.decisions import forecast, propensity
from paypage.domain.ids import new_id
from paypage.store import models
from tests.conftest import fresh_app
from tests.factories import CreditorKeys, new_creditor

NOW = dt.datetime(2026, 11, 4, 15, 30, tzinfo=dt.UTC)  # a Wednesday


@pytest.fixture(scope="module")
def app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with fresh_app(backend, tmp_path_factory.mktemp("forecast")) as application:
        yield application


@pytest.fixture(scope="module")
def creditor(app: Flask) -> CreditorKeys:
    creditor = new_creditor(app, "Forecast GmbH")
    with app.extensions["inkasso.db"].transaction() as session:
        seed(session, creditor.id, now=NOW, claims=160, days=150, seed=21)
    return creditor


def test_weeks_start_on_mondays_and_hold_integers_per_currency(app: Flask, creditor: CreditorKeys) -> None:
    with app.extensions["inkasso.db"].transaction() as session:
        weeks = forecast.expected_cash_by_week(session, creditor_id=creditor.id, livemode=False, now=NOW, weeks=12)
    assert len(weeks) == 12
    assert weeks[0].week_start == dt.date(2026, 11, 2)
    assert all(week.week_start.weekday() == 0 for week in weeks)
    assert [b.week_start - a.week_start for a, b in zip(weeks, weeks[1:], strict=False)] == [dt.timedelta(7)] * 11
    for week in weeks:
        assert set(week.expected) == {"EUR", "CHF"}  # the seeded history has both; never one mixed figure
        for currency, amount in week.expected.items():
            assert isinstance(amount, int) and isinstance(week.low[currency], int)
            assert 0 <= week.low[currency] <= amount <= week.high[currency]


def test_the_weeks_add_up_to_each_currencys_expected_collection(app: Flask, creditor: CreditorKeys) -> None:
    with app.extensions["inkasso.db"].transaction() as session:
        weeks = forecast.expected_cash_by_week(session, creditor_id=creditor.id, livemode=False, now=NOW, weeks=14)
        scores = propensity.score(session, creditor_id=creditor.id, livemode=False, now=NOW)
    for currency in ("EUR", "CHF"):
        expected = sum(found.expected_90 for found in scores.values() if found.currency == currency)
        total = sum(week.expected[currency] for week in weeks)
        assert total == pytest.approx(expected, abs=len(scores))  # per-claim rounding of expected_90 only
        assert total <= sum(s.outstanding for s in scores.values() if s.currency == currency)


def test_payment_plans_count_in_the_week_their_instalments_fall_due(app: Flask) -> None:
    creditor = new_creditor(app, "Plans GmbH")
    with app.extensions["inkasso.db"].transaction() as session:
        seed(session, creditor.id, now=NOW - dt.timedelta(days=400), claims=1, days=1, seed=3)
        claim = session.query(models.Claim).filter_by(creditor_id=creditor.id).one()
        claim.state = "payment_plan"
        claim.currency = "SEK"
        schedule = [
            {"number": 1, "due_date": "2026-10-28", "amount": 10_000, "status": "paid"},
            {"number": 2, "due_date": "2026-11-11", "amount": 10_000, "status": "due"},
            {"number": 3, "due_date": "2026-11-25", "amount": 10_001, "status": "due"},
        ]
        session.add(
            models.PaymentPlan(
                creditor_id=creditor.id,
                id=new_id("pln", NOW),
                claim_id=claim.id,
                status="active",
                currency="SEK",
                total=30_001,
                schedule=schedule,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        session.flush()
        weeks = forecast.expected_cash_by_week(session, creditor_id=creditor.id, livemode=False, now=NOW, weeks=4)
    rate = forecast.PRIOR_INSTALMENT_RATE
    assert [week.expected.get("SEK", 0) for week in weeks] == [0, 8_000, 0, round(20_001 * rate) - 8_000]
    assert weeks[1].low["SEK"] < 8_000 < weeks[1].high["SEK"]
    assert weeks[0].low["SEK"] == weeks[0].high["SEK"] == 0


def test_an_unknown_creditor_gets_empty_weeks_and_bad_ranges_are_refused(app: Flask) -> None:
    with app.extensions["inkasso.db"].transaction() as session:
        weeks = forecast.expected_cash_by_week(session, creditor_id="cred_nobody", livemode=False, now=NOW, weeks=2)
        assert [week.expected for week in weeks] == [{}, {}]
        with pytest.raises(ValueError, match="weeks must be from 1 to"):
            forecast.expected_cash_by_week(session, creditor_id="cred_nobody", livemode=False, now=NOW, weeks=0)


def test_the_cdf_is_piecewise_linear_through_both_horizons() -> None:
    assert forecast._cdf(0.3, 0.6, 0) == 0
    assert forecast._cdf(0.3, 0.6, 15) == pytest.approx(0.15)
    assert forecast._cdf(0.3, 0.6, 30) == pytest.approx(0.3)
    assert forecast._cdf(0.3, 0.6, 60) == pytest.approx(0.45)
    assert forecast._cdf(0.3, 0.6, 400) == pytest.approx(0.6)
