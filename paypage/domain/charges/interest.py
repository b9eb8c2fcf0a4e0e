"""Statutory default interest, accrued day by day on the principal and explained period by period.

```python
rules = rules_for("DE")
result = accrue(Money(123456, "EUR"), date(2026, 1, 15), date(2026, 4, 14), rules.interest, "person")
result.total            # Money(1887, "EUR"): 1,234.56 × 6.27 % × 89/365
result.periods[0].days  # 89
```

Conventions (each recorded with its source in the rule file, and repeated on every result):

- The period is half-open: `start` is the first day interest runs (the day after the due date, § 187 Abs. 1
  BGB) and `end` is the first day it no longer runs (the day the payment arrives). `end - start` days accrue,
  so accruing [a, b) and then [b, c) covers [a, c) exactly once.
- The period is split wherever the rate changes (a new row of the dated table, § 247 Abs. 1 BGB, art. 6:120
  lid 1 BW), at each anniversary of `start` when interest compounds yearly (art. 6:119 lid 2 BW), and at
  1 January under act/act; each piece uses the rate in force on its days.
- Day count per the rule file: act/365 counts every calendar day and divides by 365, leap years included.
- Everything is exact (fractions of minor units) and rounded once, half up, at the end. The periods are then
  rounded so that they add up to the total (largest remainder), so a letter's breakdown sums to its total.
- Unverified terms or rate rows raise RuleNotVerified unless `apply_unverified=True`; the result then lists
  them. Days outside a table raise RateNotKnown: a rate is never extrapolated.

Pure: the caller passes the dates; no clock is read.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from inkasso.types import DebtorType

from paypage.domain.charges.arithmetic import allocate, exact, round_half_up
from paypage.domain.charges.errors import NoApplicableRule, RateNotKnown, RuleNotInForce, RuleNotVerified
from paypage.domain.charges.model import Compounding, DayCount, InterestRule, InterestTerms
from paypage.domain.money import Money

ROUNDING = "half_up"


@dataclass(frozen=True, slots=True)
class InterestPeriod:
    """A stretch of days with one rate and one base: one line of the breakdown."""

    start: dt.date
    end: dt.date
    """Exclusive: the first day after the period."""
    days: int
    base: Money
    """What the interest runs on, rounded for display; grows at each anniversary under annual compounding."""
    rate_percent: Decimal
    """The annual rate applied: the table's rate plus the margin, or the fixed rate."""
    reference_percent: Decimal | None
    """The table's rate on these days (the Basiszinssatz, the wettelijke rente), or None for a fixed rate."""
    margin: Decimal
    year_days: int
    """The divisor of the day count: 365, or 366 for a leap-year day under act/act."""
    amount: Money
    """This period's share of the rounded total."""
    exact_amount: Fraction
    """Unrounded, in minor units."""
    source: str
    verified: bool

    @property
    def last_day(self) -> dt.date:
        """The last day that earns interest, for display ("15.01.2026 – 13.04.2026")."""
        return self.end - dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class InterestResult:
    principal: Money
    start: dt.date
    end: dt.date
    debtor_type: DebtorType
    total: Money
    periods: tuple[InterestPeriod, ...]
    rule_source: str
    compounding: Compounding
    day_count: DayCount
    day_count_source: str
    day_count_verified: bool
    rounding: str
    unverified: tuple[str, ...]
    """Rules and rate rows applied although unverified (only with apply_unverified=True)."""

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def verified(self) -> bool:
        return not self.unverified


@dataclass(frozen=True, slots=True)
class _Rate:
    percent: Decimal
    reference: Decimal | None
    source: str
    verified: bool
    description: str


def accrue(
    principal: Money,
    start: dt.date,
    end: dt.date,
    rule: InterestRule,
    debtor_type: DebtorType,
    *,
    apply_unverified: bool = False,
) -> InterestResult:
    """Statutory default interest on `principal` for the days `start` (inclusive) to `end` (exclusive)."""
    if end < start:
        raise ValueError(f"interest period ends ({end}) before it starts ({start})")
    if principal.amount < 0:
        raise ValueError("interest accrues on a non-negative principal")
    terms = rule.terms_for(debtor_type)
    if terms is None:
        raise NoApplicableRule(f"no statutory interest rule for debtor type {debtor_type!r} in our data")
    if start < terms.applies_from:
        raise RuleNotInForce(f"default interest ({debtor_type})", terms.source, terms.applies_from, start)

    cuts = _cuts(start, end, terms, rule)
    anniversaries = set(_anniversaries(start, end)) if terms.compounding == "annual" else set()
    unverified = [] if terms.verified else [f"default interest for {debtor_type} ({terms.source})"]
    pieces: list[tuple[dt.date, dt.date, Fraction, _Rate, int, Fraction]] = []
    base = exact(principal.amount)
    accrued_this_year = Fraction(0)
    for piece_start, piece_end in pairwise(cuts):
        if piece_start in anniversaries:
            # Art. 6:119 lid 2 BW: after each year the year's interest is added to the base.
            base += accrued_this_year
            accrued_this_year = Fraction(0)
        rate = _rate_for(terms, rule, piece_start, piece_end - dt.timedelta(days=1))
        if not rate.verified and rate.description not in unverified:
            unverified.append(rate.description)
        year_days = _year_days(rule.day_count, piece_start)
        days = (piece_end - piece_start).days
        amount = base * exact(rate.percent) / 100 * days / year_days
        accrued_this_year += amount
        pieces.append((piece_start, piece_end, base, rate, year_days, amount))

    if unverified and not apply_unverified:
        raise RuleNotVerified(unverified)
    shares = allocate([amount for *_, amount in pieces])
    periods = tuple(
        InterestPeriod(
            start=piece_start,
            end=piece_end,
            days=(piece_end - piece_start).days,
            base=Money(round_half_up(piece_base), principal.currency),
            rate_percent=rate.percent,
            reference_percent=rate.reference,
            margin=terms.margin,
            year_days=year_days,
            amount=Money(share, principal.currency),
            exact_amount=amount,
            source=rate.source,
            verified=rate.verified,
        )
        for (piece_start, piece_end, piece_base, rate, year_days, amount), share in zip(pieces, shares, strict=True)
    )
    return InterestResult(
        principal=principal,
        start=start,
        end=end,
        debtor_type=debtor_type,
        total=Money(sum(shares), principal.currency),
        periods=periods,
        rule_source=terms.source,
        compounding=terms.compounding,
        day_count=rule.day_count,
        day_count_source=rule.day_count_source,
        day_count_verified=rule.day_count_verified,
        rounding=ROUNDING,
        unverified=tuple(unverified) if apply_unverified else (),
    )


def _cuts(start: dt.date, end: dt.date, terms: InterestTerms, rule: InterestRule) -> list[dt.date]:
    """The dates where a new piece begins, with `start` first and `end` last (just `[start]` for no days)."""
    cuts = {start, end}
    if terms.rate_table is not None:
        cuts.update(rule.table(terms.rate_table).changes_between(start, end))
    if terms.compounding == "annual":
        cuts.update(_anniversaries(start, end))
    if rule.day_count == "act/act":
        cuts.update(dt.date(year, 1, 1) for year in range(start.year + 1, end.year + 1))
    return sorted(cuts)


def _anniversary(start: dt.date, years: int) -> dt.date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        # Default that began on 29 February: its year ends with 28 February, the next begins on 1 March.
        return dt.date(start.year + years, 3, 1)


def _anniversaries(start: dt.date, end: dt.date) -> list[dt.date]:
    found = []
    years = 1
    while (day := _anniversary(start, years)) < end:
        found.append(day)
        years += 1
    return found


def _year_days(day_count: DayCount, day: dt.date) -> int:
    return 366 if day_count == "act/act" and calendar.isleap(day.year) else 365


def _rate_for(terms: InterestTerms, rule: InterestRule, first: dt.date, last: dt.date) -> _Rate:
    if terms.fixed_percent is not None:
        return _Rate(terms.fixed_percent, None, terms.source, terms.verified, f"fixed rate ({terms.source})")
    if terms.rate_table is None:  # InterestTerms' validator makes this unreachable; mypy needs the narrowing
        raise ValueError("interest terms without a rate")
    table = rule.table(terms.rate_table)
    row, row_at_end = table.row_on(first), table.row_on(last)
    if row is None or row_at_end is None:
        missing = first if row is None else last
        raise RateNotKnown(
            f"{table.name} has no value in our data for {missing.isoformat()} (rows from "
            f"{table.rows[0].valid_from.isoformat()}, known until {table.known_until.isoformat()}; {table.source})"
        )
    description = f"{table.name} {row.percent} % from {row.valid_from.isoformat()} ({row.source})"
    return _Rate(row.percent + terms.margin, row.percent, row.source, row.verified, description)
