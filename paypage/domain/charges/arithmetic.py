"""Exact arithmetic for charges: fractions of minor units, rounded once, half up.

Money never passes through a float. Rates come from the rule files as `Decimal` (the loader parses TOML
numbers with `parse_float=Decimal`) and become `Fraction`s here, so a product like
`principal × rate × days / 365` is exact until the one rounding at the end.

Rounding is half up (kaufmännisches Runden, DIN 1333), away from zero for negative amounts: it is what
German and Dutch practice and § 2 Abs. 2 Satz 2 RVG use for amounts shown to a debtor, and, unlike banker's
rounding, a reader can redo it by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction


def exact(value: Decimal | int) -> Fraction:
    """A Decimal or int as an exact Fraction (a Decimal's binary value is never involved)."""
    return Fraction(value)


def round_half_up(value: Fraction) -> int:
    """Round to the nearest integer; exact halves go away from zero (2.5 → 3, -2.5 → -3)."""
    magnitude = abs(value)
    whole = magnitude.numerator // magnitude.denominator
    if magnitude - whole >= Fraction(1, 2):
        whole += 1
    return whole if value >= 0 else -whole


def percent_of(amount: Fraction | int, percent: Decimal | Fraction | int) -> Fraction:
    """`percent` % of `amount`, exactly."""
    return Fraction(amount) * Fraction(percent) / 100


def allocate(parts: Sequence[Fraction]) -> list[int]:
    """Round non-negative `parts` so that they add up to `round_half_up(sum(parts))`.

    Largest remainder method: each part is rounded down, and the units still missing from the rounded total
    go to the parts with the largest remainders (the earlier part wins a tie). A breakdown shown on a letter
    then adds up to the total it explains, and no part is off by more than one minor unit.
    """
    if any(part < 0 for part in parts):
        raise ValueError("allocate() takes non-negative parts")
    floors = [part.numerator // part.denominator for part in parts]
    missing = round_half_up(sum(parts, Fraction(0))) - sum(floors)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(parts[i] - floors[i]), i))
    for index in by_remainder[:missing]:
        floors[index] += 1
    return floors
