"""Swiss QR-bills: what goes in comes back out of the SPC payload, and out of the printed code."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from paypage.domain.money import Money
from paypage.payments.bank_transfer.rf import make_rf
from paypage.payments.bank_transfer.svg import make_qr_code
from paypage.payments.bank_transfer.swiss import StructuredAddress, spc_payload, swiss_cross_rects, swiss_qr_bill
from tests.unit.payments.qr_decoding import BORDER, decode_one, render_png

IBAN = "CH9300762011623852957"
LETTERS = string.ascii_letters + string.digits + "äöüÄÖÜéèàç-'."


def words(max_size: int) -> st.SearchStrategy[str]:
    return st.text(LETTERS, min_size=1, max_size=max_size)


addresses = st.builds(
    lambda name, street, number, pcode, city: StructuredAddress(
        name=name, street=street, house_num=number, pcode=pcode, city=city, country="CH"
    ),
    words(70),
    words(70),
    st.text(string.digits, min_size=1, max_size=5),
    st.text(string.digits, min_size=4, max_size=4),
    words(35),
)
bills = st.fixed_dictionaries(
    {
        "creditor": addresses,
        "debtor": addresses,
        "amount": st.builds(Money, st.integers(min_value=1, max_value=99_999_999_999), st.sampled_from(["CHF", "EUR"])),
        "reference": st.one_of(st.none(), st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=21)),
        "information": st.one_of(st.none(), words(140)),
    }
)


def _bill(drawn: dict[str, object]) -> object:
    reference = drawn["reference"]
    return swiss_qr_bill(
        creditor=drawn["creditor"],  # type: ignore[arg-type]
        iban=IBAN,
        amount=drawn["amount"],  # type: ignore[arg-type]
        debtor=drawn["debtor"],  # type: ignore[arg-type]
        reference=make_rf(str(reference)) if reference else None,
        additional_information=drawn["information"],  # type: ignore[arg-type]
        language="de",
    )


def _fields(address: StructuredAddress) -> list[str]:
    return ["S", address["name"], address["street"], address["house_num"], address["pcode"], address["city"], "CH"]


@settings(max_examples=60, deadline=None)
@given(bills)
def test_the_payload_carries_every_field_back(drawn: dict[str, object]) -> None:
    lines = spc_payload(_bill(drawn)).split("\r\n")
    amount: Money = drawn["amount"]  # type: ignore[assignment]
    assert lines[:4] == ["SPC", "0200", "1", IBAN]
    assert lines[4:11] == _fields(drawn["creditor"])  # type: ignore[arg-type]
    assert lines[11:18] == [""] * 7
    whole, cents = lines[18].split(".")
    assert int(whole) * 100 + int(cents) == amount.amount and len(cents) == 2
    assert lines[19] == amount.currency
    assert lines[20:27] == _fields(drawn["debtor"])  # type: ignore[arg-type]
    reference = drawn["reference"]
    assert lines[27:29] == (["SCOR", make_rf(str(reference))] if reference else ["NON", ""])
    assert lines[29] == (drawn["information"] or "")
    assert lines[30] == "EPD"


@settings(max_examples=8, deadline=None)
@given(bills)
def test_the_printed_code_with_its_cross_scans_back_to_the_payload(drawn: dict[str, object]) -> None:
    payload = spc_payload(_bill(drawn))
    code = make_qr_code(payload, error="M")
    modules = int(code.symbol_size(border=0)[0])
    assert decode_one(render_png(code, overlay=swiss_cross_rects(modules, border=BORDER))).text == payload
