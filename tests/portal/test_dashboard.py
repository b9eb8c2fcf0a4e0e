"""The dashboard's figures (per currency, never summed across currencies), its SVG charts, and the
conditional fragment the page polls for live updates."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from paypage.domain.money import Money
from paypage.extensions import database
from paypage.portal import figures
from paypage.portal.charts import Bar, bar_chart
from paypage.services import claims
from paypage.services.tenancy import Tenant
from tests.conftest import build_app, postgresql_database
from tests.factories import debtor, new_creditor
from tests.portal.conftest import Team, make_user, pay_by_transfer, signed_in, submit_claim


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def board_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """Both databases: the median is `percentile_cont` on PostgreSQL and the middle row on SQLite."""
    data: Path = tmp_path_factory.mktemp("board")
    with contextlib.ExitStack() as stack:
        if request.param == "postgresql":
            url = stack.enter_context(postgresql_database())
        else:
            url = f"sqlite:///{data / 'board.sqlite3'}"
        application = build_app(url, data)
        stack.callback(application.extensions["inkasso.db"].dispose)
        yield application


@pytest.fixture(scope="module")
def shop(board_app: Flask) -> Team:
    team = Team(new_creditor(board_app, "Figures GmbH"))
    team.user_ids["owner"] = make_user(board_app, "figures@example.com", "owner", team.creditor.id)
    team.users["owner"] = "figures@example.com"
    for amount in (10_000, 20_000, 30_000):
        team.claim_ids.append(submit_claim(board_app, team.creditor, amount=amount))
    swiss = debtor(country="CH", address=None)
    team.claim_ids.append(submit_claim(board_app, team.creditor, amount=50_000, currency="CHF", debtor=swiss))
    pay_by_transfer(board_app, team, team.claim_ids[0], 10_000)  # paid in full
    pay_by_transfer(board_app, team, team.claim_ids[1], 5_000)
    return team


def compute(app: Flask, team: Team) -> figures.Dashboard:
    with app.app_context(), database().transaction() as session:
        return figures.compute(session, Tenant(team.creditor.id, False), dt.datetime.now(dt.UTC))


def test_figures_per_currency(board_app: Flask, shop: Team) -> None:
    board = compute(board_app, shop)
    assert board.open_balance == [Money(50_000, "CHF"), Money(45_000, "EUR")]
    assert board.collected_this_month == [Money(15_000, "EUR")]
    assert board.recovery["EUR"] == figures.Ratio(15_000, 60_000) and board.recovery["CHF"].part == 0
    assert dict(board.by_state) == {"open": 3, "paid": 1}
    assert dict(board.by_country) == {"DE": 3, "CH": 1}
    assert board.total_claims == 4 and board.paid_claims == 1
    assert board.median_days_to_pay is not None and 0 <= board.median_days_to_pay < 1
    assert board.forecast is None, "the forecast is a request of its own"


def test_the_median_is_the_middle_claim(board_app: Flask) -> None:
    team = Team(new_creditor(board_app, "Median AG"))
    now = dt.datetime.now(dt.UTC)
    for days in (2, 4, 9, 30):
        claim_id = submit_claim(board_app, team.creditor)
        with board_app.app_context(), database().transaction() as session:
            claim, _ = claims.get(session, Tenant(team.creditor.id, False), claim_id)
            claim.state, claim.created_at, claim.closed_at = "paid", now - dt.timedelta(days=days), now
    board = compute(board_app, team)
    assert board.median_days_to_pay == pytest.approx(6.5, abs=0.01)


def test_the_other_mode_and_other_creditors_are_not_counted(board_app: Flask, shop: Team) -> None:
    with board_app.app_context(), database().transaction() as session:
        live = figures.compute(session, Tenant(shop.creditor.id, True), dt.datetime.now(dt.UTC), with_forecast=False)
    assert live.total_claims == 0 and live.open_balance == [] and live.collected_this_month == []
    stranger = Team(new_creditor(board_app, "Stranger SA"))
    submit_claim(board_app, stranger.creditor, amount=777_700)
    assert Money(45_000, "EUR") in compute(board_app, shop).open_balance


def test_the_page_shows_figures_and_accessible_charts(board_app: Flask, shop: Team) -> None:
    owner = signed_in(board_app, shop.users["owner"])
    page = owner.get("/portal/").get_data(as_text=True)
    assert "€450.00" in page and "CHF500.00" in page.replace("\xa0", "") and "€150.00" in page
    assert page.count('role="img"') == 2 and "<title id=" in page and "Open: 3" in page
    assert 'data-poll-url="/portal/dashboard/figures"' in page


def test_the_fragment_answers_304_until_something_happens(board_app: Flask, shop: Team) -> None:
    owner = signed_in(board_app, shop.users["owner"])
    first = owner.get("/portal/dashboard/figures")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and 'class="figures"' in first.get_data(as_text=True)
    assert owner.get("/portal/dashboard/figures", headers={"If-None-Match": etag}).status_code == 304
    pay_by_transfer(board_app, shop, shop.claim_ids[2], 1_000)
    changed = owner.get("/portal/dashboard/figures", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "€160.00" in changed.get_data(as_text=True)


def test_chart_text_is_escaped() -> None:
    svg = str(bar_chart("<script>", [Bar("<b>x</b>", 5, "5 & more")]))
    assert "<script>" not in svg and "&lt;b&gt;" in svg and "5 &amp; more" in svg
    assert 'role="img"' in svg and "style=" not in svg


def test_the_forecast_is_its_own_request(board_app: Flask, shop: Team) -> None:
    owner = signed_in(board_app, shop.users["owner"])
    fragment = owner.get("/portal/dashboard/forecast?fragment=1")
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert 'class="forecast-body"' in fragment.get_data(as_text=True)
    # Nothing is scored yet: the model's forecast counts every open claim with the prior, and says so.
    assert "Expected payments from the payment-propensity model." in fragment.get_data(as_text=True)
    assert re.search(r"0 of [1-9]\d* open claims are scored by the trained model", fragment.get_data(as_text=True))
    whole = owner.get("/portal/dashboard/forecast").get_data(as_text=True)
    assert "<html" in whole and "Cash forecast for the next 12 weeks" in whole


def test_the_plan_forecast_counts_due_instalments_at_the_paid_share(board_app: Flask) -> None:
    from paypage.domain.ids import new_id
    from paypage.store import models

    team = Team(new_creditor(board_app, "Plans KG"))
    claim_id = submit_claim(board_app, team.creditor, amount=40_000)
    now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)  # a Wednesday
    schedule = [
        {"number": 1, "due_date": "2026-10-01", "amount": 10_000, "status": "paid"},
        {"number": 2, "due_date": "2026-11-01", "amount": 10_000, "status": "due"},
        {"number": 3, "due_date": "2026-12-02", "amount": 10_000, "status": "due"},
        {"number": 4, "due_date": "2027-06-01", "amount": 10_000, "status": "due"},
    ]
    with board_app.app_context(), database().transaction() as session:
        session.add(
            models.PaymentPlan(
                creditor_id=team.creditor.id,
                id=new_id("pln", now),
                claim_id=claim_id,
                status="active",
                currency="EUR",
                total=40_000,
                schedule=schedule,
                created_at=now,
                updated_at=now,
            )
        )
    with board_app.app_context(), database().transaction() as session:
        found = figures.plan_forecast(session, Tenant(team.creditor.id, False), now)
    assert found.source == "plans" and len(found.weeks) == 12
    assert found.weeks[0].week_start == dt.date(2026, 11, 23)
    # Of the two instalments due before now, one was paid: the one due on 2 December counts at half.
    assert found.weeks[1].amounts == {"EUR": 5_000}
    assert sum(sum(week.amounts.values()) for week in found.weeks) == 5_000, "June 2027 is beyond 12 weeks"
