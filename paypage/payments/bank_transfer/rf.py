"""ISO 11649 structured creditor references ("RF references") and the one we derive from a claim id.

An RF reference is `RF`, two check digits, and a payload of 1 to 21 letters or digits. The check digits
follow ISO 7064 mod 97-10, as in IBANs: letters count as A=10 ... Z=35, the payload is followed by `RF00`,
and the check digits are 98 minus the remainder of that number divided by 97. A reference is valid when
payload + `RF` + check digits leaves a remainder of 1. Example from the standard: `RF18 5390 0754 7034`.

The electronic form (no spaces, upper case) is the stored form; the print form groups it by four.
"""

from __future__ import annotations

import re

from paypage.domain.ids import has_prefix
from paypage.payments.bank_transfer.errors import FieldError

MAX_PAYLOAD_LENGTH = 21

_PAYLOAD = re.compile(r"[0-9A-Z]{1,21}")
_REFERENCE = re.compile(r"RF([0-9]{2})([0-9A-Z]{1,21})")
# Only spaces separate the groups of the print form; anything else is not part of a reference.
_SPACES = re.compile(r" +")


def _mod97(text: str) -> int:
    # int(c, 36) maps 0-9 to 0-9 and A-Z to 10-35, exactly the ISO 7064 letter conversion.
    return int("".join(str(int(char, 36)) for char in text)) % 97


def make_rf(payload: str) -> str:
    """The RF reference (electronic form) for a payload of 1 to 21 letters or digits (case-insensitive)."""
    if not isinstance(payload, str) or not _PAYLOAD.fullmatch(payload.upper()):
        raise FieldError(
            "reference", f"an RF payload is 1 to {MAX_PAYLOAD_LENGTH} letters A-Z or digits 0-9, got {payload!r}"
        )
    normalised = payload.upper()
    check = 98 - _mod97(normalised + "RF00")
    return f"RF{check:02d}{normalised}"


def compact_rf(text: str) -> str | None:
    """The electronic form of an RF reference written with spaces or in lower case, or None if invalid."""
    if not isinstance(text, str):
        return None
    compact = _SPACES.sub("", text.strip()).upper()
    match = _REFERENCE.fullmatch(compact)
    if match is None:
        return None
    # Check digits 00, 01 and 99 also pass the mod-97 test (they alias 97, 98 and 02), but the standard only
    # issues 02-98; accepting the aliases would give one reference two stored forms.
    if not 2 <= int(match.group(1)) <= 98:
        return None
    if _mod97(match.group(2) + "RF" + match.group(1)) != 1:
        return None
    return compact


def is_valid_rf(text: str) -> bool:
    """True for a valid RF reference, in electronic or print form (spaces allowed, any case)."""
    return compact_rf(text) is not None


def format_rf(reference: str) -> str:
    """The print form: groups of four characters, the last group possibly shorter (`RF18 5390 0754 7034`)."""
    compact = compact_rf(reference)
    if compact is None:
        raise FieldError("reference", f"{reference!r} is not a valid RF creditor reference")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def rf_for_claim(claim_id: str) -> str:
    """The RF reference for a claim: deterministic, so it can be printed, stored and matched again.

    A claim id is `clm_` + 26 Crockford base32 characters (a ULID): 10 for the creation time in
    milliseconds, then 16 for 80 random bits. The payload is the last 21 of them, upper-cased:

    - the five characters left out are the top 25 bits of the timestamp, which change only every nine
      hours or so and carry the least information; the 80 random bits are all kept, so two claims
      collide only if their random parts are equal (about 1 in 10^24 per pair);
    - Crockford's alphabet has no I, L, O or U, so the reference has no look-alike characters;
    - it is a plain suffix of the claim id, so a person can recognise it, and it needs no key.

    The caller stores the result on the claim (unique per creditor) and finds a payment's claim by
    `reference_key` of the reference read from the bank statement.
    """
    if not isinstance(claim_id, str) or not has_prefix(claim_id, "clm"):
        raise FieldError("claim_id", f"expected a claim id (clm_ + 26 base32 characters), got {claim_id!r}")
    return make_rf(claim_id[-MAX_PAYLOAD_LENGTH:].upper())


def reference_key(text: str) -> str | None:
    """The stored form of an RF reference found in a bank statement, or None if it is not a valid one.

    Banks and debtors write references with spaces, in lower case, or with surrounding blanks; the key
    is the electronic form, the same string `rf_for_claim` returns.
    """
    return compact_rf(text)
