from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 -- parses our own output, not outside input
from typing import Any

import pytest

from paypage.domain.money import Money
from paypage.payments.bank_transfer.errors import FieldError
from paypage.payments.bank_transfer.svg import make_qr_code
from paypage.payments.bank_transfer.swiss import (
    StructuredAddress,
    payment_part_svg,
    spc_payload,
    swiss_cross_rects,
    swiss_qr_bill,
    swiss_qr_svg,
)
from tests.unit.payments.qr_decoding import BORDER, decode_one, render_png

QR_IBAN = "CH4431999123000889012"
IBAN = "CH9300762011623852957"
QR_REFERENCE = "210000000003139471430009017"
CREDITOR: StructuredAddress = {
    "name": "Robert Schneider AG",
    "street": "Rue du Lac",
    "house_num": "1268",
    "pcode": "2501",
    "city": "Biel",
    "country": "CH",
}
DEBTOR: StructuredAddress = {
    "name": "Pia-Maria Rutschmann-Schnyder",
    "street": "Grosse Marktgasse",
    "house_num": "28",
    "pcode": "9400",
    "city": "Rorschach",
    "country": "CH",
}


def example_bill(**changes: Any) -> Any:
    arguments: dict[str, Any] = {
        "creditor": CREDITOR,
        "iban": QR_IBAN,
        "amount": Money(19995, "CHF"),
        "debtor": DEBTOR,
        "reference": "21 00000 00003 13947 14300 09017",
        "additional_information": "Auftrag vom 15.06.2020",
        "language": "de",
    }
    return swiss_qr_bill(**(arguments | changes))


def test_the_payload_follows_the_spc_element_order() -> None:
    # Swiss Implementation Guidelines QR-bill: header, creditor account and structured address (S),
    # seven empty ultimate-creditor lines, amount and currency, debtor, reference type and reference,
    # unstructured message, trailer EPD; CR LF between elements.
    expected = "\r\n".join(
        ["SPC", "0200", "1", QR_IBAN]
        + ["S", "Robert Schneider AG", "Rue du Lac", "1268", "2501", "Biel", "CH"]
        + [""] * 7
        + ["199.95", "CHF"]
        + ["S", "Pia-Maria Rutschmann-Schnyder", "Grosse Marktgasse", "28", "9400", "Rorschach", "CH"]
        + ["QRR", QR_REFERENCE, "Auftrag vom 15.06.2020", "EPD"]
    )
    assert spc_payload(example_bill()) == expected


def test_the_qr_code_with_its_swiss_cross_decodes_back_to_the_payload() -> None:
    payload = spc_payload(example_bill())
    code = make_qr_code(payload, error="M")
    modules = int(code.symbol_size(border=0)[0])
    decoded = decode_one(render_png(code, overlay=swiss_cross_rects(modules, border=BORDER)))
    assert decoded.ec_level == "M"
    assert decoded.text == payload


def test_the_swiss_cross_is_7_of_46_millimetres_and_centred() -> None:
    white, black, vertical, horizontal = swiss_cross_rects(92, border=4)
    assert white == ("#fff", 43.0, 43.0, 14.0, 14.0)  # 92 modules = 46 mm, so 7 mm = 14 modules
    assert black[0] == "#000" and black[3] == pytest.approx(12.0)
    assert vertical[0] == horizontal[0] == "#fff"
    assert vertical[3] == pytest.approx(12 * 6 / 32) and vertical[4] == pytest.approx(12 * 20 / 32)


def test_a_normal_iban_takes_an_rf_reference_or_none() -> None:
    with_rf = example_bill(iban=IBAN, reference="RF18 5390 0754 7034", amount=Money(100, "EUR"))
    lines = spc_payload(with_rf).split("\r\n")
    assert lines[3] == IBAN
    assert lines[18:20] == ["1.00", "EUR"]
    assert lines[27:29] == ["SCOR", "RF18539007547034"]
    without = example_bill(iban=IBAN, reference=None, debtor=None, additional_information=None)
    lines = spc_payload(without).split("\r\n")
    assert lines[20:27] == [""] * 7  # no debtor
    assert lines[27:30] == ["NON", "", ""]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (dict(reference=None), "reference", "requires"),
        (dict(reference="RF18539007547034"), "reference", "QR reference"),
        (dict(reference="210000000003139471430009018"), "reference", "QR reference"),
        (dict(iban=IBAN), "reference", "RF creditor reference or none"),
        (dict(iban="DE89370400440532013000"), "iban", "Swiss or Liechtenstein"),
        (dict(iban="CH4431999123000889013"), "iban", "not a valid IBAN"),
        (dict(amount=Money(100, "USD")), "amount", "CHF or EUR"),
        (dict(amount=Money(0, "CHF")), "amount", "0.01"),
        (dict(amount=Money(100_000_000_000, "CHF")), "amount", "999999999.99"),
        (
            dict(creditor={"name": "A", "line1": "Rue du Lac 1268", "line2": "2501 Biel", "country": "CH"}),
            "creditor",
            "combined",
        ),
        (dict(creditor={**CREDITOR, "country": ""}), "creditor", "country"),
        (dict(debtor={**DEBTOR, "country": "Schweiz"}), "debtor", "country"),
        (dict(creditor={**CREDITOR, "name": "Ωmega AG"}), "creditor.name", "character set"),
        (dict(creditor={**CREDITOR, "city": "C" * 36}), "creditor", "35"),
        (dict(debtor={**DEBTOR, "pcode": ""}), "debtor", "Postal code"),
        (dict(additional_information="x" * 141), "additional_information", "141"),
        (dict(additional_information="a\r\nb"), "additional_information", "character set"),
        (dict(language="es"), "language", "one of"),
    ],
)
def test_each_broken_rule_names_its_field(changes: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(FieldError, match=message) as error:
        example_bill(**changes)
    assert error.value.field == field


def test_extended_latin_is_accepted() -> None:
    bill = example_bill(debtor={**DEBTOR, "name": "Łukasz Żółć-Šťastný"}, additional_information="Rechnung € 199.95")
    assert "Łukasz Żółć-Šťastný" in spc_payload(bill)


def test_svg_of_the_qr_code_alone() -> None:
    svg = swiss_qr_svg(example_bill(), title="QR-Rechnung an Robert Schneider AG")
    assert svg.startswith("<svg ")
    root = ET.fromstring(svg)  # noqa: S314 -- our own output
    assert root.get("role") == "img"
    assert root.get("aria-label") == "QR-Rechnung an Robert Schneider AG"
    assert root.get("width") is None
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == 4  # the Swiss cross


def test_svg_of_the_payment_part() -> None:
    svg = payment_part_svg(example_bill(), title="Zahlteil mit Empfangsschein")
    assert svg.startswith("<svg ")  # the XML declaration is gone, so it can be inlined
    root = ET.fromstring(svg)  # noqa: S314 -- our own output
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Zahlteil mit Empfangsschein"
    assert root[0].tag == "{http://www.w3.org/2000/svg}title"
    assert root.get("width") == "210mm"  # sized for print; CSS may override
    assert "Zahlteil" in svg and "CH44 3199 9123 0008 8901 2" in svg
