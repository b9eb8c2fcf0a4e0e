"""What every payment provider implements. The service speaks only this; each adapter speaks its provider.

A payment starts as a hosted checkout (the provider's page, or the sandbox's own) and ends as a signed
webhook that the adapter turns into `ProviderEvent`s. The booking core dedupes them by
`provider_event_id` and books each payment exactly once, whatever the order or number of deliveries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from paypage.domain.money import Money

EventKind = Literal["payment_succeeded", "payment_failed", "payment_refunded", "recurring_ready"]


class WebhookSignatureError(ValueError):
    """The provider's webhook is not authentic (bad or missing signature): answer 400, book nothing."""


class ProviderError(RuntimeError):
    """The provider refused or could not be reached; the message is safe to log (no card data, no PII)."""


@dataclass(frozen=True)
class CheckoutRequest:
    payment_id: str
    """Our id (`pay_...`); adapters pass it to the provider as the merchant reference and get it back."""
    amount: Money
    method: str
    """Our method id from the country file (`card`, `sepa_debit`, `ideal`, `klarna`, `twint`, ...)."""
    provider_method: str
    """The provider's own type name for it (`sepa_debit` at Stripe, `sepadirectdebit` at Adyen)."""
    country: str
    locale: str
    description: str
    return_url: str
    """Where the provider sends the debtor back after paying (success or not; the webhook decides)."""
    cancel_url: str
    customer_email: str | None = None
    customer_name: str | None = None
    setup_recurring: bool = False
    """Also keep the method for later instalments (a SEPA mandate, a stored card)."""
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Checkout:
    provider_reference: str
    """The provider's id for the session (`cs_...` at Stripe, the session id at Adyen)."""
    redirect_url: str
    expires_at: dt.datetime | None = None


@dataclass(frozen=True)
class ProviderEvent:
    provider_event_id: str
    """Unique per provider notification; the booking core dedupes on (provider, this)."""
    kind: EventKind
    payment_id: str | None
    """Our `pay_...` reference as echoed by the provider; None if the provider sent none."""
    provider_payment_id: str
    amount: Money
    occurred_at: dt.datetime
    method: str | None = None
    failure_reason: str | None = None
    recurring_token: str | None = None
    """For `recurring_ready` (and succeeded payments that set one up): the mandate or stored method."""


@dataclass(frozen=True)
class RecurringCharge:
    provider_payment_id: str
    status: Literal["succeeded", "pending", "failed"]
    failure_reason: str | None = None


@runtime_checkable
class PaymentProvider(Protocol):
    name: str

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """Start a hosted checkout; raises ProviderError."""
        ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> Sequence[ProviderEvent]:
        """Verify the signature over the raw body and return the events it carries (possibly none for
        notifications we do not act on). Raises WebhookSignatureError when it is not authentic."""
        ...

    def charge_recurring(self, token: str, amount: Money, payment_id: str, description: str) -> RecurringCharge:
        """Charge a stored method or mandate for a later instalment; raises ProviderError."""
        ...
