"""Expected cash by week: integer minor units, one currency at a time, weeks that add up, plans counted
in the week their instalments fall due, and a band around every figure. The grouped SQL sums over stored
scores give the same weeks as scoring claim by claim, and claims not scored yet count with the prior."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

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


@pytest.fixture(scope="module")
def scored(app: Flask) -> CreditorKeys:
    """A creditor with a trained model and every open claim's score stored by the real scoring path."""
    creditor = new_creditor(app, "Scored GmbH")
    with app.extensions["inkasso.db"].transaction() as session:
        seed(session, creditor.id, now=NOW, claims=300, days=300, seed=5)
    with app.extensions["inkasso.db"].transaction() as session:
        assert propensity.train(session, creditor_id=creditor.id, livemode=False, now=NOW).model_id is not None
        propensity.refresh_scores(session, creditor_id=creditor.id, livemode=False, now=NOW)
    return creditor


def claim_by_claim(
    found: dict[str, propensity.Propensity], weeks: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """The forecast computed one claim at a time (cumulative expectation and weekly variance per currency)."""
    today = NOW.date()
    first = today - dt.timedelta(days=today.weekday())
    edges = [
        (dt.datetime.combine(first + dt.timedelta(weeks=i, days=7), dt.time(), dt.UTC) - NOW).total_seconds() / 86_400
        for i in range(weeks)
    ]
    cumulative: dict[str, list[float]] = {}
    variance: dict[str, list[float]] = {}
    for score in found.values():
        partial = max(score.expected_90 - score.outstanding * score.p_paid_90, 0.0)
        previous = 0.0
        for i, edge in enumerate(edges):
            full = forecast._cdf(score.p_paid_30, score.p_paid_90, edge)
            cumulative.setdefault(score.currency, [0.0] * weeks)[i] += (
                score.outstanding * full + partial * min(edge, 90.0) / 90
            )
            week = full - previous
            variance.setdefault(score.currency, [0.0] * weeks)[i] += score.outstanding**2 * week * (1 - week)
            previous = full
    return cumulative, variance


def open_unplanned(session: Session, creditor_id: str) -> dict[str, models.Claim]:
    claims = session.scalars(
        select(models.Claim).where(
            models.Claim.creditor_id == creditor_id, models.Claim.state.in_(forecast.UNPLANNED_STATES)
        )
    )
    return {claim.id: claim for claim in claims if claim.principal + claim.interest + claim.fees_total > claim.paid}


def test_stored_scores_give_the_same_weeks_as_scoring_claim_by_claim(app: Flask, scored: CreditorKeys) -> None:
    with app.extensions["inkasso.db"].transaction() as session:
        found = forecast.cash_forecast(session, creditor_id=scored.id, livemode=False, now=NOW, weeks=16)
        scores = propensity.score(session, creditor_id=scored.id, livemode=False, now=NOW)
        wanted = {key: value for key, value in scores.items() if key in open_unplanned(session, scored.id)}
    assert found.model_claims == len(wanted) > 30 and found.prior_claims == found.unscored_claims == 0
    assert found.model_share == 1.0
    cumulative, variance = claim_by_claim(wanted, 16)
    for currency, running in cumulative.items():
        total = 0
        for i, week in enumerate(found.weeks):
            total += week.expected[currency]
            assert total == pytest.approx(running[i], abs=len(wanted) / 2 + 1)  # per-claim rounding only
            spread = 1.96 * variance[currency][i] ** 0.5
            assert week.high[currency] - week.expected[currency] == pytest.approx(spread, abs=1.5)


def test_claims_not_scored_yet_count_with_the_prior(app: Flask, scored: CreditorKeys) -> None:
    with app.extensions["inkasso.db"].transaction() as session:
        claims = open_unplanned(session, scored.id)
        stored = propensity.score(session, creditor_id=scored.id, livemode=False, now=NOW)
        new = sorted(claims)[:7]
        wanted = {key: value for key, value in stored.items() if key in claims}
        for claim_id in new:
            claim = claims[claim_id]
            band = propensity.amount_band(claim.principal, claim.currency)
            p30, p90 = propensity.prior_from(band, claim.due_date, NOW)
            outstanding = claim.principal + claim.interest + claim.fees_total - claim.paid
            expected = propensity.expected_amount(outstanding, p90, propensity.PRIOR_PARTIAL_SHARE)
            wanted[claim_id] = propensity.Propensity(p30, p90, expected, claim.currency, outstanding, None)
        session.execute(
            delete(models.ClaimScore).where(
                models.ClaimScore.creditor_id == scored.id, models.ClaimScore.claim_id.in_(new)
            )
        )
        found = forecast.cash_forecast(session, creditor_id=scored.id, livemode=False, now=NOW, weeks=12)
        session.rollback()  # the scores stay stored for the other tests
    assert (found.model_claims, found.prior_claims, found.unscored_claims) == (len(claims) - 7, 7, 7)
    assert found.model_share == pytest.approx((len(claims) - 7) / len(claims))
    cumulative, _ = claim_by_claim(wanted, 12)
    for currency, running in cumulative.items():
        total = sum(week.expected[currency] for week in found.weeks)
        assert total == pytest.approx(running[-1], abs=len(wanted) / 2 + 1)


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


def test_the_prior_in_sql_knows_each_currencys_minor_units(app: Flask) -> None:
    creditor = new_creditor(app, "Currencies GmbH")
    amounts = {"JPY": 4_000, "KWD": 40_000, "EUR": 40_000}  # ¥4,000 (above 1,000), 40 KWD (below 50), €400
    with app.extensions["inkasso.db"].transaction() as session:
        seed(session, creditor.id, now=NOW - dt.timedelta(days=30), claims=3, days=1, seed=3)
        claims = list(session.scalars(select(models.Claim).where(models.Claim.creditor_id == creditor.id)))
        wanted = {}
        for claim, (currency, principal) in zip(claims, amounts.items(), strict=True):
            claim.state, claim.currency, claim.principal = "in_collection", currency, principal
            claim.interest = claim.fees_total = claim.paid = 0
            p30, p90 = propensity.prior_from(propensity.amount_band(principal, currency), claim.due_date, NOW)
            wanted[currency] = principal * (p90 + (1 - p90) * propensity.PRIOR_PARTIAL_SHARE)
        session.flush()
        found = forecast.cash_forecast(session, creditor_id=creditor.id, livemode=False, now=NOW, weeks=16)
    assert (found.model_claims, found.prior_claims, found.unscored_claims) == (0, 3, 3)
    assert {band for band in (propensity.amount_band(p, c) for c, p in amounts.items())} == {
        "1000+",
        "lt50",
        "250-1000",
    }
    for currency, expected in wanted.items():
        assert sum(week.expected[currency] for week in found.weeks) == round(expected)
