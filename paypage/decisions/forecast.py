"""Expected cash by week: when the creditor's money is likely to come in, per currency, with a band.

Two sources, never counted twice:
- Open claims without an active plan: each claim's stored propensity (`claim_scores`, written by
  `propensity.refresh_scores`) gives P(paid in full within 30 days) and within 90 days. Between those
  points the chance is spread evenly over the days (a piecewise-linear time-to-pay distribution: 0 today,
  p30 at day 30, p90 at day 90, flat after), and the expected part-payments of claims that do not pay in
  full (outstanding × (1 − p90) × the model's partial share) are spread evenly over the 90 days. A claim
  that has no stored score yet counts with the cold-start prior (`propensity.prior`), which needs only the
  claim's own columns. The result says how many claims each of the two scored.
- Active payment plans: each instalment still to be paid counts in the week it falls due, times the
  share of this creditor's past-due instalments that were paid (`PRIOR_INSTALMENT_RATE` until
  `MIN_INSTALMENTS` have fallen due).

Why it scales: the time-to-pay distribution is linear in (p30, p90) with the same breakpoints for every
claim, so each week's expectation and variance are linear in a handful of per-currency sums (Σ out·p30,
Σ out²·p30·p90, ...). The database computes those sums in one grouped pass over claims joined to their
scores; no claim, event or score is loaded as an object, and the cost no longer depends on the events.

Amounts are integer minor units and each currency is summed on its own. Weekly figures are differences
of the rounded running total, so the weeks add up exactly to the total. The band is the expectation
± 1.96 standard deviations, treating each claim's payment and each instalment as an independent
Bernoulli draw of its amount (a normal approximation; low is never below 0).

```python
weeks = expected_cash_by_week(session, creditor_id="cred_...", livemode=False, now=now, weeks=12)
for week in weeks:
    print(week.week_start, week.expected.get("EUR", 0), week.low.get("EUR", 0), week.high.get("EUR", 0))
```
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from inkasso._iso import CURRENCY_DIGITS
from sqlalchemy import Float, and_, case, cast, func, select
from sqlalchemy.orm import Session

from paypage.decisions import propensity
from paypage.store import instalment_totals, models

PRIOR_INSTALMENT_RATE = 0.8
MIN_INSTALMENTS = 20
Z_95 = 1.96
MAX_WEEKS = 104
UNPLANNED_STATES = tuple(state for state in propensity.ACTIVE_STATES if state != "payment_plan")


@dataclass(frozen=True)
class WeekForecast:
    week_start: dt.date
    """Monday of the week (UTC); the first week is the current one, counted from `now`."""
    expected: dict[str, int] = field(default_factory=dict)
    """Expected cash in minor units, per ISO 4217 currency."""
    low: dict[str, int] = field(default_factory=dict)
    high: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CashForecast:
    weeks: list[WeekForecast]
    model_claims: int = 0
    """Open claims counted with a stored score of a trained model."""
    prior_claims: int = 0
    """Open claims counted with the cold-start prior: stored by it, or not scored yet."""
    unscored_claims: int = 0
    """Of `prior_claims`, those without a stored score (new since the last scoring run)."""

    @property
    def model_share(self) -> float | None:
        total = self.model_claims + self.prior_claims
        return None if total == 0 else self.model_claims / total


def _weights(days: float) -> tuple[float, float]:
    """(f, g) with P(paid in full within `days`) = p30·f + p90·g for every claim."""
    if days <= 0:
        return 0.0, 0.0
    if days <= 30:
        return days / 30, 0.0
    if days <= 90:
        late = (days - 30) / 60
        return 1 - late, late
    return 0.0, 1.0


def _cdf(p30: float, p90: float, days: float) -> float:
    """P(paid in full within `days`) under the piecewise-linear time-to-pay distribution."""
    f, g = _weights(days)
    return p30 * f + p90 * g


@dataclass
class _Sums:
    """Per-currency sums over claims from which every week's expectation and variance follow."""

    out_p30: float = 0.0
    out_p90: float = 0.0
    partial: float = 0.0
    sq_p30: float = 0.0
    sq_p90: float = 0.0
    sq_p30_p30: float = 0.0
    sq_p30_p90: float = 0.0
    sq_p90_p90: float = 0.0

    def add_constant(self, p30: float, p90: float, partial_share: float, out: float, squares: float) -> None:
        """Claims that share one (p30, p90): the prior's groups."""
        self.out_p30 += p30 * out
        self.out_p90 += p90 * out
        self.partial += partial_share * (1 - p90) * out
        self.sq_p30 += p30 * squares
        self.sq_p90 += p90 * squares
        self.sq_p30_p30 += p30 * p30 * squares
        self.sq_p30_p90 += p30 * p90 * squares
        self.sq_p90_p90 += p90 * p90 * squares

    def expected(self, days: float) -> float:
        f, g = _weights(days)
        return self.out_p30 * f + self.out_p90 * g + self.partial * min(max(days, 0.0), 90.0) / 90

    def variance(self, before: float, after: float) -> float:
        """Σ out² · w(1 − w), w the claim's chance of paying in full between the two day offsets."""
        (f0, g0), (f1, g1) = _weights(before), _weights(after)
        a, b = f1 - f0, g1 - g0
        mean = a * self.sq_p30 + b * self.sq_p90
        square = a * a * self.sq_p30_p30 + 2 * a * b * self.sq_p30_p90 + b * b * self.sq_p90_p90
        return max(mean - square, 0.0)


def _band_index() -> Any:
    """The claim's `propensity.AMOUNT_BANDS` position (3 = above the last bound), in SQL."""
    principal = models.Claim.principal

    def bands(digits: int) -> Any:
        return case(
            *[(principal < bound * 10**digits, index) for index, (bound, _) in enumerate(propensity.AMOUNT_BANDS)],
            else_=len(propensity.AMOUNT_BANDS),
        )

    other = sorted({digits for digits in CURRENCY_DIGITS.values() if digits != 2})
    return case(
        *[
            (models.Claim.currency.in_(sorted(c for c, d in CURRENCY_DIGITS.items() if d == digits)), bands(digits))
            for digits in other
        ],
        else_=bands(2),
    )


def _band_names() -> list[str]:
    return [name for _, name in propensity.AMOUNT_BANDS] + ["1000+"]


def _claim_sums(
    session: Session, creditor_id: str, livemode: bool, now: dt.datetime
) -> tuple[dict[str, _Sums], tuple[int, int, int]]:
    """One grouped query over the open claims outside a plan, joined to their stored scores."""
    score = models.ClaimScore
    outstanding = models.Claim.principal + models.Claim.interest + models.Claim.fees_total - models.Claim.paid
    unscored = score.claim_id.is_(None)
    # Grouping on the columns of a subquery: the band's CASE carries bound parameters, which PostgreSQL
    # would not recognise as the same expression in GROUP BY.
    claims = (
        select(
            models.Claim.currency.label("currency"),
            score.model_id.label("model_id"),
            unscored.label("unscored"),
            case((unscored, _band_index())).label("band"),
            case((unscored, models.Claim.due_date)).label("due_date"),
            cast(outstanding, Float).label("out"),
            score.p_paid_30.label("p30"),
            score.p_paid_90.label("p90"),
        )
        .select_from(models.Claim)
        .outerjoin(score, and_(score.creditor_id == models.Claim.creditor_id, score.claim_id == models.Claim.id))
        .where(
            models.Claim.creditor_id == creditor_id,
            models.Claim.livemode == livemode,
            models.Claim.state.in_(UNPLANNED_STATES),
            outstanding > 0,
        )
        .subquery()
    )
    out, p30, p90 = claims.c.out, claims.c.p30, claims.c.p90
    squares = out * out
    keys = (claims.c.currency, claims.c.model_id, claims.c.unscored, claims.c.band, claims.c.due_date)
    rows = session.execute(
        select(
            *keys,
            func.count(),
            func.sum(out),
            func.sum(squares),
            func.sum(out * p30),
            func.sum(out * p90),
            func.sum(out * (1 - p90)),
            func.sum(squares * p30),
            func.sum(squares * p90),
            func.sum(squares * p30 * p30),
            func.sum(squares * p30 * p90),
            func.sum(squares * p90 * p90),
        ).group_by(*keys)
    ).all()
    partial_shares = _partial_shares(session, {str(row[1]) for row in rows if row[1] is not None})
    names = _band_names()
    sums: dict[str, _Sums] = defaultdict(_Sums)
    by_model = by_prior = not_scored = 0
    for row in rows:
        currency, model_id, is_unscored, band, due_date, count = row[:6]
        total = sums[str(currency)]
        if is_unscored:
            not_scored += int(count)
            by_prior += int(count)
            p30_prior, p90_prior = propensity.prior_from(names[int(band)], _as_date(due_date), now)
            total.add_constant(p30_prior, p90_prior, propensity.PRIOR_PARTIAL_SHARE, float(row[6]), float(row[7]))
            continue
        if model_id is None:
            by_prior += int(count)
            share = propensity.PRIOR_PARTIAL_SHARE
        else:
            by_model += int(count)
            share = partial_shares.get(str(model_id), propensity.PRIOR_PARTIAL_SHARE)
        total.out_p30 += float(row[8])
        total.out_p90 += float(row[9])
        total.partial += share * float(row[10])
        total.sq_p30 += float(row[11])
        total.sq_p90 += float(row[12])
        total.sq_p30_p30 += float(row[13])
        total.sq_p30_p90 += float(row[14])
        total.sq_p90_p90 += float(row[15])
    return sums, (by_model, by_prior, not_scored)


def _as_date(value: Any) -> dt.date:
    """SQLite hands back a CASE over a date column as text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _partial_shares(session: Session, model_ids: set[str]) -> dict[str, float]:
    if not model_ids:
        return {}
    rows = session.execute(
        select(models.PropensityModel.id, models.PropensityModel.parameters).where(
            models.PropensityModel.id.in_(sorted(model_ids))
        )
    )
    return {str(model_id): float(parameters["partial_share"]) for model_id, parameters in rows}


def _instalment_rate(groups: list[instalment_totals.InstalmentGroup], today: dt.date) -> float:
    fallen_due = [group for group in groups if group.due_date < today]
    count = sum(group.count for group in fallen_due)
    if count < MIN_INSTALMENTS:
        return PRIOR_INSTALMENT_RATE
    return sum(group.count for group in fallen_due if group.paid) / count


def cash_forecast(
    session: Session, *, creditor_id: str, livemode: bool, now: dt.datetime, weeks: int = 12
) -> CashForecast:
    """The next `weeks` weeks of expected cash, and how many claims the model and the prior scored."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be from 1 to {MAX_WEEKS}, got {weeks}")
    today = now.astimezone(dt.UTC).date()
    first = today - dt.timedelta(days=today.weekday())
    starts = [first + dt.timedelta(weeks=i) for i in range(weeks)]
    # Day offsets from `now` of each week's end: the first week only has the days left in it.
    edges = [
        (dt.datetime.combine(s + dt.timedelta(days=7), dt.time(), dt.UTC) - now).total_seconds() / 86_400
        for s in starts
    ]
    cumulative: dict[str, list[float]] = defaultdict(lambda: [0.0] * weeks)
    variance: dict[str, list[float]] = defaultdict(lambda: [0.0] * weeks)

    sums, (by_model, by_prior, not_scored) = _claim_sums(session, creditor_id, livemode, now)
    for currency, total in sums.items():
        previous = 0.0
        for i, edge in enumerate(edges):
            cumulative[currency][i] += total.expected(edge)
            variance[currency][i] += total.variance(previous, edge)
            previous = edge

    groups = instalment_totals.grouped(session, creditor_id, livemode)
    rate = _instalment_rate(groups, today)
    for group in groups:
        if group.plan_status != "active" or group.claim_state != "payment_plan":
            continue  # a finished plan, or one of a claim no longer in its plan
        if group.paid or group.due_date < today:
            continue
        index = (group.due_date - first).days // 7
        if index >= weeks:
            continue
        for i in range(index, weeks):
            cumulative[group.currency][i] += group.amount * rate
        variance[group.currency][index] += group.squares * rate * (1 - rate)

    result = []
    for i, start in enumerate(starts):
        expected, low, high = {}, {}, {}
        for currency in sorted(cumulative):
            before = round(cumulative[currency][i - 1]) if i else 0
            amount = round(cumulative[currency][i]) - before
            spread = Z_95 * math.sqrt(variance[currency][i])
            expected[currency] = amount
            low[currency] = max(0, math.floor(amount - spread))
            high[currency] = math.ceil(amount + spread)
        result.append(WeekForecast(start, expected, low, high))
    return CashForecast(result, by_model, by_prior, not_scored)


def expected_cash_by_week(
    session: Session, *, creditor_id: str, livemode: bool, now: dt.datetime, weeks: int = 12
) -> list[WeekForecast]:
    """The next `weeks` weeks of expected cash for the creditor's claims in one mode."""
    return cash_forecast(session, creditor_id=creditor_id, livemode=livemode, now=now, weeks=weeks).weeks
