"""Oscar's Decimal prices to the integer minor units inkasso speaks, and back for display, never via float."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import get_currency_precision


class AmountError(ValueError):
    """A price that has no exact value in the currency's minor units (more decimals than it has)."""


def minor_units(amount: Decimal, currency: str) -> int:
    """`Decimal("123.45")` EUR is 12345, `Decimal("1500")` JPY is 1500, `Decimal("1.234")` KWD is 1234.

    A price with more decimals than the currency has (`Decimal("0.001")` EUR) raises `AmountError` rather
    than being rounded: the claim must be exactly what the order says.
    """
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise AmountError(f"{amount} is not an amount")
    digits = get_currency_precision(currency)
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise AmountError(f"{amount} {currency} has more than {digits} decimal places")
    return int(scaled)


def display(amount: int, currency: str) -> str:
    """`display(12345, "EUR")` is `"123.45 EUR"`: for order notes and the dashboard, in no locale."""
    digits = get_currency_precision(currency)
    return f"{Decimal(amount).scaleb(-digits):.{digits}f} {currency}"
