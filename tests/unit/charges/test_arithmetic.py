from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paypage.domain.charges import allocate, round_half_up
from paypage.domain.charges.arithmetic import percent_of


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(5, 2), 3),  # halves go up, not to even (banker's rounding would give 2)
        (Fraction(7, 2), 4),
        (Fraction(-5, 2), -3),  # and away from zero below it
        (Fraction(249, 100), 2),
        (Fraction(251, 100), 3),
        (Fraction(0), 0),
    ],
)
def test_round_half_up(value: Fraction, expected: int) -> None:
    assert round_half_up(value) == expected


def test_percent_of_is_exact() -> None:
    # 15 % of 1 cent is 0.15 cent, kept as a fraction until the one rounding.
    assert percent_of(1, 15) == Fraction(3, 20)


fractions = st.fractions(min_value=0, max_value=10**9, max_denominator=10**6)


@given(st.lists(fractions, max_size=12))
def test_allocate_adds_up_to_the_rounded_total_and_moves_no_part_by_a_unit(parts: list[Fraction]) -> None:
    shares = allocate(parts)
    assert sum(shares) == round_half_up(sum(parts, Fraction(0)))
    assert all(abs(share - part) < 1 for share, part in zip(shares, parts, strict=True))


def test_allocate_gives_the_missing_cent_to_the_largest_remainder() -> None:
    # 5.9753 + 5.3252 = 11.3005 -> 11.30: floors 5 + 5 = 10, the missing unit goes to the .9753 part.
    assert allocate([Fraction(59753, 10000), Fraction(53252, 10000)]) == [6, 5]


def test_allocate_refuses_negative_parts() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        allocate([Fraction(-1)])
