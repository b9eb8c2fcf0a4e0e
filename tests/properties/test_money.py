"""Money arithmetic: exact, closed under its currency, and refusing anything else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inkasso._iso import CURRENCY_DIGITS

from paypage.domain.money import CurrencyMismatchError, Money, total

CURRENCIES = sorted(CURRENCY_DIGITS)
amounts = st.integers(min_value=-(10**15), max_value=10**15)


@st.composite
def same_currency(draw: st.DrawFn, count: int) -> list[Money]:
    currency = draw(st.sampled_from(CURRENCIES))
    return [Money(draw(amounts), currency) for _ in range(count)]


@given(same_currency(2))
def test_subtraction_undoes_addition_and_negation_is_its_own_inverse(pair: list[Money]) -> None:
    a, b = pair
    assert (a + b) - b == a
    assert a - a == Money.zero(a.currency)
    negated = -a
    assert -negated == a
    assert a + (-b) == a - b
    assert a + b == b + a


@given(same_currency(2))
def test_ordering_follows_the_amounts(pair: list[Money]) -> None:
    a, b = pair
    assert (a < b) == (a.amount < b.amount)
    assert (a <= b) == (a.amount <= b.amount)
    assert (a <= b) or (b < a)


@given(st.lists(amounts, max_size=30), st.sampled_from(CURRENCIES), st.randoms(use_true_random=False))
def test_total_does_not_depend_on_the_order(values: list[int], currency: str, random: object) -> None:
    items = [Money(value, currency) for value in values]
    shuffled = list(items)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert total(items, currency) == total(shuffled, currency) == Money(sum(values), currency)


@given(amounts, amounts, st.sampled_from(CURRENCIES), st.sampled_from(CURRENCIES))
def test_every_operation_refuses_two_currencies(a: int, b: int, first: str, second: str) -> None:
    if first == second:
        return
    x, y = Money(a, first), Money(b, second)
    for operation in (lambda: x + y, lambda: x - y, lambda: x < y, lambda: x <= y):
        with pytest.raises(CurrencyMismatchError):
            operation()
    with pytest.raises(CurrencyMismatchError):
        total([x, y], first)


@given(amounts, st.sampled_from(CURRENCIES))
def test_str_shows_every_minor_unit(amount: int, currency: str) -> None:
    money = Money(amount, currency)
    number, code = str(money).split(" ")
    assert code == currency
    digits = CURRENCY_DIGITS[currency]
    whole, _, fraction = number.lstrip("-").partition(".")
    assert len(fraction) == digits
    assert int(whole + fraction) == abs(amount)
    assert number.startswith("-") == (amount < 0)


@settings(max_examples=40)
@given(
    st.one_of(st.floats(allow_nan=False), st.booleans(), st.decimals(allow_nan=False, places=2), st.text(max_size=3))
)
def test_anything_but_an_int_amount_is_refused(value: object) -> None:
    with pytest.raises(TypeError):
        Money(value, "EUR")  # type: ignore[arg-type]
