"""Which reference a bank credit carries: an ISO 11649 RF reference or a Swiss QR reference, normalised
to the stored form (electronic RF form, or the 27 digits of a QR reference).

The structured field (`Strd/CdtrRefInf/Ref`) is trusted first. Debtors who type the transfer by hand
often put the reference into the free text instead, in print form (`RF18 5390 0754 7034`), glued to
other words by punctuation, or split across the statement's text lines; the text is therefore read as
tokens of letters and digits, and consecutive tokens are joined back together. Only strings whose check
digits are right count, so a stray number is not taken for a reference.
"""

from __future__ import annotations

import re

from paypage.payments.bank_transfer.camt053 import BankCredit
from paypage.payments.bank_transfer.qr_reference import QR_REFERENCE_LENGTH, compact_qr_reference
from paypage.payments.bank_transfer.rf import compact_rf

_RF_MAX_LENGTH = 25  # "RF" + 2 check digits + at most 21 characters
_TOKEN = re.compile(r"[0-9A-Za-z]+")


def stored_reference(text: str) -> str | None:
    """The stored form of an RF or QR reference written in any accepted way, or None."""
    return compact_rf(text) or compact_qr_reference(text)


def _rf_candidates(tokens: list[str], start: int) -> list[str]:
    found: list[str] = []
    joined = ""
    for token in tokens[start:]:
        joined += token.upper()
        if len(joined) > _RF_MAX_LENGTH:
            break
        if compact_rf(joined) is not None:
            found.append(joined)
    return found[::-1]  # the longest first: it used every group the writer put after "RF"


def _qr_candidate(tokens: list[str], start: int) -> str | None:
    joined = ""
    for token in tokens[start:]:
        if not token.isdigit():
            return None
        joined += token
        if len(joined) >= QR_REFERENCE_LENGTH:
            break
    return compact_qr_reference(joined) if len(joined) == QR_REFERENCE_LENGTH else None


def references_in_text(text: str) -> list[str]:
    """Every valid RF or QR reference in free text, in order of appearance, normalised."""
    tokens = _TOKEN.findall(text)
    found: list[str] = []
    for index, token in enumerate(tokens):
        if token[:2].upper() == "RF":
            found.extend(_rf_candidates(tokens, index))
        elif token.isdigit():
            qr_reference = _qr_candidate(tokens, index)
            if qr_reference is not None:
                found.append(qr_reference)
    return list(dict.fromkeys(found))


def reference_candidates(credit: BankCredit) -> list[str]:
    """All references the credit may carry, most trustworthy first (the structured field, then the text).

    More than one is rare, but possible when a debtor pays two claims at once or a number that follows
    the reference happens to pass the check too; the caller can try each against its stored references.
    """
    found: list[str] = []
    if credit.structured_reference:
        exact = stored_reference(credit.structured_reference)
        if exact is not None:
            found.append(exact)
        found.extend(references_in_text(credit.structured_reference))
    if credit.unstructured:
        found.extend(references_in_text(credit.unstructured))
    return list(dict.fromkeys(found))


def find_reference(credit: BankCredit) -> str | None:
    """The RF or QR reference of a credit, normalised to the stored form; None if it carries none."""
    candidates = reference_candidates(credit)
    return candidates[0] if candidates else None
