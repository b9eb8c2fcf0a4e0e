from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.ch import esr  # an independent implementation of the same check, installed with qrbill

from paypage.domain.ids import new_id
from paypage.payments.bank_transfer.errors import FieldError
from paypage.payments.bank_transfer.qr_reference import (
    compact_qr_reference,
    format_qr_reference,
    is_valid_qr_reference,
    make_qr_reference,
    mod10_recursive,
    qr_reference_for_claim,
)

GUIDELINES_EXAMPLE = "210000000003139471430009017"
numbers = st.text(alphabet=string.digits, min_size=1, max_size=26)


def test_the_example_of_the_swiss_guidelines() -> None:
    assert is_valid_qr_reference(GUIDELINES_EXAMPLE)
    assert is_valid_qr_reference("21 00000 00003 13947 14300 09017")
    assert make_qr_reference("21000000000313947143000901") == GUIDELINES_EXAMPLE
    assert format_qr_reference(GUIDELINES_EXAMPLE) == "21 00000 00003 13947 14300 09017"
    assert not is_valid_qr_reference("210000000003139471430009018")


def test_short_numbers_are_left_padded() -> None:
    assert make_qr_reference("123456") == "000000000000000000001234565"
    assert format_qr_reference("000000000000000000001234565") == "00 00000 00000 00000 00012 34565"


@pytest.mark.parametrize(
    "text", ["", "21000000000313947143000901", "2100000000031394714300090170", "21000000000313947143000901A"]
)
def test_invalid_references(text: str) -> None:
    assert compact_qr_reference(text) is None


@pytest.mark.parametrize("number", ["", "1" * 27, "12a", "-1", "１２３"])
def test_make_refuses_non_digits_and_overlong_numbers(number: str) -> None:
    with pytest.raises(FieldError) as error:
        make_qr_reference(number)
    assert error.value.field == "reference"


@given(numbers)
def test_round_trip_and_agreement_with_stdnum(number: str) -> None:
    reference = make_qr_reference(number)
    assert len(reference) == 27
    assert reference[:-1].lstrip("0") == number.lstrip("0")
    assert int(reference[-1]) == mod10_recursive(reference[:-1]) == int(esr.calc_check_digit(reference[:-1]))
    assert compact_qr_reference(format_qr_reference(reference)) == reference


@given(numbers, st.data())
def test_a_single_changed_digit_is_detected(number: str, data: st.DataObject) -> None:
    reference = make_qr_reference(number)
    position = data.draw(st.integers(min_value=0, max_value=26))
    digit = data.draw(st.sampled_from(string.digits).filter(lambda d: d != reference[position]))
    assert not is_valid_qr_reference(reference[:position] + digit + reference[position + 1 :])


@given(st.binary(min_size=10, max_size=10), st.sampled_from(["", "210000", "1234567890"]))
def test_claim_references_are_valid_and_deterministic(entropy: bytes, prefix: str) -> None:
    claim_id = new_id("clm", dt.datetime(2026, 3, 2, tzinfo=dt.UTC), entropy)
    reference = qr_reference_for_claim(claim_id, prefix=prefix)
    assert is_valid_qr_reference(reference)
    assert reference.startswith(prefix)
    assert qr_reference_for_claim(claim_id, prefix=prefix) == reference


def test_claim_reference_carries_the_random_bits() -> None:
    low = new_id("clm", dt.datetime(2026, 3, 2, tzinfo=dt.UTC), bytes(9) + b"\x01")
    high = new_id("clm", dt.datetime(2026, 3, 2, tzinfo=dt.UTC), b"\xff" * 10)
    assert qr_reference_for_claim(low) == make_qr_reference("1")
    assert qr_reference_for_claim(high) == make_qr_reference(str(2**80 - 1))


@pytest.mark.parametrize("prefix", ["12345678901", "12a"])
def test_claim_reference_refuses_bad_prefixes(prefix: str) -> None:
    with pytest.raises(FieldError) as error:
        qr_reference_for_claim("clm_01kjpy4gfshwx9r3jht9xmd8f9", prefix=prefix)
    assert error.value.field == "prefix"
