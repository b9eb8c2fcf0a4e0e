"""Wire models for claims: what a creditor hands over and what the API reports back."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, Field, StrictBool, StrictInt, model_validator

from inkasso.types._base import RequestModel, ResponseModel
from inkasso.types._fields import (
    Amount,
    CountryCode,
    CurrencyCode,
    Email,
    Language,
    Phone,
    PositiveAmount,
)

ClaimState = Literal[
    "open",
    "in_collection",
    "payment_plan",
    "paused",
    "disputed",
    "paid",
    "cancelled",
    "escalated",
    "written_off",
]
"""Where a claim stands. `paid`, `cancelled`, `escalated` and `written_off` are final."""

DebtorType = Literal["person", "company"]
"""`person` is a consumer (B2C), `company` a business (B2B); the law treats them differently."""

FeeType = Literal["reminder_fee", "return_debit_fee", "late_payment_fee", "other"]

MAX_METADATA_KEYS = 50
MAX_METADATA_KEY_LENGTH = 40
MAX_METADATA_VALUE_LENGTH = 500
MAX_BATCH_SIZE = 1000

_M = TypeVar("_M", dict[str, str], dict[str, str | None])

ExternalReference = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")]


def _check_metadata_keys(value: _M) -> _M:
    if len(value) > MAX_METADATA_KEYS:
        raise ValueError(f"at most {MAX_METADATA_KEYS} keys are allowed")
    for key, item in value.items():
        if not key or len(key) > MAX_METADATA_KEY_LENGTH:
            raise ValueError(f"key '{key[:60]}' must be 1 to {MAX_METADATA_KEY_LENGTH} characters")
        if item is not None and len(item) > MAX_METADATA_VALUE_LENGTH:
            raise ValueError(f"value of '{key}' is longer than {MAX_METADATA_VALUE_LENGTH} characters")
    return value


Metadata = Annotated[dict[str, str], AfterValidator(_check_metadata_keys)]
MetadataUpdate = Annotated[dict[str, str | None], AfterValidator(_check_metadata_keys)]


# ---------------------------------------------------------------------------------------------- requests


class AddressParams(RequestModel):
    """A postal address."""

    line1: str = Field(min_length=1, max_length=100)
    """Street and house number."""
    line2: str | None = Field(default=None, max_length=100)
    """Additional address line (c/o, floor, PO box)."""
    postal_code: str = Field(min_length=1, max_length=16)
    city: str = Field(min_length=1, max_length=60)
    region: str | None = Field(default=None, max_length=60)
    """State, canton or province where the postal system uses one."""
    country: CountryCode
    """ISO 3166-1 alpha-2 code."""


class DebtorParams(RequestModel):
    """The person or company that owes the money."""

    type: DebtorType = "person"
    """`person` (consumer) or `company` (business)."""
    name: str = Field(min_length=1, max_length=140)
    """Full name of the person, or the company's registered name."""
    email: Email | None = None
    phone: Phone | None = None
    """Mobile number in E.164 format, for SMS and WhatsApp."""
    address: AddressParams | None = None
    country: CountryCode
    """Country of residence (ISO 3166-1 alpha-2); it decides the legal rules and payment methods."""
    language: Language | None = None
    """Preferred language (`de`, `fr`, `de-CH`, ...); the country's language when absent."""
    date_of_birth: dt.date | None = None
    """Only for persons; helps tell namesakes apart."""

    @model_validator(mode="after")
    def _reachable(self) -> DebtorParams:
        if self.email is None and self.phone is None and self.address is None:
            raise ValueError("a debtor needs at least one of email, phone or address")
        if self.type == "company" and self.date_of_birth is not None:
            raise ValueError("date_of_birth is only allowed for debtors of type 'person'")
        return self


class DebtorUpdateParams(RequestModel):
    """Corrections to the debtor's contact data. Fields left out stay as they are; null clears one."""

    name: str | None = Field(default=None, min_length=1, max_length=140)
    email: Email | None = None
    phone: Phone | None = None
    address: AddressParams | None = None
    language: Language | None = None


class LineItemParams(RequestModel):
    """One line of the invoice."""

    description: str = Field(min_length=1, max_length=200)
    quantity: StrictInt = Field(default=1, ge=1, le=1_000_000)
    unit_amount: Amount
    """Price of one unit in minor units, tax included."""


class FeeParams(RequestModel):
    """A cost the creditor has already incurred and may pass on (a reminder fee, a bank's return fee)."""

    type: FeeType
    amount: PositiveAmount
    """In minor units of the claim's currency."""
    description: str | None = Field(default=None, max_length=200)


class ClaimCreateParams(RequestModel):
    """An overdue invoice handed over for collection."""

    external_reference: ExternalReference
    """The creditor's invoice number; unique per creditor."""
    debtor: DebtorParams
    amount: PositiveAmount
    """The open principal in minor units (cents for EUR)."""
    currency: CurrencyCode
    """ISO 4217 code such as `EUR`, `CHF`, `PLN`."""
    invoice_date: dt.date
    due_date: dt.date
    description: str | None = Field(default=None, max_length=500)
    """What the claim is for, as the debtor will read it."""
    line_items: list[LineItemParams] = Field(default_factory=list, max_length=100)
    """Optional invoice lines; when given, they must add up to `amount`."""
    fees: list[FeeParams] = Field(default_factory=list, max_length=20)
    metadata: Metadata = Field(default_factory=dict)
    """Your own keys and values (at most 50 keys, 40 and 500 characters)."""

    @model_validator(mode="after")
    def _consistent(self) -> ClaimCreateParams:
        if self.due_date < self.invoice_date:
            raise ValueError("due_date must not be before invoice_date")
        if self.line_items:
            total = sum(item.quantity * item.unit_amount for item in self.line_items)
            if total != self.amount:
                raise ValueError(f"line_items add up to {total}, but amount is {self.amount}")
        return self


class ClaimUpdateParams(RequestModel):
    """Changes to a claim: debtor contact corrections and metadata. Amounts never change here."""

    debtor: DebtorUpdateParams | None = None
    metadata: MetadataUpdate | None = None
    """Keys to set; a null value deletes the key."""


class ClaimCancelParams(RequestModel):
    """Why the creditor withdraws the claim."""

    reason: str = Field(min_length=1, max_length=500)


class ClaimBatchParams(RequestModel):
    """Up to 1,000 claims in one request."""

    claims: list[ClaimCreateParams] = Field(min_length=1, max_length=MAX_BATCH_SIZE)
    partial: StrictBool = False
    """False (default): all or nothing. True: store the valid claims and report the others."""


# --------------------------------------------------------------------------------------------- responses


class Address(ResponseModel):
    line1: str
    line2: str | None = None
    postal_code: str
    city: str
    region: str | None = None
    country: str


class Debtor(ResponseModel):
    id: str
    type: DebtorType
    name: str
    email: str | None = None
    phone: str | None = None
    address: Address | None = None
    country: str
    language: str | None = None
    date_of_birth: dt.date | None = None


class LineItem(ResponseModel):
    description: str
    quantity: int
    unit_amount: int
    amount: int
    """quantity × unit_amount."""


class Fee(ResponseModel):
    type: str
    amount: int
    description: str | None = None


class Balance(ResponseModel):
    """What the debtor owes now, in minor units of the claim's currency."""

    principal: int
    interest: int
    fees: int
    paid: int
    outstanding: int
    """principal + interest + fees − paid."""


class Claim(ResponseModel):
    """A claim under collection."""

    id: str
    object: Literal["claim"] = "claim"
    livemode: bool
    state: ClaimState
    external_reference: str
    amount: int
    currency: str
    balance: Balance
    debtor: Debtor
    invoice_date: dt.date
    due_date: dt.date
    description: str | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    fees: list[Fee] = Field(default_factory=list)
    metadata: dict[str, str] = Field(default_factory=dict)
    pay_url: str | None = None
    """The debtor's personal pay link; null once the claim is closed."""
    transfer_reference: str | None = None
    """The reference a bank transfer must carry to be matched to this claim: ISO 11649 (RF), or a Swiss QR
    reference when the creditor collects on a QR-IBAN."""
    cancellation_reason: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
