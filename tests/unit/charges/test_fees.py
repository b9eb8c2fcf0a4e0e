"""Collection costs and flat fees: hand calculations written out, then properties. Amounts in cents."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paypage.domain.charges import RateNotKnown, RuleNotVerified, collection_fee, flat_fee
from paypage.domain.money import CurrencyMismatchError, Money

ON = dt.date(2026, 3, 1)


def _wik(amount: int) -> int:
    # A business debtor has no waiting period, so the scale itself is what is charged.
    return collection_fee(Money(amount, "EUR"), "NL", "company", on=ON).total.amount


def test_dutch_wik_fee_for_2700() -> None:
    # 15 % of the first 2,500 = 375.00, plus 10 % of the next 200 = 20.00: EUR 395.00.
    result = collection_fee(Money(270000, "EUR"), "NL", "company", on=ON)
    assert result.status == "charged"
    assert result.total == Money(39500, "EUR")
    assert "Stb. 2012, 141" in (result.rule_source or "")


@pytest.mark.parametrize(
    ("principal", "fee"),
    [
        (10000, 4000),  # 15 % of 100.00 = 15.00, raised to the minimum of EUR 40
        (26667, 4000),  # 15 % of 266.67 = 40.0005 -> 40.00
        (250000, 37500),  # 15 % of 2,500
        (1000000, 87500),  # 375 + 250 (10 % of 2,500) + 250 (5 % of 5,000) = 875
        (20000000, 277500),  # 875 + 1,900 (1 % of 190,000) = 2,775
        (100000000, 677500),  # 2,775 + 4,000 (0.5 % of 800,000) = 6,775, exactly the maximum
        (500000000, 677500),  # capped at EUR 6,775
    ],
)
def test_wik_scale_brackets_minimum_and_maximum(principal: int, fee: int) -> None:
    assert _wik(principal) == fee


def test_a_dutch_consumer_owes_collection_costs_only_after_the_14_day_letter() -> None:
    # Letter received 1 Mar 2026; the 14 days run 2-15 Mar (from the day after receipt, country data);
    # costs may be charged from 16 Mar.
    early = collection_fee(
        Money(270000, "EUR"), "NL", "person", on=dt.date(2026, 3, 15), reminder_received_on=dt.date(2026, 3, 1)
    )
    assert (early.status, early.total.amount) == ("waiting_period", 0)
    assert early.prospective_total == Money(39500, "EUR")  # the 14-day letter must state this amount
    assert early.chargeable_from == dt.date(2026, 3, 16)
    due = collection_fee(
        Money(270000, "EUR"), "NL", "person", on=dt.date(2026, 3, 16), reminder_received_on=dt.date(2026, 3, 1)
    )
    assert (due.status, due.total.amount) == ("charged", 39500)
    no_letter = collection_fee(Money(270000, "EUR"), "NL", "person", on=ON)
    assert (no_letter.status, no_letter.chargeable_from) == ("waiting_period", None)


def test_vat_is_added_only_when_the_creditor_cannot_deduct_it_and_the_rate_is_unverified() -> None:
    with pytest.raises(RuleNotVerified, match="VAT"):
        collection_fee(Money(270000, "EUR"), "NL", "company", on=ON, creditor_deducts_vat=False)
    result = collection_fee(
        Money(270000, "EUR"), "NL", "company", on=ON, creditor_deducts_vat=False, apply_unverified=True
    )
    # 395.00 + 21 % = 395.00 + 82.95 = 477.95
    assert result.total == Money(47795, "EUR")
    assert [item.key for item in result.items] == ["collection_costs", "vat"]


def test_german_business_claim_gets_the_40_euro_flat_fee() -> None:
    # § 288 Abs. 5 BGB: EUR 40 for a business debtor, once per claim; nothing for a consumer.
    result = flat_fee(Money(1000000, "EUR"), "DE", "company", on=ON)
    assert (result.status, result.total) == ("charged", Money(4000, "EUR"))
    assert result.items[0].verified and "§ 288 Abs. 5" in result.items[0].source
    assert flat_fee(Money(1000000, "EUR"), "DE", "person", on=ON).status == "no_rules"


def test_german_collection_costs_are_unverified_and_refused_by_default() -> None:
    with pytest.raises(RuleNotVerified, match="§ 13e RDG"):
        collection_fee(Money(1000000, "EUR"), "DE", "person", on=ON)


def test_german_collection_costs_structure_when_accepted() -> None:
    # EUR 10,000 claim, business debtor, uncontested, charged on 1 Mar 2026 (RVG table of 1 Jun 2025):
    #   full fee for a value up to 10,000: EUR 652.00; rate 0.9 -> 586.80 (Nr. 2300 Anm. Abs. 2 VV RVG)
    #   expenses: 20 % of 586.80 = 117.36, capped at EUR 20.00 (Nr. 7002 VV RVG)
    #   flat fee EUR 40 (§ 288 Abs. 5 Satz 1 BGB), set off against the collection costs (Satz 3): -40.00
    #   total 40 + 586.80 + 20 - 40 = EUR 606.80
    result = collection_fee(Money(1000000, "EUR"), "DE", "company", on=ON, apply_unverified=True)
    assert [(item.key, item.amount.amount) for item in result.items] == [
        ("flat_fee", 4000),
        ("collection_costs", 58680),
        ("expenses", 2000),
        ("flat_fee_credit", -4000),
    ]
    assert result.total == Money(60680, "EUR")
    assert not result.verified


def test_german_fee_rate_depends_on_the_stage_and_the_table_in_force() -> None:
    # Paid on the first demand: 0.5 × 93.00 = 46.50 for EUR 1,000 (table of 1 Jun 2025), expenses 9.30.
    first = collection_fee(Money(100000, "EUR"), "DE", "person", on=ON, stage="first_demand", apply_unverified=True)
    assert first.total == Money(4650 + 930, "EUR")
    # Same claim on 1 Mar 2025, under the 2021 table: 0.5 × 88.00 = 44.00, expenses 8.80.
    before = collection_fee(
        Money(100000, "EUR"), "DE", "person", on=dt.date(2025, 3, 1), stage="first_demand", apply_unverified=True
    )
    assert before.total == Money(4400 + 880, "EUR")
    # Up to EUR 50, uncontested: the full fee is EUR 30 (§ 13 Abs. 2 RVG), so 0.9 × 30 = 27.00 + 5.40.
    small = collection_fee(Money(5000, "EUR"), "DE", "person", on=dt.date(2025, 3, 1), apply_unverified=True)
    assert small.total == Money(2700 + 540, "EUR")


def test_german_claims_above_the_fee_table_we_have_are_refused() -> None:
    with pytest.raises(RateNotKnown, match="above the RVG fee table"):
        collection_fee(Money(5000000, "EUR"), "DE", "person", on=ON, apply_unverified=True)


def test_switzerland_charges_no_collection_costs() -> None:
    result = collection_fee(Money(100000, "CHF"), "CH", "person", on=ON)
    assert (result.status, result.total) == ("not_chargeable", Money.zero("CHF"))
    assert "Art. 106" in result.explanation


def test_france_forbids_collection_costs_for_consumers() -> None:
    result = collection_fee(Money(100000, "EUR"), "FR", "person", on=ON)
    assert (result.status, result.total) == ("forbidden", Money.zero("EUR"))
    assert "L111-8" in (result.rule_source or "")
    # No rule for French business debtors in our data: nothing is charged, and the status says why.
    assert collection_fee(Money(100000, "EUR"), "FR", "company", on=ON).status == "no_rules"


def test_a_country_without_rules_charges_nothing() -> None:
    result = collection_fee(Money(100000, "EUR"), "IT", "person", on=ON)
    assert (result.status, result.total, result.items) == ("no_rules", Money.zero("EUR"), ())


def test_fixed_amounts_refuse_another_currency() -> None:
    with pytest.raises(CurrencyMismatchError):
        collection_fee(Money(100000, "EUR"), "CH", "person", on=ON)


# Properties of the WIK scale.
principals = st.integers(min_value=0, max_value=10**9)


@given(principals, principals)
def test_wik_fee_is_monotonic(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert _wik(low) <= _wik(high)


@given(principals)
def test_wik_fee_stays_within_minimum_and_maximum(amount: int) -> None:
    assert 4000 <= _wik(amount) <= 677500


# (start, end, percent) of each linear piece, in cents, between the minimum's and the maximum's reach.
PIECES = [
    (26667, 250000, Fraction(15)),
    (250000, 500000, Fraction(10)),
    (500000, 1000000, Fraction(5)),
    (1000000, 20000000, Fraction(1)),
    (20000000, 100000000, Fraction(1, 2)),
]


@given(st.sampled_from(PIECES), st.data())
def test_wik_fee_is_linear_within_each_bracket(piece: tuple[int, int, Fraction], data: st.DataObject) -> None:
    start, end, percent = piece
    low, high = sorted(data.draw(st.lists(st.integers(start, end), min_size=2, max_size=2)))
    # Exact slope, up to the two roundings of a half cent each.
    slope_cents = (high - low) * percent / 100
    assert abs((_wik(high) - _wik(low)) - slope_cents) <= 1
