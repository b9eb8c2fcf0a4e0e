"""Which reference a claim's bank transfers carry: a Swiss QR reference when the creditor collects on a
QR-IBAN (it accepts nothing else), an ISO 11649 RF reference otherwise."""

from __future__ import annotations

from typing import Any

from paypage.payments.bank_transfer.iban import is_qr_iban
from paypage.payments.bank_transfer.qr_reference import format_qr_reference, qr_reference_for_claim
from paypage.payments.bank_transfer.rf import format_rf, rf_for_claim


def transfer_reference_for(claim_id: str, account: dict[str, Any] | None) -> str:
    """`account` is the creditor's account for the claim's currency (`settings["bank_accounts"][cur]`)."""
    if account and account.get("iban") and is_qr_iban(str(account["iban"]).replace(" ", "").upper()):
        return qr_reference_for_claim(claim_id, prefix=str(account.get("qr_reference_prefix", "")))
    return rf_for_claim(claim_id)


def format_reference(reference: str) -> str:
    """The print form: `RF18 5390 0754 7034`, or `21 00000 00003 13947 14300 09017` for a QR reference."""
    return format_rf(reference) if reference.upper().startswith("RF") else format_qr_reference(reference)
