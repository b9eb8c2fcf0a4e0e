from __future__ import annotations

import pytest

from paypage.payments.bank_transfer.errors import FieldError
from paypage.payments.bank_transfer.iban import format_iban, is_qr_iban, validate_iban


def test_validate_normalises_to_the_electronic_form() -> None:
    assert validate_iban(" de89 3704 0044 0532 0130 00 ") == "DE89370400440532013000"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("DE89370400440532013001", "checksum"),
        ("DE8937040044053201300", "length"),
        ("XX89370400440532013000", "IBAN"),
        ("", "required"),
    ],
)
def test_validate_says_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(FieldError, match=reason) as error:
        validate_iban(text)
    assert error.value.field == "iban"


def test_format_groups_by_four() -> None:
    assert format_iban("DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"
    assert format_iban("CH4431999123000889012") == "CH44 3199 9123 0008 8901 2"


@pytest.mark.parametrize(
    ("iban", "expected"),
    [
        ("CH4431999123000889012", True),  # IID 31999: the guidelines' QR-IBAN example
        ("CH9300762011623852957", False),  # IID 00762: an ordinary Swiss IBAN
        ("DE89370400440532013000", False),
    ],
)
def test_qr_iban_is_an_institution_id_from_30000_to_31999(iban: str, expected: bool) -> None:
    assert is_qr_iban(iban) is expected
