from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paypage.domain.money import Money
from paypage.payments.bank_transfer.epc import MAX_PAYLOAD_BYTES, MAX_QR_VERSION, epc_payload
from paypage.payments.bank_transfer.errors import FieldError
from paypage.payments.bank_transfer.svg import make_qr_code
from tests.unit.payments.qr_decoding import decode_one, render_png

IBAN = "DE89370400440532013000"


def test_worked_example_with_a_creditor_reference() -> None:
    # Built by hand from the element table of EPC069-12: one element per line, LF between elements, the
    # empty BIC and purpose keep their lines, and nothing follows the last populated element.
    expected = (
        "BCD\n"  # 1 service tag
        "002\n"  # 2 version
        "1\n"  # 3 character set: UTF-8
        "SCT\n"  # 4 identification: SEPA credit transfer
        "\n"  # 5 BIC: optional in version 002 inside the EEA
        "Beispiel Inkasso GmbH\n"  # 6 beneficiary name
        "DE89370400440532013000\n"  # 7 beneficiary IBAN
        "EUR123.45\n"  # 8 amount
        "\n"  # 9 purpose: none
        "RF18539007547034"  # 10 structured reference; 11 and 12 are empty and left out entirely
    )
    payload = epc_payload(
        name="Beispiel Inkasso GmbH",
        iban="DE89 3704 0044 0532 0130 00",
        amount=Money(12345, "EUR"),
        reference="RF18 5390 0754 7034",
    )
    assert payload == expected
    assert len(payload.encode("utf-8")) <= MAX_PAYLOAD_BYTES


def test_worked_example_with_text_bic_and_purpose() -> None:
    expected = (
        "BCD\n002\n1\nSCT\nCOBADEFFXXX\nFrançois Müller\nDE89370400440532013000\nEUR1.00\nGDDS\n\nRechnung 4711 – Grüße"
    )
    payload = epc_payload(
        name="François Müller",
        iban=IBAN,
        amount=Money(100, "EUR"),
        bic="cobadeffxxx",
        text="Rechnung 4711 – Grüße",
        purpose="GDDS",
    )
    assert payload == expected


def test_without_remittance_the_payload_ends_with_the_amount() -> None:
    payload = epc_payload(name="A", iban=IBAN, amount=Money(1, "EUR"))
    assert payload == "BCD\n002\n1\nSCT\n\nA\nDE89370400440532013000\nEUR0.01"


@pytest.mark.parametrize(
    ("cents", "text"),
    [(1, "EUR0.01"), (10, "EUR0.10"), (100, "EUR1.00"), (99_999_999_999, "EUR999999999.99")],
)
def test_amount_is_exact_with_two_decimals(cents: int, text: str) -> None:
    assert epc_payload(name="A", iban=IBAN, amount=Money(cents, "EUR")).split("\n")[7] == text


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(dict(reference="RF18539007547034"), id="reference"),
        pytest.param(dict(text="Forderung 2026-0042 – Zahlung für Müller & Söhne"), id="text-utf8"),
        pytest.param(dict(text="X" * 140, name="N" * 70, bic="COBADEFFXXX", purpose="GDDS"), id="largest-ascii"),
    ],
)
def test_the_qr_code_decodes_back_to_the_payload(payload: dict[str, str]) -> None:
    arguments = {"name": "Beispiel Inkasso GmbH", "iban": IBAN, "amount": Money(99_999_999_999, "EUR")}
    text = epc_payload(**(arguments | payload))  # type: ignore[arg-type]
    code = make_qr_code(text, error="M")
    assert code.error == "M"
    assert isinstance(code.version, int) and code.version <= MAX_QR_VERSION
    decoded = decode_one(render_png(code))
    assert decoded.ec_level == "M"
    assert decoded.bytes == text.encode("utf-8")
    assert decoded.text == text


def test_a_payload_over_331_bytes_is_refused() -> None:
    # 70 + 140 two-byte characters: within every character limit, over the byte limit.
    with pytest.raises(FieldError, match="331") as error:
        epc_payload(name="ä" * 70, iban=IBAN, amount=Money(100, "EUR"), text="ü" * 140)
    assert error.value.field == "payload"


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        (dict(iban="DE89370400440532013001"), "iban", "checksum"),
        (dict(name="N" * 71), "name", "71 characters"),
        (dict(name="  "), "name", "empty"),
        (dict(name="Evil\nDE00"), "name", r"U\+000A"),
        (dict(text="T" * 141), "text", "141 characters"),
        (dict(text="a\rb"), "text", r"U\+000D"),
        (dict(reference="RF18539007547034", text="Rechnung 1"), "reference", "not both"),
        (dict(reference="RF17539007547034"), "reference", "RF creditor reference"),
        (dict(reference="4711"), "reference", "RF creditor reference"),
        (dict(amount=Money(0, "EUR")), "amount", "0.01"),
        (dict(amount=Money(100_000_000_000, "EUR")), "amount", "999999999.99"),
        (dict(amount=Money(-500, "EUR")), "amount", "0.01"),
        (dict(amount=Money(1000, "CHF")), "amount", "euro"),
        (dict(iban="CH9300762011623852957"), "bic", "outside the EEA"),
        (dict(iban="CH4431999123000889012", bic="POFICHBEXXX"), "iban", "QR-IBAN"),
        (dict(bic="COBADE"), "bic", "8 or 11"),
        (dict(purpose="GOODS"), "purpose", "1 to 4"),
        (dict(purpose=""), "purpose", "1 to 4"),
    ],
)
def test_each_broken_rule_names_its_field(arguments: dict[str, object], field: str, message: str) -> None:
    valid: dict[str, object] = {"name": "Beispiel Inkasso GmbH", "iban": IBAN, "amount": Money(100, "EUR")}
    with pytest.raises(FieldError, match=message) as error:
        epc_payload(**(valid | arguments))  # type: ignore[arg-type]
    assert error.value.field == field
    assert isinstance(error.value, ValueError)


def test_a_non_eea_beneficiary_with_a_bic_is_accepted() -> None:
    payload = epc_payload(name="Muster AG", iban="CH9300762011623852957", amount=Money(100, "EUR"), bic="POFICHBEXXX")
    assert payload.split("\n")[4] == "POFICHBEXXX"


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), min_size=1, max_size=70
).filter(str.strip)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=140)


@given(names, texts, st.integers(min_value=1, max_value=99_999_999_999))
def test_elements_stay_in_their_lines(name: str, text: str, cents: int) -> None:
    try:
        payload = epc_payload(name=name, iban=IBAN, amount=Money(cents, "EUR"), text=text if text.strip() else None)
    except FieldError as error:
        assert error.field == "payload"  # only the byte limit can refuse these inputs
        return
    lines = payload.split("\n")
    assert lines[:4] == ["BCD", "002", "1", "SCT"]
    assert lines[5] == name.strip()
    assert lines[7] == f"EUR{cents // 100}.{cents % 100:02d}"
    assert lines[-1] != ""
    assert len(payload.encode("utf-8")) <= MAX_PAYLOAD_BYTES
    if text.strip():
        assert lines[10] == text.strip() and len(lines) == 11
    else:
        assert len(lines) == 8
