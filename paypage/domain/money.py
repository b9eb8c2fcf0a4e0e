"""Money: an integer amount of minor units and an ISO 4217 currency. Never a float."""

from __future__ import annotations

from dataclasses import dataclass

from inkasso._iso import CURRENCY_DIGITS


class CurrencyMismatchError(ValueError):
    """Two amounts in different currencies were combined."""


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("Money.amount must be an int of minor units")
        if self.currency not in CURRENCY_DIGITS:
            raise ValueError(f"unknown currency {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @property
    def digits(self) -> int:
        """Number of minor-unit digits of the currency (2 for EUR, 0 for JPY, 3 for KWD)."""
        return CURRENCY_DIGITS[self.currency]

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        # Only for logs and debugging; the debtor sees amounts formatted by Babel in their locale.
        sign = "-" if self.amount < 0 else ""
        whole, fraction = divmod(abs(self.amount), 10**self.digits)
        return (
            f"{sign}{whole}.{fraction:0{self.digits}d} {self.currency}"
            if self.digits
            else f"{sign}{whole} {self.currency}"
        )


def total(amounts: list[Money], currency: str) -> Money:
    """Sum of amounts that must all be in `currency`."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
