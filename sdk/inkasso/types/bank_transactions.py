"""Wire models for incoming bank transfers: one reported by the creditor, or a CAMT.053 statement."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from inkasso.types._base import RequestModel, ResponseModel
from inkasso.types._fields import CurrencyCode, PositiveAmount

BankTransactionStatus = Literal["booked", "duplicate", "unmatched"]


class BankTransactionParams(RequestModel):
    """A credit on the creditor's account, as the bank reported it."""

    amount: PositiveAmount
    currency: CurrencyCode
    bank_reference: str = Field(min_length=1, max_length=140)
    """The bank's unique id of the transaction (it is booked once per id)."""
    reference: str | None = Field(default=None, max_length=140)
    """The structured reference (RF or Swiss QR reference) the debtor used."""
    remittance_text: str | None = Field(default=None, max_length=500)
    """Free text of the transfer; searched for a reference when `reference` is absent."""
    booking_date: dt.date
    debtor_name: str | None = Field(default=None, max_length=140)


class BankTransaction(ResponseModel):
    object: Literal["bank_transaction"] = "bank_transaction"
    status: BankTransactionStatus
    """`booked` against a claim, `duplicate` (booked before), or `unmatched` (no claim has the reference)."""
    bank_reference: str
    amount: int
    currency: str
    reference: str | None = None
    """The reference found, in its stored form."""
    claim_id: str | None = None
    payment_id: str | None = None


class BankStatementResult(ResponseModel):
    object: Literal["bank_statement_result"] = "bank_statement_result"
    booked: int
    duplicates: int
    unmatched: int
    skipped: int
    """Entries that are not incoming payments (reversals, unbooked entries) and were left alone."""
    transactions: list[BankTransaction]
