from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649  # an independent implementation, installed with qrbill

from paypage.domain.ids import new_id
from paypage.payments.bank_transfer.errors import FieldError
from paypage.payments.bank_transfer.rf import (
    compact_rf,
    format_rf,
    is_valid_rf,
    make_rf,
    reference_key,
    rf_for_claim,
)

payloads = st.text(alphabet=string.digits + string.ascii_uppercase, min_size=1, max_size=21)
claim_ids = st.builds(
    lambda millis, entropy: new_id("clm", dt.datetime.fromtimestamp(millis / 1000, dt.UTC), entropy),
    st.integers(min_value=0, max_value=253_402_300_799_000),
    st.binary(min_size=10, max_size=10),
)


def test_the_example_of_the_standard() -> None:
    # ISO 11649's example, as quoted by python-stdnum's documentation and the Swiss QR-bill guidelines.
    assert make_rf("539007547034") == "RF18539007547034"
    assert is_valid_rf("RF18539007547034")
    assert is_valid_rf("RF18 5390 0754 7034")
    assert format_rf("RF18539007547034") == "RF18 5390 0754 7034"
    assert not is_valid_rf("RF17 5390 0754 7034")


def test_letters_count_as_10_to_35() -> None:
    # Y is 34, so "...70Y" is the same digit string as "...7034" and carries the same check digits.
    assert make_rf("5390075470Y") == "RF185390075470Y"
    assert make_rf("5390075470y") == "RF185390075470Y"


def test_print_form_groups_by_four_with_a_short_last_group() -> None:
    assert format_rf("rf185390075470y") == "RF18 5390 0754 70Y"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "RF18",  # no payload
        "RF1853900754703412345678901",  # payload of 23 characters
        "RF18-5390-0754-7034",  # only spaces separate groups
        "RF18 5390\n0754 7034",  # a line break inside is not a print form
        "RX18539007547034",
        "RF01539007547034",  # check digits 01 alias 98 under mod 97; the standard issues 02-98 only
    ],
)
def test_invalid_references(text: str) -> None:
    assert not is_valid_rf(text)
    assert reference_key(text) is None


@pytest.mark.parametrize("payload", ["", "A" * 22, "ÄBC", "AB-C", "12 34", "١٢٣"])
def test_make_rf_refuses_payloads_outside_the_standard(payload: str) -> None:
    with pytest.raises(FieldError) as error:
        make_rf(payload)
    assert error.value.field == "reference"


@given(payloads)
def test_round_trip_and_agreement_with_stdnum(payload: str) -> None:
    reference = make_rf(payload)
    assert reference == "RF" + reference[2:4] + payload
    assert 2 <= int(reference[2:4]) <= 98
    assert iso11649.is_valid(reference)
    assert compact_rf(format_rf(reference)) == reference
    assert reference_key(format_rf(reference).lower()) == reference


@given(payloads, st.data())
def test_a_single_changed_character_is_detected(payload: str, data: st.DataObject) -> None:
    reference = make_rf(payload)
    position = data.draw(st.integers(min_value=2, max_value=len(reference) - 1))
    # A digit for a digit or a letter for a letter changes the mod-97 number by less than 97 times a
    # power of ten, which is never a multiple of 97. (A letter for a digit changes the number's length,
    # so that case is not guaranteed to be caught.)
    same_class = string.digits if reference[position].isdigit() else string.ascii_uppercase
    replacement = data.draw(st.sampled_from(same_class).filter(lambda c: c != reference[position]))
    assert not is_valid_rf(reference[:position] + replacement + reference[position + 1 :])


def test_rf_for_claim_is_the_upper_cased_21_character_suffix() -> None:
    claim_id = "clm_01kjpy4gfshwx9r3jht9xmd8f9"
    reference = rf_for_claim(claim_id)
    assert reference == "RF51Y4GFSHWX9R3JHT9XMD8F9"
    assert reference[4:] == claim_id[-21:].upper()
    assert len(reference) == 25
    assert reference_key("rf51 y4gf shwx 9r3j ht9x md8f 9") == reference


@given(claim_ids)
def test_rf_for_claim_is_valid_and_deterministic(claim_id: str) -> None:
    reference = rf_for_claim(claim_id)
    assert is_valid_rf(reference)
    assert rf_for_claim(claim_id) == reference
    assert reference[4:] == claim_id[-21:].upper()
    # Crockford base32 has no I, L, O or U, so the reference has no look-alike characters.
    assert not set(reference[4:]) & set("ILOU")


@given(claim_ids, claim_ids)
def test_different_claims_get_different_references(first: str, second: str) -> None:
    if first[-21:] != second[-21:]:
        assert rf_for_claim(first) != rf_for_claim(second)


@pytest.mark.parametrize(
    "claim_id", ["pay_01kjpy4gfshwx9r3jht9xmd8f9", "clm_01kjpy4gfshwx9r3jht9xmd8f", "clm_01KJPY4GFSHWX9R3JHT9XMD8F9"]
)
def test_rf_for_claim_refuses_other_ids(claim_id: str) -> None:
    with pytest.raises(FieldError) as error:
        rf_for_claim(claim_id)
    assert error.value.field == "claim_id"
