"""The dashboard's figures, each one aggregate query scoped by creditor and mode.

Money is summed per currency and never across currencies. The queries read the claims table through its
`(creditor_id, livemode, state, id)` and `(creditor_id, livemode, country, id)` indexes and stay well under
the 300 ms budget for a creditor with 100,000 claims on PostgreSQL (`bench/portal.py`).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, and_, cast, func, select
from sqlalchemy.orm import Session

from paypage.domain.money import Money
from paypage.domain.states import FINAL_STATES
from paypage.services.tenancy import Tenant
from paypage.store import instalment_totals, models

log = logging.getLogger(__name__)

CLOSED_UNPAID = ("cancelled",)
"""Claims that were withdrawn do not count against the recovery rate."""


@dataclass(frozen=True)
class Ratio:
    """A share as an exact fraction of minor units; formatting rounds it at the edge."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return None if self.whole == 0 else 100 * self.part / self.whole


@dataclass(frozen=True)
class ForecastWeek:
    week_start: dt.date
    amounts: dict[str, int]
    """currency -> expected minor units."""


@dataclass(frozen=True)
class Forecast:
    weeks: list[ForecastWeek]
    source: str
    """`model` (the propensity model of `paypage.decisions.forecast`) or `plans` (the transparent fallback)."""
    model_claims: int = 0
    """Open claims the model's stored scores counted (for `model`)."""
    prior_claims: int = 0
    """Open claims the cold-start prior counted: no trained model for them yet, or not scored yet."""


@dataclass
class Dashboard:
    open_balance: list[Money] = field(default_factory=list)
    collected_this_month: list[Money] = field(default_factory=list)
    recovery: dict[str, Ratio] = field(default_factory=dict)
    median_days_to_pay: float | None = None
    paid_claims: int = 0
    by_state: list[tuple[str, int]] = field(default_factory=list)
    by_country: list[tuple[str, int]] = field(default_factory=list)
    total_claims: int = 0
    forecast: Forecast | None = None


def _month_start(now: dt.datetime) -> dt.datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _scope(tenant: Tenant) -> Any:
    return and_(models.Claim.creditor_id == tenant.creditor_id, models.Claim.livemode == tenant.livemode)


def version(session: Session, tenant: Tenant) -> str:
    """Changes whenever anything happens to the creditor's claims: the newest event's id (an index lookup)."""
    newest = session.scalar(
        select(func.max(models.Event.id)).where(
            models.Event.creditor_id == tenant.creditor_id, models.Event.livemode == tenant.livemode
        )
    )
    return f"{'live' if tenant.livemode else 'test'}-{newest or 'none'}"


def _claim_groups(session: Session, tenant: Tenant, dashboard: Dashboard) -> None:
    """One pass over the creditor's claims (an index-only scan on PostgreSQL): counts by state and by
    country, open balance and recovery by currency."""
    outstanding = models.Claim.principal + models.Claim.interest + models.Claim.fees_total - models.Claim.paid
    claimed = models.Claim.principal + models.Claim.interest + models.Claim.fees_total
    rows = session.execute(
        select(
            models.Claim.state,
            models.Claim.currency,
            models.Claim.country,
            func.count(),
            func.coalesce(func.sum(outstanding), 0),
            func.coalesce(func.sum(models.Claim.paid), 0),
            func.coalesce(func.sum(claimed), 0),
        )
        .where(_scope(tenant))
        .group_by(models.Claim.state, models.Claim.currency, models.Claim.country)
    ).all()
    states: dict[str, int] = defaultdict(int)
    countries: dict[str, int] = defaultdict(int)
    balance: dict[str, int] = defaultdict(int)
    paid: dict[str, int] = defaultdict(int)
    claimed_total: dict[str, int] = defaultdict(int)
    for state, currency, country, count, open_amount, paid_amount, claimed_amount in rows:
        states[state] += int(count)
        countries[country] += int(count)
        if state not in FINAL_STATES:
            balance[currency] += int(open_amount)
        if state not in CLOSED_UNPAID:
            paid[currency] += int(paid_amount)
            claimed_total[currency] += int(claimed_amount)
    dashboard.by_state = sorted(states.items(), key=lambda item: -item[1])
    dashboard.by_country = sorted(countries.items(), key=lambda item: (-item[1], item[0]))
    dashboard.total_claims = sum(states.values())
    dashboard.paid_claims = states.get("paid", 0)
    dashboard.open_balance = [Money(amount, currency) for currency, amount in sorted(balance.items()) if amount]
    dashboard.recovery = {currency: Ratio(paid[currency], claimed_total[currency]) for currency in sorted(paid)}


def _collected_since(session: Session, tenant: Tenant, since: dt.datetime) -> list[Money]:
    """Ledger entries since `since` (refunds count negative). The mode comes from each entry's payment
    (every entry has one), a primary-key lookup, rather than from the claims table, which is far larger."""
    rows = session.execute(
        select(models.LedgerEntry.currency, func.sum(models.LedgerEntry.amount))
        .join(
            models.Payment,
            and_(
                models.Payment.creditor_id == models.LedgerEntry.creditor_id,
                models.Payment.id == models.LedgerEntry.payment_id,
            ),
        )
        .where(
            models.LedgerEntry.creditor_id == tenant.creditor_id,
            models.LedgerEntry.created_at >= since,
            models.Payment.livemode == tenant.livemode,
        )
        .group_by(models.LedgerEntry.currency)
    ).all()
    return [Money(int(amount), str(currency)) for currency, amount in sorted(rows) if amount]


def _median_days_to_pay(session: Session, tenant: Tenant) -> float | None:
    """Median of (closed - handed over) in days over paid claims: percentile_cont on PostgreSQL, the middle
    row on SQLite (which has no percentile function)."""
    paid = and_(_scope(tenant), models.Claim.state == "paid", models.Claim.closed_at.is_not(None))
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        seconds = func.extract("epoch", models.Claim.closed_at - models.Claim.created_at)
        value = session.scalar(select(func.percentile_cont(0.5).within_group(seconds)).where(paid))
        return None if value is None else float(value) / 86400
    days = cast(func.julianday(models.Claim.closed_at) - func.julianday(models.Claim.created_at), Float)
    count = int(session.scalar(select(func.count()).select_from(models.Claim).where(paid)) or 0)
    if count == 0:
        return None
    middle = list(
        session.scalars(select(days).where(paid).order_by(days).offset((count - 1) // 2).limit(2 - count % 2))
    )
    return float(sum(middle) / len(middle))


def _model_forecast(session: Session, tenant: Tenant, now: dt.datetime, weeks: int) -> Forecast | None:
    """The propensity model's forecast when the decisions module is part of this build and can answer.

    It runs in a savepoint: should the model fail for this creditor's data, the transaction stays usable
    and the page shows the labelled fallback instead of an error.
    """
    try:
        module = importlib.import_module("paypage.decisions.forecast")
    except ModuleNotFoundError:
        return None
    expected = getattr(module, "cash_forecast", None)
    if expected is None:
        return None
    try:
        with session.begin_nested():
            found = expected(session, creditor_id=tenant.creditor_id, livemode=tenant.livemode, now=now, weeks=weeks)
    except Exception:  # noqa: BLE001 - an optional model must not take the dashboard down
        log.warning("the forecast model failed for a creditor; showing the plan-based estimate", exc_info=True)
        return None
    result = [
        ForecastWeek(item.week_start, {str(currency): int(amount) for currency, amount in item.expected.items()})
        for item in found.weeks
    ]
    return Forecast(result, "model", int(found.model_claims), int(found.prior_claims))


def plan_forecast(session: Session, tenant: Tenant, now: dt.datetime, weeks: int = 12) -> Forecast:
    """Instalments due in each coming week, times the share of past instalments that were paid.

    A plain fallback with no model behind it: it sees only agreed plans, not one-off payments.
    """
    today = now.date()
    first = today - dt.timedelta(days=today.weekday())
    horizon = first + dt.timedelta(weeks=weeks)
    due_past = paid_past = 0
    upcoming: dict[tuple[dt.date, str], int] = defaultdict(int)
    for group in instalment_totals.grouped(session, tenant.creditor_id, tenant.livemode):
        if group.plan_status not in ("active", "completed", "defaulted"):
            continue
        if group.due_date < today:
            due_past += group.count
            paid_past += group.count if group.paid else 0
        elif group.plan_status == "active" and not group.paid and group.due_date < horizon:
            week = group.due_date - dt.timedelta(days=group.due_date.weekday())
            upcoming[(week, group.currency)] += group.amount
    share = (paid_past, due_past) if due_past else (1, 1)
    result = []
    for index in range(weeks):
        week = first + dt.timedelta(weeks=index)
        amounts = {
            currency: amount * share[0] // share[1] for (start, currency), amount in upcoming.items() if start == week
        }
        result.append(ForecastWeek(week, amounts))
    return Forecast(result, "plans")


def forecast(session: Session, tenant: Tenant, now: dt.datetime, weeks: int = 12) -> Forecast:
    """The model's forecast from stored scores (one grouped query, whatever the number of claims), else the
    plan-based estimate."""
    return _model_forecast(session, tenant, now, weeks) or plan_forecast(session, tenant, now, weeks)


def compute(session: Session, tenant: Tenant, now: dt.datetime, with_forecast: bool = False) -> Dashboard:
    """The figures; the forecast only when asked, since it reads every open claim (its own request)."""
    dashboard = Dashboard()
    _claim_groups(session, tenant, dashboard)
    dashboard.collected_this_month = _collected_since(session, tenant, _month_start(now))
    dashboard.median_days_to_pay = _median_days_to_pay(session, tenant)
    if with_forecast:
        dashboard.forecast = forecast(session, tenant, now)
    return dashboard
