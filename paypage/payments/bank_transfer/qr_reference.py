"""Swiss QR references: 27 digits, the last a check digit computed modulo 10, recursive.

A QR reference may only be used with a QR-IBAN, and a QR-IBAN requires one (Swiss Implementation
Guidelines QR-bill). The example from the guidelines is `21 00000 00003 13947 14300 09017`.

Kept apart from `swiss` so that statement matching does not import the QR-bill renderer.
"""

from __future__ import annotations

import re

from paypage.domain.ids import has_prefix
from paypage.payments.bank_transfer.errors import FieldError

QR_REFERENCE_LENGTH = 27

# The carry table of the mod 10 recursive check (the former ISR/ESR procedure): the next carry is
# TABLE[(carry + digit) % 10], the check digit is (10 - final carry) % 10.
_CARRY_TABLE = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)
_DIGITS = re.compile(r"[0-9]+")
_SPACES = re.compile(r" +")
# The random part of a claim id: its last 16 Crockford base32 characters (80 bits).
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def mod10_recursive(digits: str) -> int:
    """The check digit of a string of ASCII digits."""
    carry = 0
    for digit in digits:
        carry = _CARRY_TABLE[(carry + int(digit)) % 10]
    return (10 - carry) % 10


def make_qr_reference(number: str) -> str:
    """The 27-digit QR reference for a number of 1 to 26 digits: left-padded with zeros, check digit added."""
    compact = _SPACES.sub("", number) if isinstance(number, str) else ""
    if not _DIGITS.fullmatch(compact) or len(compact) > QR_REFERENCE_LENGTH - 1:
        raise FieldError("reference", f"a QR reference is built from 1 to 26 digits, got {number!r}")
    body = compact.rjust(QR_REFERENCE_LENGTH - 1, "0")
    return body + str(mod10_recursive(body))


def compact_qr_reference(text: str) -> str | None:
    """The 27 digits of a QR reference written with or without spaces, or None if it is not a valid one."""
    if not isinstance(text, str):
        return None
    compact = _SPACES.sub("", text.strip())
    if len(compact) != QR_REFERENCE_LENGTH or not _DIGITS.fullmatch(compact):
        return None
    if mod10_recursive(compact[:-1]) != int(compact[-1]):
        return None
    return compact


def is_valid_qr_reference(text: str) -> bool:
    """True for a valid 27-digit QR reference (spaces allowed)."""
    return compact_qr_reference(text) is not None


def format_qr_reference(reference: str) -> str:
    """The print form: groups of five digits counted from the right (`21 00000 00003 13947 14300 09017`)."""
    compact = compact_qr_reference(reference)
    if compact is None:
        raise FieldError("reference", f"{reference!r} is not a valid QR reference")
    head = len(compact) % 5
    groups = [compact[:head]] if head else []
    groups += [compact[i : i + 5] for i in range(head, len(compact), 5)]
    return " ".join(groups)


def qr_reference_for_claim(claim_id: str, *, prefix: str = "") -> str:
    """The QR reference for a claim, for creditors who collect on a Swiss QR-IBAN.

    Some banks give the account holder a customer number that must open every QR reference (`prefix`).
    The rest of the 26 digits carries the claim's 80 random bits (25 decimal digits), reduced modulo
    the space left when a prefix takes room: with a 6-digit prefix, 20 digits (about 66 bits) remain,
    still far from any collision between one creditor's claims. The caller stores the result.
    """
    if not isinstance(claim_id, str) or not has_prefix(claim_id, "clm"):
        raise FieldError("claim_id", f"expected a claim id (clm_ + 26 base32 characters), got {claim_id!r}")
    if (prefix and not _DIGITS.fullmatch(prefix)) or len(prefix) > 10:
        raise FieldError("prefix", f"a QR reference prefix is at most 10 digits, got {prefix!r}")
    random_part = 0
    for char in claim_id[-16:]:
        random_part = random_part * 32 + _CROCKFORD.index(char)
    room = QR_REFERENCE_LENGTH - 1 - len(prefix)
    return make_qr_reference(prefix + str(random_part % 10**room).rjust(room, "0"))
