"""Expected cash by week: when the creditor's money is likely to come in, per currency, with a band.

Two sources, never counted twice:
- Open claims without an active plan: each claim's propensity (`propensity.score`) gives P(paid in full
  within 30 days) and within 90 days. Between those points the chance is spread evenly over the days
  (a piecewise-linear time-to-pay distribution: 0 today, p30 at day 30, p90 at day 90, flat after), and
  the expected part-payments of claims that do not pay in full are spread evenly over the 90 days.
- Active payment plans: each instalment still to be paid counts in the week it falls due, times the
  share of this creditor's past-due instalments that were paid (`PRIOR_INSTALMENT_RATE` until
  `MIN_INSTALMENTS` have fallen due).

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

from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.decisions import propensity
from paypage.store import models

PRIOR_INSTALMENT_RATE = 0.8
MIN_INSTALMENTS = 20
Z_95 = 1.96
MAX_WEEKS = 104


@dataclass(frozen=True)
class WeekForecast:
    week_start: dt.date
    """Monday of the week (UTC); the first week is the current one, counted from `now`."""
    expected: dict[str, int] = field(default_factory=dict)
    """Expected cash in minor units, per ISO 4217 currency."""
    low: dict[str, int] = field(default_factory=dict)
    high: dict[str, int] = field(default_factory=dict)


def _cdf(p30: float, p90: float, days: float) -> float:
    """P(paid in full within `days`) under the piecewise-linear time-to-pay distribution."""
    if days <= 0:
        return 0.0
    if days <= 30:
        return p30 * days / 30
    if days <= 90:
        return p30 + (p90 - p30) * (days - 30) / 60
    return p90


def _instalment_rate(session: Session, creditor_id: str, today: dt.date) -> float:
    plans = session.scalars(select(models.PaymentPlan).where(models.PaymentPlan.creditor_id == creditor_id))
    fallen_due = [item for plan in plans for item in plan.schedule if dt.date.fromisoformat(item["due_date"]) < today]
    if len(fallen_due) < MIN_INSTALMENTS:
        return PRIOR_INSTALMENT_RATE
    return sum(1 for item in fallen_due if item["status"] == "paid") / len(fallen_due)


def expected_cash_by_week(
    session: Session, *, creditor_id: str, livemode: bool, now: dt.datetime, weeks: int = 12
) -> list[WeekForecast]:
    """The next `weeks` weeks of expected cash for the creditor's claims in one mode."""
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

    in_plan = set(
        session.scalars(
            select(models.Claim.id).where(
                models.Claim.creditor_id == creditor_id,
                models.Claim.livemode == livemode,
                models.Claim.state == "payment_plan",
            )
        )
    )
    scores = propensity.score(session, creditor_id=creditor_id, livemode=livemode, now=now)
    for claim_id, found in scores.items():
        if claim_id in in_plan or found.outstanding <= 0:
            continue
        partial = max(found.expected_90 - found.outstanding * found.p_paid_90, 0.0)
        previous = 0.0
        for i, edge in enumerate(edges):
            full = _cdf(found.p_paid_30, found.p_paid_90, edge)
            cumulative[found.currency][i] += found.outstanding * full + partial * min(max(edge, 0.0), 90.0) / 90
            week_p = full - previous
            variance[found.currency][i] += found.outstanding**2 * week_p * (1 - week_p)
            previous = full

    rate = _instalment_rate(session, creditor_id, today)
    plans = session.scalars(
        select(models.PaymentPlan).where(
            models.PaymentPlan.creditor_id == creditor_id,
            models.PaymentPlan.status == "active",
        )
    )
    for plan in plans:
        if plan.claim_id not in in_plan:
            continue  # a plan of the other mode, or of a claim no longer in its plan
        for item in plan.schedule:
            due = dt.date.fromisoformat(item["due_date"])
            if item["status"] == "paid" or due < today:
                continue
            index = (due - first).days // 7
            if index >= weeks:
                continue
            for i in range(index, weeks):
                cumulative[plan.currency][i] += int(item["amount"]) * rate
            variance[plan.currency][index] += int(item["amount"]) ** 2 * rate * (1 - rate)

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
    return result
