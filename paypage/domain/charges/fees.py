"""Collection costs and flat fees a creditor may charge a debtor, each line with its source.

```python
result = collection_fee(Money(270000, "EUR"), "NL", "company", on=date(2026, 3, 1))
result.total   # Money(39500, "EUR"): 15 % of 2,500 + 10 % of 200 (Besluit vergoeding BIK, art. 2)
```

What the rule files say per country:

- DE: € 40 flat fee for a business debtor (§ 288 Abs. 5 BGB), set off against collection costs; collection
  costs up to the RVG fee a lawyer could charge (§ 13e RDG, Nr. 2300 VV RVG with the 0.5 / 0.9 rates for
  uncontested claims, Nr. 7002 VV RVG expenses, VAT only if the creditor cannot deduct it).
- NL: the WIK scale on the principal (15 / 10 / 5 / 1 / 0.5 %, at least € 40, at most € 6,775); a consumer
  owes it only after the 14-day letter (the waiting period comes from the country data).
- CH: not chargeable (no statutory basis; damages beyond default interest need proof, Art. 106 OR).
- FR: forbidden for consumers (Art. L111-8 CPCE).
- Elsewhere: no rules, so nothing is charged and the result says so (status "no_rules").

Amounts are computed exactly and each line is rounded once, half up, as the RVG rounds each fee (§ 2 Abs. 2
Satz 2 RVG). Unverified rules raise RuleNotVerified unless `apply_unverified=True`. Pure: `on` is passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from inkasso.types import DebtorType

from paypage.domain.charges.arithmetic import exact, percent_of, round_half_up
from paypage.domain.charges.errors import ChargesError, RateNotKnown, RuleNotInForce, RuleNotVerified
from paypage.domain.charges.loader import rules_for
from paypage.domain.charges.model import (
    DunningStage,
    FeeRules,
    NoCollectionCosts,
    RvgCollectionCosts,
    ScaleCollectionCosts,
    VatRule,
)
from paypage.domain.countries import UnknownCountryError, get_country
from paypage.domain.money import CurrencyMismatchError, Money

#: "charged": `total` may be charged now. "waiting_period": not yet (see `chargeable_from`).
#: "not_chargeable" / "forbidden": collection costs cannot be charged (a flat fee may still be).
#: "no_rules": our data has no rule for this country or debtor type, so nothing is charged.
FeeStatus = Literal["charged", "waiting_period", "not_chargeable", "forbidden", "no_rules"]


@dataclass(frozen=True, slots=True)
class FeeItem:
    key: str
    """Stable id for templates: flat_fee, flat_fee_credit, collection_costs, expenses, vat."""
    amount: Money
    """Negative for a credit (the € 40 set off against collection costs)."""
    explanation: str
    source: str
    verified: bool


@dataclass(frozen=True, slots=True)
class FeeResult:
    total: Money
    status: FeeStatus
    explanation: str
    items: tuple[FeeItem, ...] = ()
    rule_source: str | None = None
    prospective_total: Money | None = None
    """During the waiting period: what becomes chargeable afterwards (the 14-day letter must state it)."""
    chargeable_from: dt.date | None = None
    unverified: tuple[str, ...] = ()
    """Rules applied although unverified (only with apply_unverified=True)."""

    @property
    def verified(self) -> bool:
        return not self.unverified


@dataclass
class _Lines:
    """Collects the lines of one result and what was unverified about them."""

    currency: str
    items: list[FeeItem] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    _sources: set[str] = field(default_factory=set)

    def add(self, key: str, amount: int, explanation: str, source: str, verified: bool) -> None:
        self.items.append(FeeItem(key, Money(amount, self.currency), explanation, source, verified))
        self.require(verified, f"{key} ({source})", source)

    def require(self, verified: bool, description: str, source: str) -> None:
        # One entry per source: a rule and the lines computed from it are one thing to verify.
        if not verified and source not in self._sources:
            self._sources.add(source)
            self.unverified.append(description)

    def total(self) -> Money:
        return Money(sum(item.amount.amount for item in self.items), self.currency)


def collection_fee(
    principal: Money,
    country: str,
    debtor_type: DebtorType,
    *,
    on: dt.date,
    stage: DunningStage = "uncontested",
    reminder_received_on: dt.date | None = None,
    creditor_deducts_vat: bool = True,
    apply_unverified: bool = False,
) -> FeeResult:
    """Collection costs and flat fees chargeable on `on` for a claim of `principal` in `country`.

    `stage` picks the German RVG rate; `reminder_received_on` is when the debtor received the letter that
    starts a waiting period (the Dutch 14-day letter); `creditor_deducts_vat=False` adds VAT where the rule
    allows it.
    """
    fees = _fee_rules(principal, country)
    if fees is None:
        return _no_rules(principal, f"no fee rules for {country.upper()} in our data: nothing is charged")
    lines = _Lines(principal.currency)
    _add_flat_fee(lines, fees, debtor_type, on)
    rule = fees.collection_costs_for(debtor_type)
    if rule is None:
        return _finish(
            lines,
            "charged" if lines.items else "no_rules",
            _no_costs_text(country, debtor_type),
            None,
            apply_unverified,
        )
    if on < rule.applies_from:
        raise RuleNotInForce(f"collection costs in {country.upper()}", rule.source, rule.applies_from, on)
    lines.require(rule.verified, f"collection costs {rule.kind} ({rule.source})", rule.source)
    if isinstance(rule, NoCollectionCosts):
        text = f"collection costs are {rule.kind.replace('_', ' ')} for a {debtor_type} debtor: {rule.source}"
        return _finish(lines, rule.kind, text, rule.source, apply_unverified)
    if isinstance(rule, RvgCollectionCosts):
        _add_rvg(lines, rule, principal, on, stage, creditor_deducts_vat)
        _credit_flat_fee(lines, fees)
        return _finish(
            lines, "charged", "collection costs within the RVG cap (§ 13e RDG)", rule.source, apply_unverified
        )
    return _scale_result(
        lines, rule, principal, country, debtor_type, on, reminder_received_on, creditor_deducts_vat, apply_unverified
    )


def flat_fee(
    principal: Money, country: str, debtor_type: DebtorType, *, on: dt.date, apply_unverified: bool = False
) -> FeeResult:
    """Only the flat fee (§ 288 Abs. 5 BGB), for when collection costs are not charged or not verified."""
    fees = _fee_rules(principal, country)
    if fees is None:
        return _no_rules(principal, f"no fee rules for {country.upper()} in our data: nothing is charged")
    lines = _Lines(principal.currency)
    _add_flat_fee(lines, fees, debtor_type, on)
    if not lines.items:
        return _no_rules(principal, f"no flat fee for a {debtor_type} debtor in {country.upper()} in our data")
    source = fees.flat_fee.source if fees.flat_fee is not None else None
    return _finish(lines, "charged", "flat fee on default", source, apply_unverified)


def _fee_rules(principal: Money, country: str) -> FeeRules | None:
    if principal.amount < 0:
        raise ValueError("fees are computed on a non-negative principal")
    rules = rules_for(country)
    fees = rules.fees if rules is not None else None
    if fees is not None and fees.currency != principal.currency:
        # The fixed amounts (€ 40, the RVG table, the WIK bounds) are in the rules' currency.
        raise CurrencyMismatchError(f"{country.upper()} fee rules are in {fees.currency}, not {principal.currency}")
    return fees


def _no_rules(principal: Money, text: str) -> FeeResult:
    return FeeResult(Money.zero(principal.currency), "no_rules", text)


def _no_costs_text(country: str, debtor_type: DebtorType) -> str:
    return f"no collection cost rule for a {debtor_type} debtor in {country.upper()} in our data"


def _finish(
    lines: _Lines, status: FeeStatus, explanation: str, source: str | None, apply_unverified: bool
) -> FeeResult:
    if lines.unverified and not apply_unverified:
        raise RuleNotVerified(lines.unverified)
    return FeeResult(
        total=lines.total(),
        status=status,
        explanation=explanation,
        items=tuple(lines.items),
        rule_source=source,
        unverified=tuple(lines.unverified),
    )


def _add_flat_fee(lines: _Lines, fees: FeeRules, debtor_type: DebtorType, on: dt.date) -> None:
    rule = fees.flat_fee
    if rule is None or debtor_type not in rule.debtor_types or on < rule.applies_from:
        return
    lines.add("flat_fee", rule.amount, "flat fee on default, once per claim", rule.source, rule.verified)


def _credit_flat_fee(lines: _Lines, fees: FeeRules) -> None:
    """§ 288 Abs. 5 Satz 3 BGB: the flat fee is set off against damages for the costs of legal pursuit."""
    rule = fees.flat_fee
    flat = sum(item.amount.amount for item in lines.items if item.key == "flat_fee")
    costs = sum(item.amount.amount for item in lines.items if item.key in {"collection_costs", "expenses", "vat"})
    if rule is None or not rule.credited_against_collection_costs or not flat or not costs:
        return
    credit = min(flat, costs)
    lines.add("flat_fee_credit", -credit, "flat fee set off against the collection costs", rule.source, rule.verified)


def _add_rvg(
    lines: _Lines,
    rule: RvgCollectionCosts,
    principal: Money,
    on: dt.date,
    stage: DunningStage,
    creditor_deducts_vat: bool,
) -> None:
    schedule = rule.schedule_on(on)
    if schedule is None:
        raise RuleNotInForce("RVG fee table", rule.source, min(s.applies_from for s in rule.schedules), on)
    full_fee = schedule.full_fee(principal.amount)
    if full_fee is None:
        raise RateNotKnown(f"{principal} is above the RVG fee table in our data ({schedule.source})")
    factor = rule.stage_factors[stage]
    fee = round_half_up(exact(full_fee) * exact(factor))
    lines.require(
        schedule.verified,
        f"RVG fee table from {schedule.applies_from.isoformat()} ({schedule.source})",
        schedule.source,
    )
    lines.add(
        "collection_costs",
        fee,
        f"{factor} × {Money(full_fee, principal.currency)} business fee ({stage})",
        rule.source,
        rule.verified,
    )
    expenses = min(round_half_up(percent_of(fee, rule.expenses_percent)), rule.expenses_cap)
    lines.add(
        "expenses",
        expenses,
        f"expenses: {rule.expenses_percent} % of the fee, at most {Money(rule.expenses_cap, principal.currency)}",
        rule.expenses_source,
        rule.verified,
    )
    if not creditor_deducts_vat:
        _add_vat(lines, rule.vat, exact(fee + expenses))


def _add_vat(lines: _Lines, vat: VatRule | None, on_amount: Fraction) -> None:
    if vat is None:
        raise ChargesError("VAT was asked for, but the rule file has no VAT rule for these costs")
    lines.add(
        "vat",
        round_half_up(percent_of(on_amount, vat.percent)),
        f"VAT {vat.percent} % (the creditor cannot deduct it)",
        vat.source,
        vat.verified,
    )


def _scale_amount(rule: ScaleCollectionCosts, principal: int) -> Fraction:
    """The scale applied bracket by bracket, then held between the minimum and the maximum."""
    fee, remaining = Fraction(0), principal
    for bracket in rule.brackets:
        portion = remaining if bracket.width is None else min(remaining, bracket.width)
        fee += percent_of(portion, bracket.percent)
        remaining -= portion
    return min(max(fee, exact(rule.minimum)), exact(rule.maximum))


def _scale_result(
    lines: _Lines,
    rule: ScaleCollectionCosts,
    principal: Money,
    country: str,
    debtor_type: DebtorType,
    on: dt.date,
    reminder_received_on: dt.date | None,
    creditor_deducts_vat: bool,
    apply_unverified: bool,
) -> FeeResult:
    fee = round_half_up(_scale_amount(rule, principal.amount))
    lines.add("collection_costs", fee, "statutory scale on the principal", rule.source, rule.verified)
    if not creditor_deducts_vat:
        _add_vat(lines, rule.vat, exact(fee))
    chargeable_from = None
    if debtor_type in rule.waiting_period_for:
        chargeable_from = _end_of_waiting(lines, country, reminder_received_on)
        if chargeable_from is None or on < chargeable_from:
            result = _finish(lines, "charged", "", rule.source, apply_unverified)
            when = chargeable_from.isoformat() if chargeable_from else "the waiting period after the reminder"
            return FeeResult(
                total=Money.zero(principal.currency),
                status="waiting_period",
                explanation=f"collection costs become chargeable from {when}",
                rule_source=rule.source,
                prospective_total=result.total,
                chargeable_from=chargeable_from,
                unverified=result.unverified,
            )
    return _finish(lines, "charged", "statutory scale on the principal", rule.source, apply_unverified)


def _end_of_waiting(lines: _Lines, country: str, received: dt.date | None) -> dt.date | None:
    """The first day costs may be charged: the waiting period runs from the day after the letter arrived."""
    try:
        waiting = get_country(country).legal.waiting_period_days
    except UnknownCountryError:
        waiting = None
    if waiting is None:
        raise ChargesError(f"the {country.upper()} cost rule needs a waiting period, but the country data has none")
    lines.require(waiting.verified, f"waiting period ({waiting.source})", waiting.source)
    if received is None:
        return None
    return received + dt.timedelta(days=waiting.value + 1)
