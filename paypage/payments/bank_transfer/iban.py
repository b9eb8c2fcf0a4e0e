"""IBANs: validation and normalisation (schwifty), display grouping, and QR-IBAN detection."""

from __future__ import annotations

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from paypage.payments.bank_transfer.errors import FieldError

# Swiss and Liechtenstein QR-IBANs carry an institution id (IID, positions 5-9) in this range; only they
# may be used with a QR reference (Swiss Implementation Guidelines QR-bill, "QR-IBAN").
_QR_IID_RANGE = range(30000, 32000)


def validate_iban(text: str, *, field: str = "iban") -> str:
    """The IBAN in electronic form (upper case, no spaces), or a `FieldError` saying what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise FieldError(field, "an IBAN is required")
    try:
        return str(IBAN(text).compact)
    except SchwiftyException as exc:
        raise FieldError(field, f"{text!r} is not a valid IBAN ({exc})") from exc


def format_iban(iban: str) -> str:
    """The IBAN in print form: groups of four characters, as banks show it (`DE89 3704 0044 ...`)."""
    compact = validate_iban(iban)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def is_qr_iban(iban: str) -> bool:
    """True for a Swiss or Liechtenstein QR-IBAN (institution id 30000-31999); False for any other IBAN."""
    compact = validate_iban(iban)
    return compact[:2] in {"CH", "LI"} and int(compact[4:9]) in _QR_IID_RANGE
