from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paypage.domain.money import CurrencyMismatchError, Money, total
from paypage.formatting import format_money

amounts = st.integers(min_value=-(10**15), max_value=10**15)


@given(amounts, amounts, amounts)
def test_addition_is_exact_and_associative(a: int, b: int, c: int) -> None:
    x, y, z = Money(a, "EUR"), Money(b, "EUR"), Money(c, "EUR")
    assert (x + y) + z == x + (y + z) == Money(a + b + c, "EUR")
    assert (x - y) + y == x


@given(st.lists(amounts, max_size=20))
def test_total_is_the_sum(values: list[int]) -> None:
    assert total([Money(v, "CHF") for v in values], "CHF") == Money(sum(values), "CHF")


def test_mixed_currencies_are_refused() -> None:
    with pytest.raises(CurrencyMismatchError):
        _ = Money(100, "EUR") + Money(100, "CHF")
    with pytest.raises(CurrencyMismatchError):
        _ = Money(100, "EUR") < Money(100, "PLN")


def test_floats_and_unknown_currencies_are_refused() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "EUR")
    with pytest.raises(ValueError, match="unknown currency"):
        Money(1, "XYZ")


@pytest.mark.parametrize(
    ("money", "locale", "text"),
    [
        (Money(123456, "EUR"), "de_DE", "1.234,56\xa0€"),
        (Money(123456, "EUR"), "nl_NL", "€\xa01.234,56"),
        (Money(123456, "CHF"), "de_CH", "CHF\xa01’234.56"),
        (Money(500, "JPY"), "ja_JP", "￥500"),
        (Money(1234, "KWD"), "en", "KWD1.234"),
        (Money(5, "EUR"), "fr_FR", "0,05\xa0€"),
    ],
)
def test_formatting_uses_the_currency_digits_and_the_locale(money: Money, locale: str, text: str) -> None:
    assert format_money(money, locale) == text


def test_str_is_for_logs() -> None:
    assert str(Money(-1205, "EUR")) == "-12.05 EUR"
    assert str(Money(300, "JPY")) == "300 JPY"
