"""Oscar's Decimal prices become exact integer minor units in each currency's own number of digits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oscar_inkasso.money import AmountError, display, minor_units


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("123.45", "EUR", 12345),
        ("0.10", "CHF", 10),
        ("19.9", "PLN", 1990),
        ("1500", "JPY", 1500),
        ("1500.00", "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("0", "EUR", 0),
        ("99999999.99", "EUR", 9999999999),
        ("0.30", "EUR", 30),  # 0.1 + 0.2 in float is 0.30000000000000004
    ],
)
def test_minor_units(amount: str, currency: str, expected: int) -> None:
    assert minor_units(Decimal(amount), currency) == expected


@pytest.mark.parametrize(("amount", "currency"), [("0.001", "EUR"), ("10.5", "JPY"), ("1.2345", "KWD")])
def test_finer_than_the_currency_is_refused_not_rounded(amount: str, currency: str) -> None:
    with pytest.raises(AmountError, match=f"{amount} {currency} has more than"):
        minor_units(Decimal(amount), currency)


def test_only_decimals_are_taken() -> None:
    with pytest.raises(TypeError, match="must be a Decimal"):
        minor_units(19.99, "EUR")  # type: ignore[arg-type]
    with pytest.raises(AmountError):
        minor_units(Decimal("NaN"), "EUR")


def test_display() -> None:
    assert [display(12345, "EUR"), display(1500, "JPY"), display(1234, "KWD"), display(5, "EUR")] == [
        "123.45 EUR",
        "1500 JPY",
        "1.234 KWD",
        "0.05 EUR",
    ]
