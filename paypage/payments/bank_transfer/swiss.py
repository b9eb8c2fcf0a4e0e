"""The Swiss QR-bill (Swiss Implementation Guidelines QR-bill, SPC version 0200), built with `qrbill`.

Rules enforced here on top of what `qrbill` checks:
- structured addresses only (type S): since 21/22 November 2025 (guidelines version 2.3) combined
  addresses (type K) are no longer valid, so `line1`/`line2` are refused and the country must be given;
- a QR-IBAN (institution id 30000-31999) requires a 27-digit QR reference; any other IBAN takes an
  ISO 11649 RF reference or none (`qrbill` checks this pairing too; the errors here name the field);
- amounts come from `Money` (CHF or EUR, 0.01 to 999999999.99), never from floats;
- text uses the extended Latin character set allowed since version 2.3: printable characters of the
  Unicode blocks Basic Latin, Latin-1 Supplement and Latin Extended-A, plus the euro sign.

The QR code uses error correction level M and carries the Swiss cross (7 mm on the 46 mm symbol).
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from typing import Any, NotRequired, TypedDict

from inkasso._iso import COUNTRIES
from qrbill import QRBill  # type: ignore[import-untyped]

from paypage.domain.money import Money
from paypage.payments.bank_transfer.errors import FieldError
from paypage.payments.bank_transfer.iban import is_qr_iban, validate_iban
from paypage.payments.bank_transfer.qr_reference import (
    compact_qr_reference,
    format_qr_reference,
    is_valid_qr_reference,
    make_qr_reference,
)
from paypage.payments.bank_transfer.rf import compact_rf
from paypage.payments.bank_transfer.svg import code_to_svg, make_qr_code

__all__ = [
    "StructuredAddress",
    "format_qr_reference",
    "is_valid_qr_reference",
    "make_qr_reference",
    "payment_part_svg",
    "spc_payload",
    "swiss_cross_rects",
    "swiss_qr_bill",
    "swiss_qr_svg",
]

CURRENCIES = frozenset({"CHF", "EUR"})
LANGUAGES = frozenset({"de", "fr", "it", "en"})
ERROR_CORRECTION = "M"
MAX_AMOUNT_MINOR = 999_999_999_99
MAX_ADDITIONAL_INFORMATION = 140
# The printed symbol is 46 x 46 mm (without quiet zone) and the Swiss cross on it 7 x 7 mm.
SYMBOL_MM = 46
CROSS_MM = 7

_ADDRESS_KEYS = frozenset({"name", "street", "house_num", "pcode", "city", "country"})


class StructuredAddress(TypedDict):
    """A structured (type S) address, the only kind valid since November 2025."""

    name: str
    pcode: str
    city: str
    #: ISO 3166-1 alpha-2, e.g. "CH".
    country: str
    street: NotRequired[str]
    house_num: NotRequired[str]


def _allowed(char: str) -> bool:
    code = ord(char)
    if unicodedata.category(char) in {"Cc", "Cf"}:
        return False
    return 0x20 <= code <= 0x7E or 0xA0 <= code <= 0x17F or char == "\u20ac"


def _check_text(field: str, value: str) -> None:
    if not isinstance(value, str):
        raise FieldError(field, f"expected text, got {type(value).__name__}")
    for char in value:
        if not _allowed(char):
            raise FieldError(field, f"the character {char!r} (U+{ord(char):04X}) is outside the QR-bill character set")


def _address(field: str, address: StructuredAddress) -> dict[str, str]:
    if not isinstance(address, dict):
        raise FieldError(field, f"expected a structured address (a dict), got {type(address).__name__}")
    if "line1" in address or "line2" in address:
        raise FieldError(field, "combined addresses (line1/line2) are no longer valid since November 2025")
    unknown = set(address) - _ADDRESS_KEYS
    if unknown:
        raise FieldError(field, f"unknown address fields {sorted(unknown)}")
    # qrbill would read a missing country as Switzerland; an address abroad must not silently become Swiss.
    country = address.get("country")
    if not isinstance(country, str) or country not in COUNTRIES:
        raise FieldError(field, f"country must be an ISO 3166-1 alpha-2 code such as 'CH', got {country!r}")
    values: dict[str, str] = {}
    for key, value in address.items():
        if not isinstance(value, str):
            raise FieldError(f"{field}.{key}", f"expected text, got {type(value).__name__}")
        _check_text(f"{field}.{key}", value)
        values[key] = value
    return values


def _amount(amount: Money) -> str:
    if not isinstance(amount, Money):
        raise FieldError("amount", f"expected Money, got {type(amount).__name__}")
    if amount.currency not in CURRENCIES:
        raise FieldError("amount", f"a QR-bill is in CHF or EUR, got {amount.currency}")
    if not 1 <= amount.amount <= MAX_AMOUNT_MINOR:
        raise FieldError("amount", f"must be from 0.01 to 999999999.99, got {amount}")
    whole, cents = divmod(amount.amount, 100)
    return f"{whole}.{cents:02d}"


def _reference(iban: str, reference: str | None) -> str | None:
    if is_qr_iban(iban):
        if reference is None:
            raise FieldError("reference", "a QR-IBAN requires a 27-digit QR reference")
        qr_reference = compact_qr_reference(reference)
        if qr_reference is None:
            raise FieldError("reference", f"a QR-IBAN requires a valid 27-digit QR reference, got {reference!r}")
        return qr_reference
    if reference is None:
        return None
    rf = compact_rf(reference)
    if rf is None:
        raise FieldError(
            "reference", f"with a normal IBAN the reference is an RF creditor reference or none, got {reference!r}"
        )
    return rf


def swiss_qr_bill(
    *,
    creditor: StructuredAddress,
    iban: str,
    amount: Money,
    debtor: StructuredAddress | None = None,
    reference: str | None = None,
    additional_information: str | None = None,
    language: str,
) -> QRBill:
    """A validated `qrbill.QRBill`, with its labels in `language` (de, fr, it or en).

    Every rule broken raises `FieldError` (a `ValueError`) naming the argument. (`qrbill` has no type
    information, so `QRBill` is `Any` to mypy.)
    """
    account = validate_iban(iban)
    if account[:2] not in {"CH", "LI"}:
        raise FieldError("iban", f"a QR-bill is paid to a Swiss or Liechtenstein account, got {account[:2]}")
    if language not in LANGUAGES:
        raise FieldError("language", f"is one of {sorted(LANGUAGES)}, got {language!r}")
    information = ""
    if additional_information is not None:
        _check_text("additional_information", additional_information)
        if len(additional_information) > MAX_ADDITIONAL_INFORMATION:
            raise FieldError(
                "additional_information",
                f"is {len(additional_information)} characters long, at most {MAX_ADDITIONAL_INFORMATION}",
            )
        information = additional_information
    arguments: dict[str, Any] = {
        "account": account,
        "creditor": _address("creditor", creditor),
        "amount": _amount(amount),
        "currency": amount.currency,
        "debtor": _address("debtor", debtor) if debtor is not None else None,
        "reference_number": _reference(account, reference),
        "additional_information": information,
        "language": language,
    }
    try:
        return QRBill(**arguments)
    except ValueError as exc:
        # What qrbill checks beyond the rules above: field lengths (name 70, street 70, house number 16,
        # postal code 16, city 35). Its messages say which address; keep them.
        message = str(exc)
        field = "creditor" if "creditor" in message else "debtor" if "debtor" in message else "bill"
        raise FieldError(field, message) from exc


def spc_payload(bill: QRBill) -> str:
    """The text the Swiss QR code carries (`SPC`, `0200`, ..., `EPD`), lines separated by CR LF."""
    return str(bill.qr_data())


def swiss_cross_rects(modules: int, border: int = 4) -> list[tuple[str, float, float, float, float]]:
    """The Swiss cross as (fill, x, y, width, height) rectangles in QR module units, centred on the symbol.

    `modules` is the symbol's width without quiet zone, which prints as 46 mm; the cross is 7 mm: a white
    square, a black square inset by 0.5 mm, and a white cross in the proportions of the Swiss flag
    (arms 6 wide, spanning 20, on a square of 32).
    """
    unit = modules / SYMBOL_MM  # modules per millimetre
    centre = border + modules / 2
    outer = CROSS_MM * unit
    black = (CROSS_MM - 1) * unit
    arm = black * 6 / 32
    span = black * 20 / 32

    def square(fill: str, width: float, height: float) -> tuple[str, float, float, float, float]:
        return (fill, centre - width / 2, centre - height / 2, width, height)

    return [
        square("#fff", outer, outer),
        square("#000", black, black),
        square("#fff", arm, span),
        square("#fff", span, arm),
    ]


def swiss_qr_svg(bill: QRBill, *, title: str) -> str:
    """The Swiss QR code alone, with its Swiss cross, as accessible inline SVG (error correction M)."""
    code = make_qr_code(spc_payload(bill), error=ERROR_CORRECTION)
    modules = int(code.symbol_size(border=0)[0])
    overlay = "".join(
        f'<rect x="{x:.3f}" y="{y:.3f}" width="{w:.3f}" height="{h:.3f}" fill="{fill}"/>'
        for fill, x, y, w, h in swiss_cross_rects(modules)
    )
    return code_to_svg(code, title=title, overlay=overlay)


_ROOT_START = re.compile(r"<svg\b[^>]*>")


def payment_part_svg(bill: QRBill, *, title: str) -> str:
    """The receipt and payment part (210 x 106 mm, sized in mm for print) as accessible inline SVG."""
    if not title.strip():
        raise ValueError("title: an accessible name is required")
    buffer = io.StringIO()
    bill.as_svg(buffer)
    svg = buffer.getvalue()
    start = svg.find("<svg")
    root = _ROOT_START.match(svg, start) if start >= 0 else None
    if root is None:
        raise RuntimeError("qrbill returned no SVG root element")
    label = html.escape(title, quote=True)
    opening = root.group(0).replace("<svg", f'<svg role="img" aria-label="{label}"', 1)
    return opening + f"<title>{html.escape(title, quote=False)}</title>" + svg[root.end() :]
