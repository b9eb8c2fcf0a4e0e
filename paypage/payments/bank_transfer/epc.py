"""The EPC QR code payload ("GiroCode", EPC069-12 "Quick Response Code: Guidelines to Enable Data Capture
for the Initiation of a SEPA Credit Transfer"), version 002, character set 1 (UTF-8).

The payload is up to twelve elements separated by line feeds, in this order:

    1 service tag `BCD`          5 BIC (optional in version 002 within the EEA)    9 purpose code
    2 version `002`              6 beneficiary name (1-70 characters)             10 structured reference
    3 character set `1` (UTF-8)  7 beneficiary IBAN                              11 unstructured text
    4 identification `SCT`       8 amount `EUR` + 0.01 to 999999999.99           12 beneficiary-to-payer info

Elements 10 and 11 exclude each other. Empty optional elements keep their (empty) line so that the
following ones stay in place, but the last populated element is not followed by any separator. The
encoded payload is at most 331 bytes, which is what QR version 13 holds at error correction level M.
"""

from __future__ import annotations

import re
import unicodedata

from paypage.domain.money import Money
from paypage.payments.bank_transfer.errors import FieldError
from paypage.payments.bank_transfer.iban import is_qr_iban, validate_iban
from paypage.payments.bank_transfer.rf import compact_rf

MAX_PAYLOAD_BYTES = 331
MAX_QR_VERSION = 13
ERROR_CORRECTION = "M"
MAX_NAME_LENGTH = 70
MAX_TEXT_LENGTH = 140
MIN_AMOUNT_CENTS = 1
MAX_AMOUNT_CENTS = 999_999_999_99

# Version 002 lets the BIC be omitted inside the EEA; for a beneficiary in a SEPA country outside it
# (Switzerland, the United Kingdom, Monaco, ...) the BIC stays mandatory (EPC069-12, BIC element "V2: O/M").
EEA_COUNTRIES = frozenset(
    """
    AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK
    """.split()
)

_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
_PURPOSE = re.compile(r"[A-Z0-9]{1,4}")


def _text(field: str, value: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldError(field, "must not be empty")
    # A line feed or carriage return would start a new element and shift every element after it; other
    # control and format characters are invisible and differ from what the debtor sees.
    for char in value:
        if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}:
            raise FieldError(field, f"contains the control character U+{ord(char):04X}")
    value = value.strip()
    if len(value) > limit:
        raise FieldError(field, f"is {len(value)} characters long, at most {limit} are allowed")
    return value


def _amount(amount: Money) -> str:
    if not isinstance(amount, Money):
        raise FieldError("amount", f"expected Money, got {type(amount).__name__}")
    if amount.currency != "EUR":
        raise FieldError("amount", f"an EPC QR code carries euro amounts only, got {amount.currency}")
    if not MIN_AMOUNT_CENTS <= amount.amount <= MAX_AMOUNT_CENTS:
        raise FieldError("amount", f"must be from EUR 0.01 to EUR 999999999.99, got {amount}")
    euros, cents = divmod(amount.amount, 100)
    return f"EUR{euros}.{cents:02d}"


def _bic(bic: str | None, iban: str) -> str:
    if bic is None or not bic.strip():
        if iban[:2] not in EEA_COUNTRIES:
            raise FieldError("bic", f"is required for a beneficiary outside the EEA ({iban[:2]})")
        return ""
    compact = bic.strip().upper()
    if not _BIC.fullmatch(compact):
        raise FieldError("bic", f"{bic!r} is not a BIC (8 or 11 letters and digits)")
    return compact


def epc_payload(
    *,
    name: str,
    iban: str,
    amount: Money,
    bic: str | None = None,
    reference: str | None = None,
    text: str | None = None,
    purpose: str | None = None,
) -> str:
    """The EPC QR payload (version 002, UTF-8, SEPA credit transfer) for paying `amount` to `iban`.

    `reference` is an ISO 11649 RF creditor reference (print or electronic form; it is written in
    electronic form), `text` free remittance text; give at most one of them. Every rule that is broken
    raises `FieldError` (a `ValueError`) whose `field` names the argument.
    """
    if reference is not None and text is not None:
        raise FieldError("reference", "give a structured reference or a text, not both (EPC069-12)")
    account = validate_iban(iban)
    if is_qr_iban(account):
        # A QR-IBAN only accepts payments that carry a QR reference, which a SEPA transfer cannot.
        raise FieldError("iban", "a Swiss QR-IBAN is only for QR-bills; give the account's ordinary IBAN")
    structured = ""
    if reference is not None:
        compact = compact_rf(reference)
        if compact is None:
            raise FieldError("reference", f"{reference!r} is not a valid ISO 11649 RF creditor reference")
        structured = compact
    if purpose is not None and not _PURPOSE.fullmatch(purpose):
        raise FieldError("purpose", f"a purpose code is 1 to 4 letters A-Z or digits, got {purpose!r}")
    elements = [
        "BCD",
        "002",
        "1",
        "SCT",
        _bic(bic, account),
        _text("name", name, MAX_NAME_LENGTH),
        account,
        _amount(amount),
        purpose or "",
        structured,
        _text("text", text, MAX_TEXT_LENGTH) if text is not None else "",
    ]
    while elements[-1] == "":
        elements.pop()
    payload = "\n".join(elements)
    size = len(payload.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise FieldError(
            "payload", f"is {size} bytes, at most {MAX_PAYLOAD_BYTES} fit the QR code: shorten the name or text"
        )
    return payload
