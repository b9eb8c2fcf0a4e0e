"""Instalment plans the debtor chooses: equal monthly amounts that add up exactly to the balance."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from paypage.domain.money import Money


class PlanRuleError(ValueError):
    """The requested plan breaks a rule (too many months, instalment below the minimum)."""


@dataclass(frozen=True)
class Instalment:
    number: int
    due_date: dt.date
    amount: Money


@dataclass(frozen=True)
class PlanRules:
    min_instalment: int
    """Smallest instalment in minor units."""
    max_months: int


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of month `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_business_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def max_months(total: Money, rules: PlanRules) -> int:
    """The most instalments allowed for this balance (0 when no plan is possible)."""
    if total.amount < 2 * rules.min_instalment:
        return 0
    return min(rules.max_months, total.amount // rules.min_instalment)


def months_for_monthly_amount(total: Money, monthly: Money) -> int:
    """How many months a chosen monthly amount takes (the last month pays the rest)."""
    if monthly.currency != total.currency or monthly.amount <= 0:
        raise PlanRuleError("the monthly amount must be positive and in the claim's currency")
    return -(-total.amount // monthly.amount)


def schedule(total: Money, months: int, first_due: dt.date, rules: PlanRules) -> list[Instalment]:
    """`months` instalments, one per month from `first_due`, on business days, summing to `total`.

    The remainder of the division goes one minor unit at a time to the first instalments, so no
    instalment differs from another by more than one cent.
    """
    limit = max_months(total, rules)
    if months < 2 or months > limit:
        raise PlanRuleError(f"choose between 2 and {limit} instalments" if limit else "no plan for this amount")
    base, remainder = divmod(total.amount, months)
    plan = [
        Instalment(
            number=index + 1,
            due_date=next_business_day(add_months(first_due, index)),
            amount=Money(base + (1 if index < remainder else 0), total.currency),
        )
        for index in range(months)
    ]
    if plan[-1].amount.amount < rules.min_instalment:
        raise PlanRuleError("an instalment would be below the minimum")
    return plan
