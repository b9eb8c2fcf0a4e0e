"""Collection costs in every country our data knows: never negative, never above the statutory cap or
the flat fee, always the sum of their lines, always in the claim's currency."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from paypage.domain.charges import ChargesError, all_rules, collection_fee, flat_fee
from paypage.domain.charges.model import NoCollectionCosts, ScaleCollectionCosts
from paypage.domain.money import Money

WITH_FEES = [rules for rules in all_rules() if rules.fees is not None]


@settings(max_examples=300, deadline=None)
@given(
    rules=st.sampled_from(WITH_FEES),
    debtor_type=st.sampled_from(["person", "company"]),
    principal=st.integers(min_value=0, max_value=10**9),
    on=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31)),
    deducts_vat=st.booleans(),
)
def test_fees_stay_within_their_caps(
    rules: object, debtor_type: Literal["person", "company"], principal: int, on: dt.date, deducts_vat: bool
) -> None:
    fees = rules.fees  # type: ignore[attr-defined]
    country = rules.country  # type: ignore[attr-defined]
    money = Money(principal, fees.currency)
    try:
        result = collection_fee(
            money, country, debtor_type, on=on, creditor_deducts_vat=deducts_vat, apply_unverified=True
        )
    except ChargesError:
        return  # a rule not in force on that day, or a principal above the table we have: refused, not guessed
    assert result.total.currency == money.currency
    assert result.total.amount >= 0
    assert result.total.amount == sum(item.amount.amount for item in result.items)
    assert all(item.amount.currency == money.currency for item in result.items)
    flat = fees.flat_fee.amount if fees.flat_fee is not None and debtor_type == "company" else 0
    rule = fees.collection_costs_for(debtor_type)
    if rule is None or isinstance(rule, NoCollectionCosts):
        assert result.total.amount <= flat
    if isinstance(rule, ScaleCollectionCosts):
        vat_factor = 1 + (rule.vat.percent / 100 if rule.vat is not None and not deducts_vat else 0)
        assert result.total.amount <= rule.maximum * vat_factor + flat + 1
        if result.status == "charged" and debtor_type in rule.debtor_types:
            assert result.total.amount >= rule.minimum


@settings(max_examples=100, deadline=None)
@given(
    rules=st.sampled_from(WITH_FEES),
    principal=st.integers(min_value=0, max_value=10**9),
    on=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31)),
)
def test_the_flat_fee_is_the_fixed_amount_or_nothing(rules: object, principal: int, on: dt.date) -> None:
    fees = rules.fees  # type: ignore[attr-defined]
    try:
        result = flat_fee(Money(principal, fees.currency), rules.country, "company", on=on, apply_unverified=True)  # type: ignore[attr-defined]
    except ChargesError:
        return
    allowed = {0} | ({fees.flat_fee.amount} if fees.flat_fee is not None else set())
    assert result.total.amount in allowed
