from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from paypage.domain.money import Money
from paypage.payments.bank_transfer.camt053 import BankCredit, parse_camt053
from paypage.payments.bank_transfer.matching import (
    find_reference,
    reference_candidates,
    references_in_text,
    stored_reference,
)
from paypage.payments.bank_transfer.qr_reference import qr_reference_for_claim
from paypage.payments.bank_transfer.rf import rf_for_claim

DATA = Path(__file__).parents[2] / "data" / "camt"


def credit(**fields: Any) -> BankCredit:
    values: dict[str, Any] = {
        "amount": Money(1000, "EUR"),
        "booking_date": dt.date(2026, 3, 2),
        "value_date": dt.date(2026, 3, 2),
        "end_to_end_id": None,
        "account_servicer_reference": "X",
        "structured_reference": None,
        "unstructured": None,
        "debtor_name": None,
        "debtor_iban": None,
        "account_iban": None,
        "reversal": False,
        "transaction_index": 0,
        "line": 1,
    }
    return BankCredit(**(values | fields))


def test_the_samples_match_the_claims_they_pay() -> None:
    found = [
        find_reference(c)
        for name in ("de_bank_rf_references", "ch_bank_qr_references", "batch_booking")
        for c in parse_camt053((DATA / f"{name}.camt053.xml").read_bytes())
    ]
    assert found == [
        rf_for_claim("clm_01kjpy4gfshwx9r3jht9xmd8f9"),  # structured field
        rf_for_claim("clm_01kjq8ea6h2z2e5c4xb8zpx301"),  # typed in lower case over two text lines
        rf_for_claim("clm_01kjpy4gfshwx9r3jht9xmd8f9"),  # the returned credit points at the same claim
        "210000000003139471430009017",  # structured QR reference
        qr_reference_for_claim("clm_01kjpy4gfshwx9r3jht9xmd8f9"),  # QR reference in print form in the text
        rf_for_claim("clm_01kjqjr3x9r3zywk9akdz32npr"),  # structured field in print form
        rf_for_claim("clm_01kjqx1xm1brprmwe3z45mdsx2"),  # electronic form in the text
        None,  # an invoice number is no reference
        None,  # no details at all
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RF18539007547034", "RF18539007547034"),
        ("rf18 5390 0754 7034", "RF18539007547034"),
        ("Ref:RF18539007547034, danke", "RF18539007547034"),
        ("Rechnung 12 RF18 5390 0754 7034 vom 1.3.", "RF18539007547034"),
        ("21 00000 00003 13947 14300 09017", "210000000003139471430009017"),
        ("Zahlung 210000000003139471430009017/2026", "210000000003139471430009017"),
        ("Kunde 4711 21 00000 00003 13947 14300 09017", "210000000003139471430009017"),
    ],
)
def test_references_in_free_text(text: str, expected: str) -> None:
    assert references_in_text(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Rechnung 2026-0042",
        "RF17 5390 0754 7034",  # wrong check digits
        "210000000003139471430009018",  # wrong check digit
        "RFID Lesegerät 4711",
        "IBAN DE89370400440532013000",
    ],
)
def test_no_reference_in_text(text: str) -> None:
    assert references_in_text(text) == []
    assert find_reference(credit(unstructured=text)) is None


def test_the_structured_field_comes_before_the_text() -> None:
    paying_two = credit(
        structured_reference="rf18 5390 0754 7034",
        unstructured="und RF51Y4GFSHWX9R3JHT9XMD8F9",
    )
    assert reference_candidates(paying_two) == ["RF18539007547034", "RF51Y4GFSHWX9R3JHT9XMD8F9"]
    assert find_reference(paying_two) == "RF18539007547034"


def test_an_invalid_structured_reference_falls_back_to_the_text() -> None:
    assert find_reference(credit(structured_reference="4711", unstructured="RF18539007547034")) == "RF18539007547034"


def test_stored_reference_normalises_both_kinds() -> None:
    assert stored_reference(" rf18 5390 0754 7034 ") == "RF18539007547034"
    assert stored_reference("21 00000 00003 13947 14300 09017") == "210000000003139471430009017"
    assert stored_reference("4711") is None
