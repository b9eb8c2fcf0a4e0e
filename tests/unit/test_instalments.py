from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paypage.domain.instalments import (
    PlanRuleError,
    PlanRules,
    add_months,
    max_months,
    months_for_monthly_amount,
    schedule,
)
from paypage.domain.money import Money

RULES = PlanRules(min_instalment=2000, max_months=12)


@given(
    total=st.integers(min_value=4000, max_value=10**9),
    months=st.integers(min_value=2, max_value=12),
    start=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 12, 31)),
)
def test_a_schedule_sums_to_the_balance_on_business_days_never_below_the_minimum(
    total: int, months: int, start: dt.date
) -> None:
    balance = Money(total, "EUR")
    if months > max_months(balance, RULES):
        with pytest.raises(PlanRuleError):
            schedule(balance, months, start, RULES)
        return
    plan = schedule(balance, months, start, RULES)
    assert sum(item.amount.amount for item in plan) == total
    assert all(item.amount.amount >= RULES.min_instalment for item in plan)
    assert max(i.amount.amount for i in plan) - min(i.amount.amount for i in plan) <= 1
    assert all(item.due_date.weekday() < 5 for item in plan)
    assert [item.number for item in plan] == list(range(1, months + 1))
    assert all(a.due_date < b.due_date for a, b in zip(plan, plan[1:], strict=False))


def test_six_instalments_of_a_german_claim() -> None:
    plan = schedule(Money(12_845, "EUR"), 6, dt.date(2026, 11, 25), RULES)
    assert [i.amount.amount for i in plan] == [2141, 2141, 2141, 2141, 2141, 2140]
    assert [i.due_date for i in plan] == [
        dt.date(2026, 11, 25),
        dt.date(2026, 12, 25),
        dt.date(2027, 1, 25),
        dt.date(2027, 2, 25),
        dt.date(2027, 3, 25),
        dt.date(2027, 4, 26),  # the 25th is a Sunday
    ]


def test_month_ends_are_clamped() -> None:
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


def test_limits() -> None:
    assert max_months(Money(3999, "EUR"), RULES) == 0
    assert max_months(Money(10_000, "EUR"), RULES) == 5
    assert max_months(Money(10**8, "EUR"), RULES) == 12
    with pytest.raises(PlanRuleError, match="between 2 and 5"):
        schedule(Money(10_000, "EUR"), 6, dt.date(2026, 12, 1), RULES)
    assert months_for_monthly_amount(Money(10_000, "EUR"), Money(3000, "EUR")) == 4
