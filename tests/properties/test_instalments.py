"""Instalment plans under every country's rules and any creditor narrowing: the plan sums to the balance,
no instalment is below the country's (or the creditor's higher) minimum, due dates are weekdays, one a
month, and a plan the rules do not allow is refused rather than bent."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from paypage.domain.countries import all_countries
from paypage.domain.instalments import PlanRuleError, max_months, schedule
from paypage.domain.money import Money
from paypage.services.plans import rules_for

COUNTRIES = [country for country in all_countries() if country.currency is not None]


@settings(max_examples=150, deadline=None)
@given(
    country=st.sampled_from(COUNTRIES),
    balance=st.integers(min_value=0, max_value=10**9),
    months=st.integers(min_value=0, max_value=40),
    start=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2032, 12, 31)),
    own=st.fixed_dictionaries(
        {},
        optional={
            "min_instalment": st.integers(min_value=0, max_value=50_000),
            "max_months": st.integers(min_value=0, max_value=48),
            "allowed": st.booleans(),
        },
    ),
)
def test_plans_never_break_the_country_rules(
    country: object, balance: int, months: int, start: dt.date, own: dict[str, object]
) -> None:
    rules = rules_for(country, {"instalments": own})  # type: ignore[arg-type]
    limits = country.instalments  # type: ignore[attr-defined]
    assert rules.min_instalment >= limits.min_instalment
    assert rules.max_months <= limits.max_months
    total = Money(balance, country.currency)  # type: ignore[attr-defined]
    if not 2 <= months <= max_months(total, rules):
        try:
            schedule(total, months, start, rules)
        except PlanRuleError:
            return
        raise AssertionError(f"{months} instalments of {total} were accepted against {rules}")
    plan = schedule(total, months, start, rules)
    assert sum(item.amount.amount for item in plan) == balance
    assert min(item.amount.amount for item in plan) >= rules.min_instalment >= limits.min_instalment
    assert len(plan) <= limits.max_months and limits.allowed and own.get("allowed") is not False
    assert all(item.due_date.weekday() < 5 for item in plan)
    assert all(item.amount.currency == total.currency for item in plan)
    gaps = [(b.due_date - a.due_date).days for a, b in zip(plan, plan[1:], strict=False)]
    assert all(25 <= gap <= 34 for gap in gaps), gaps
