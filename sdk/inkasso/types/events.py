"""The event catalog: every event the service records and delivers to webhook endpoints.

Each event has an id, a type, a creation time, the API version and, in `data`, a snapshot of the claim
(`data.claim`) plus what is particular to the type. `WebhookEvent` is the union discriminated by `type`,
so `inkasso.webhooks.verify` hands back the precise class.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, TypeAdapter

from inkasso.types._base import ResponseModel
from inkasso.types.claims import Claim

EventType = Literal[
    "claim.created",
    "claim.updated",
    "claim.contacted",
    "claim.viewed",
    "claim.payment_succeeded",
    "claim.payment_failed",
    "claim.payment_refunded",
    "claim.paid",
    "claim.plan_created",
    "claim.plan_instalment_missed",
    "claim.plan_defaulted",
    "claim.paused",
    "claim.resumed",
    "claim.disputed",
    "claim.dispute_resolved",
    "claim.cancelled",
    "claim.escalated",
    "claim.written_off",
    "debtor.message_received",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)


class ClaimData(ResponseModel):
    claim: Claim
    """The claim as it was right after the event (without its pay link)."""
    previous_state: str | None = None
    """For state changes: the state the claim left."""


class ClaimUpdatedData(ClaimData):
    changed: list[str] = Field(default_factory=list)
    """Dotted names of the fields that changed (`debtor.email`, `metadata.note`)."""


class ContactData(ClaimData):
    channel: str
    """`email`, `sms`, `whatsapp` or `letter`."""
    message_id: str | None = None


class PaymentSummary(ResponseModel):
    id: str
    amount: int
    currency: str
    method: str | None = None
    provider: str | None = None


class PaymentData(ClaimData):
    payment: PaymentSummary
    failure_reason: str | None = None


class PlanSummary(ResponseModel):
    id: str
    instalments: int
    instalment_amount: int
    currency: str


class PlanData(ClaimData):
    plan: PlanSummary
    instalment_number: int | None = None


class CancelledData(ClaimData):
    reason: str


class PausedData(ClaimData):
    until: dt.date | None = None
    reason: str | None = None


class DisputeData(ClaimData):
    reason: str | None = None
    resolution: str | None = None


class MessageData(ClaimData):
    channel: str
    intent: str | None = None
    message_id: str | None = None


class _EventBase(ResponseModel):
    id: str
    object: Literal["event"] = "event"
    claim_id: str | None = None
    livemode: bool
    api_version: str
    created_at: dt.datetime


class ClaimCreatedEvent(_EventBase):
    type: Literal["claim.created"]
    data: ClaimData


class ClaimUpdatedEvent(_EventBase):
    type: Literal["claim.updated"]
    data: ClaimUpdatedData


class ClaimContactedEvent(_EventBase):
    type: Literal["claim.contacted"]
    data: ContactData


class ClaimViewedEvent(_EventBase):
    type: Literal["claim.viewed"]
    data: ClaimData


class ClaimPaymentSucceededEvent(_EventBase):
    type: Literal["claim.payment_succeeded"]
    data: PaymentData


class ClaimPaymentFailedEvent(_EventBase):
    type: Literal["claim.payment_failed"]
    data: PaymentData


class ClaimPaymentRefundedEvent(_EventBase):
    type: Literal["claim.payment_refunded"]
    data: PaymentData


class ClaimPaidEvent(_EventBase):
    type: Literal["claim.paid"]
    data: ClaimData


class ClaimPlanCreatedEvent(_EventBase):
    type: Literal["claim.plan_created"]
    data: PlanData


class ClaimPlanInstalmentMissedEvent(_EventBase):
    type: Literal["claim.plan_instalment_missed"]
    data: PlanData


class ClaimPlanDefaultedEvent(_EventBase):
    type: Literal["claim.plan_defaulted"]
    data: PlanData


class ClaimPausedEvent(_EventBase):
    type: Literal["claim.paused"]
    data: PausedData


class ClaimResumedEvent(_EventBase):
    type: Literal["claim.resumed"]
    data: ClaimData


class ClaimDisputedEvent(_EventBase):
    type: Literal["claim.disputed"]
    data: DisputeData


class ClaimDisputeResolvedEvent(_EventBase):
    type: Literal["claim.dispute_resolved"]
    data: DisputeData


class ClaimCancelledEvent(_EventBase):
    type: Literal["claim.cancelled"]
    data: CancelledData


class ClaimEscalatedEvent(_EventBase):
    type: Literal["claim.escalated"]
    data: ClaimData


class ClaimWrittenOffEvent(_EventBase):
    type: Literal["claim.written_off"]
    data: ClaimData


class DebtorMessageReceivedEvent(_EventBase):
    type: Literal["debtor.message_received"]
    data: MessageData


WebhookEvent = Annotated[
    ClaimCreatedEvent
    | ClaimUpdatedEvent
    | ClaimContactedEvent
    | ClaimViewedEvent
    | ClaimPaymentSucceededEvent
    | ClaimPaymentFailedEvent
    | ClaimPaymentRefundedEvent
    | ClaimPaidEvent
    | ClaimPlanCreatedEvent
    | ClaimPlanInstalmentMissedEvent
    | ClaimPlanDefaultedEvent
    | ClaimPausedEvent
    | ClaimResumedEvent
    | ClaimDisputedEvent
    | ClaimDisputeResolvedEvent
    | ClaimCancelledEvent
    | ClaimEscalatedEvent
    | ClaimWrittenOffEvent
    | DebtorMessageReceivedEvent,
    Field(discriminator="type"),
]
"""Any event of the catalog, as the precise class for its `type`."""

WEBHOOK_EVENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(WebhookEvent)


def parse_event(payload: dict[str, Any] | bytes | str) -> WebhookEvent:
    """The typed event for a decoded or raw JSON payload."""
    if isinstance(payload, bytes | str):
        return WEBHOOK_EVENT_ADAPTER.validate_json(payload)  # type: ignore[no-any-return]
    return WEBHOOK_EVENT_ADAPTER.validate_python(payload)  # type: ignore[no-any-return]
