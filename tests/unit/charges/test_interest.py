"""Statutory default interest: hand calculations written out, then properties.

Convention in every example: `start` is the first day of default, `end` the day the money arrives; the
days in between, `end - start`, earn interest. Amounts are in cents.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paypage.domain.charges import (
    InterestRule,
    NoApplicableRule,
    RateNotKnown,
    RuleNotInForce,
    RuleNotVerified,
    accrue,
    round_half_up,
    rules_for,
)
from paypage.domain.money import Money


def _interest(country: str) -> InterestRule:
    rules = rules_for(country)
    assert rules is not None and rules.interest is not None
    return rules.interest


DE, NL, CH = _interest("DE"), _interest("NL"), _interest("CH")


def test_german_consumer_claim_with_the_base_rate_in_force() -> None:
    # EUR 1,234.56 overdue from 15 Jan 2026, paid on 14 Apr 2026.
    # Days: 17 (15-31 Jan) + 28 (Feb) + 31 (Mar) + 13 (1-13 Apr) = 89.
    # Rate: Basiszinssatz 1.27 % from 1 Jan 2026 (Bundesbank) + 5 points (§ 288 Abs. 1 BGB) = 6.27 %.
    # 1,234.56 × 0.0627 = 77.406912 a year; × 89 / 365 = 18.874562... -> EUR 18.87.
    result = accrue(Money(123456, "EUR"), dt.date(2026, 1, 15), dt.date(2026, 4, 14), DE, "person")
    assert result.total == Money(1887, "EUR")
    [period] = result.periods
    assert (period.days, period.rate_percent, period.reference_percent, period.margin) == (
        89,
        Decimal("6.27"),
        Decimal("1.27"),
        Decimal("5"),
    )
    assert period.last_day == dt.date(2026, 4, 13)
    assert period.exact_amount == Fraction(123456) * Fraction(627, 10000) * 89 / 365
    assert result.verified and result.day_count == "act/365" and result.rounding == "half_up"


def test_german_business_claim_uses_nine_points() -> None:
    # EUR 10,000 from 1 Mar 2025 to 1 Jun 2025: 31 + 30 + 31 = 92 days.
    # Rate: 2.27 % (1 Jan 2025) + 9 points (§ 288 Abs. 2 BGB) = 11.27 %.
    # 10,000 × 0.1127 × 92 / 365 = 284.0657... -> EUR 284.07 (the EUR 40 flat fee is in test_fees.py).
    result = accrue(Money(1000000, "EUR"), dt.date(2025, 3, 1), dt.date(2025, 6, 1), DE, "company")
    assert result.total == Money(28407, "EUR")
    assert result.periods[0].rate_percent == Decimal("11.27")


def test_a_rate_change_in_the_middle_splits_the_period() -> None:
    # EUR 1,000, consumer, from 1 Jun 2025 to 1 Aug 2025; the base rate drops on 1 Jul 2025.
    # June:  30 days at 2.27 + 5 = 7.27 %: 1,000 × 0.0727 × 30 / 365 = 5.975342...
    # July:  31 days at 1.27 + 5 = 6.27 %: 1,000 × 0.0627 × 31 / 365 = 5.325205...
    # Total 11.300547... -> EUR 11.30. Rounded alone the lines would be 5.98 + 5.33 = 11.31; the breakdown
    # is allocated so it adds up: 5.97 + 5.32 = 11.29, and the missing cent goes to June's larger remainder.
    result = accrue(Money(100000, "EUR"), dt.date(2025, 6, 1), dt.date(2025, 8, 1), DE, "person")
    assert result.total == Money(1130, "EUR")
    assert [(p.start, p.end, p.days, p.rate_percent, p.amount.amount) for p in result.periods] == [
        (dt.date(2025, 6, 1), dt.date(2025, 7, 1), 30, Decimal("7.27"), 598),
        (dt.date(2025, 7, 1), dt.date(2025, 8, 1), 31, Decimal("6.27"), 532),
    ]


def test_swiss_five_percent_for_a_year() -> None:
    # CHF 10,000 for 2025 (365 days) at 5 % (Art. 104 Abs. 1 OR) = CHF 500.00 exactly.
    result = accrue(Money(1000000, "CHF"), dt.date(2025, 1, 1), dt.date(2026, 1, 1), CH, "person")
    assert result.total == Money(50000, "CHF")


def test_a_leap_year_counts_366_days_over_365() -> None:
    # act/365, our documented choice: 29 Feb earns a 365th like any other day, so the leap year 2024
    # yields 10,000 × 0.05 × 366 / 365 = 501.369863... -> CHF 501.37, not 500.00.
    result = accrue(Money(1000000, "CHF"), dt.date(2024, 1, 1), dt.date(2025, 1, 1), CH, "company")
    assert result.total == Money(50137, "CHF")
    assert result.periods[0].year_days == 365


def test_act_act_divides_leap_year_days_by_366() -> None:
    act_act = CH.model_copy(update={"day_count": "act/act"})
    # 2024 is split from 2025 at 1 January: 366/366 of 5 % = 500.00, plus 31/365 of 5 % for Jan 2025.
    result = accrue(Money(1000000, "CHF"), dt.date(2024, 1, 1), dt.date(2025, 2, 1), act_act, "person")
    assert [p.year_days for p in result.periods] == [366, 365]
    assert result.total == Money(50000 + round_half_up(Fraction(1000000 * 5 * 31, 100 * 365)), "CHF")


def test_dutch_statutory_interest_compounds_after_each_year() -> None:
    # EUR 10,000, consumer, from 1 Jan 2024 to 1 Jul 2025 (art. 6:119 BW).
    # Year 1 (2024, 366 days) at 7 %: 10,000 × 0.07 × 366/365 = 701.917808...
    #   (shown as two lines, 182 + 184 days, because a new row starts on 1 Jul 2024, again at 7 %).
    # After a year the base grows by that interest (art. 6:119 lid 2): 10,701.917808...
    # 1 Jan - 30 Jun 2025 (181 days) at 6 %: 10,701.917808 × 0.06 × 181/365 = 318.418705...
    # Total 1,020.336513... -> EUR 1,020.34.
    result = accrue(Money(1000000, "EUR"), dt.date(2024, 1, 1), dt.date(2025, 7, 1), NL, "person")
    assert result.total == Money(102034, "EUR")
    assert [(p.days, p.base.amount, p.rate_percent) for p in result.periods] == [
        (182, 1000000, Decimal("7")),
        (184, 1000000, Decimal("7")),
        (181, 1070192, Decimal("6")),
    ]
    assert result.compounding == "annual"


def test_a_default_starting_on_29_february_compounds_from_1_march() -> None:
    result = accrue(Money(1000000, "EUR"), dt.date(2024, 2, 29), dt.date(2025, 4, 1), NL, "person")
    grown = [p.start for p in result.periods if p.base.amount > 1000000]
    assert grown[0] == dt.date(2025, 3, 1)


def test_an_unverified_rate_row_is_refused_by_default() -> None:
    # The base rate from 1 Jul 2026 was not found in a Bundesbank publication.
    with pytest.raises(RuleNotVerified, match="2026-07-01") as refused:
        accrue(Money(100000, "EUR"), dt.date(2026, 6, 1), dt.date(2026, 8, 1), DE, "person")
    assert "ThomasMoreAI" in str(refused.value)


def test_an_unverified_rate_can_be_applied_on_purpose_and_is_reported() -> None:
    result = accrue(Money(100000, "EUR"), dt.date(2026, 7, 1), dt.date(2026, 8, 1), DE, "person", apply_unverified=True)
    # 1,000 × (1.52 + 5) % × 31 / 365 = 5.5375... -> EUR 5.54
    assert result.total == Money(554, "EUR")
    assert not result.verified and "2026-07-01" in result.unverified[0]


def test_an_unverified_rule_is_refused() -> None:
    austria = _interest("AT")
    with pytest.raises(RuleNotVerified, match="§ 1000 Abs. 1 ABGB"):
        accrue(Money(100000, "EUR"), dt.date(2026, 1, 1), dt.date(2026, 2, 1), austria, "person")
    with pytest.raises(NoApplicableRule):
        accrue(Money(100000, "EUR"), dt.date(2026, 1, 1), dt.date(2026, 2, 1), austria, "company")


def test_days_outside_the_table_are_never_extrapolated() -> None:
    with pytest.raises(RateNotKnown, match="known until 2026-12-31"):
        accrue(Money(100000, "EUR"), dt.date(2026, 12, 1), dt.date(2027, 2, 1), DE, "person", apply_unverified=True)
    with pytest.raises(RateNotKnown, match="known until 2025-06-30"):
        accrue(Money(100000, "EUR"), dt.date(2025, 6, 1), dt.date(2025, 8, 1), NL, "person")


def test_a_rule_is_not_applied_before_it_took_effect() -> None:
    with pytest.raises(RuleNotInForce, match="2014-07-29"):
        accrue(Money(100000, "EUR"), dt.date(2014, 7, 1), dt.date(2014, 9, 1), DE, "company")
    with pytest.raises(RuleNotInForce):
        accrue(Money(100000, "EUR"), dt.date(2001, 12, 1), dt.date(2002, 2, 1), DE, "person")


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        accrue(Money(100, "EUR"), dt.date(2025, 2, 1), dt.date(2025, 1, 1), DE, "person")
    with pytest.raises(ValueError, match="non-negative"):
        accrue(Money(-100, "EUR"), dt.date(2025, 1, 1), dt.date(2025, 2, 1), DE, "person")


# Properties, on the verified part of the German table (2002-01-01 up to 2026-07-01).
FIRST, LAST = dt.date(2002, 1, 1), dt.date(2026, 7, 1)
principals = st.integers(min_value=0, max_value=10**11)


@st.composite
def dates(draw: st.DrawFn, count: int, low: dt.date = FIRST, high: dt.date = LAST) -> list[dt.date]:
    return sorted(draw(st.lists(st.dates(low, high), min_size=count, max_size=count)))


@given(principals, dates(3))
def test_interest_is_monotonic_in_days(amount: int, days: list[dt.date]) -> None:
    start, shorter, longer = days
    first = accrue(Money(amount, "EUR"), start, shorter, DE, "person").total
    second = accrue(Money(amount, "EUR"), start, longer, DE, "person").total
    assert Money.zero("EUR") <= first <= second


@given(principals, principals, dates(2))
def test_interest_is_monotonic_in_principal(a: int, b: int, days: list[dt.date]) -> None:
    low, high = sorted((a, b))
    start, end = days
    assert (
        accrue(Money(low, "EUR"), start, end, DE, "person").total
        <= accrue(Money(high, "EUR"), start, end, DE, "person").total
    )


@given(principals, dates(3))
def test_interest_is_additive_over_split_periods_up_to_one_cent(amount: int, days: list[dt.date]) -> None:
    start, middle, end = days
    principal = Money(amount, "EUR")
    whole = accrue(principal, start, end, DE, "person").total.amount
    parts = accrue(principal, start, middle, DE, "person").total.amount
    parts += accrue(principal, middle, end, DE, "person").total.amount
    assert abs(whole - parts) <= 1


@given(principals, st.dates(FIRST, LAST))
def test_zero_days_earn_nothing(amount: int, day: dt.date) -> None:
    result = accrue(Money(amount, "EUR"), day, day, DE, "person")
    assert result.total == Money.zero("EUR") and result.periods == ()


@given(principals, dates(2))
def test_the_breakdown_covers_the_period_and_adds_up(amount: int, days: list[dt.date]) -> None:
    start, end = days
    result = accrue(Money(amount, "EUR"), start, end, DE, "person")
    assert sum(p.days for p in result.periods) == (end - start).days
    assert all(a.end == b.start for a, b in zip(result.periods, result.periods[1:], strict=False))
    assert sum(p.amount.amount for p in result.periods) == result.total.amount
    assert all(abs(p.amount.amount - p.exact_amount) < 1 for p in result.periods)
    assert all(p.amount.amount >= 0 for p in result.periods)


@given(principals, dates(2, dt.date(2020, 1, 1), dt.date(2030, 1, 1)))
def test_swiss_interest_is_one_simple_product(amount: int, days: list[dt.date]) -> None:
    start, end = days
    expected = round_half_up(Fraction(amount * 5 * (end - start).days, 100 * 365))
    assert accrue(Money(amount, "CHF"), start, end, CH, "person").total.amount == expected


@given(principals, dates(3, dt.date(2015, 1, 1), dt.date(2025, 7, 1)))
def test_compounded_dutch_interest_is_monotonic_in_days(amount: int, days: list[dt.date]) -> None:
    start, shorter, longer = days
    first = accrue(Money(amount, "EUR"), start, shorter, NL, "person").total
    assert first <= accrue(Money(amount, "EUR"), start, longer, NL, "person").total
