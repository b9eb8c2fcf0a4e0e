"""Wire models for webhook endpoints, their delivery log, and event resends."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from inkasso.types._base import RequestModel, ResponseModel
from inkasso.types.events import EVENT_TYPES

EndpointStatus = Literal["enabled", "disabled"]


def _check_events(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("name at least one event type, or '*' for all")
    unknown = [name for name in value if name != "*" and name not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown event type '{unknown[0]}'")
    return sorted(set(value))


EventSelection = Annotated[list[str], Field(max_length=len(EVENT_TYPES) + 1), AfterValidator(_check_events)]


class WebhookEndpointCreateParams(RequestModel):
    url: str = Field(min_length=1, max_length=2048)
    """Where events are POSTed. https in live mode; private and loopback addresses only in test mode."""
    events: EventSelection = Field(default_factory=lambda: ["*"])
    """Event types to deliver, or `["*"]` for all."""
    description: str | None = Field(default=None, max_length=200)


class WebhookEndpointUpdateParams(RequestModel):
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    events: EventSelection | None = None
    description: str | None = Field(default=None, max_length=200)
    status: EndpointStatus | None = None
    """`disabled` stops deliveries; `enabled` resumes them (and clears an automatic disable)."""


class EventResendParams(RequestModel):
    endpoint: str = Field(min_length=1, max_length=40)
    """The webhook endpoint (`whe_...`) to deliver the event to again."""


class EventResend(ResponseModel):
    """The answer to a resend: a delivery of the event to the endpoint is queued."""

    object: Literal["delivery"] = "delivery"
    event_id: str
    endpoint_id: str
    status: str
    """`pending` until the endpoint acknowledged the delivery; follow it in the endpoint's attempts."""


class WebhookEndpoint(ResponseModel):
    id: str
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    livemode: bool
    url: str
    events: list[str]
    description: str | None = None
    status: EndpointStatus
    disabled_reason: str | None = None
    secret: str | None = None
    """`whsec_...`: only in the answers to create and rotate_secret. Keep it; it is not shown again."""
    created_at: dt.datetime
    updated_at: dt.datetime


class DeletedObject(ResponseModel):
    id: str
    object: str
    deleted: bool


class WebhookAttempt(ResponseModel):
    """One HTTP request made to deliver an event."""

    id: str
    object: Literal["webhook_attempt"] = "webhook_attempt"
    endpoint_id: str
    event_id: str
    event_type: str
    attempt: int
    """1 for the first try of this delivery, 2 for the first retry, ..."""
    status_code: int | None = None
    """The receiver's HTTP status, or null when no answer came (timeout, refused connection)."""
    duration_ms: int
    response_body: str | None = None
    """The first 1,024 characters of the receiver's answer."""
    error: str | None = None
    succeeded: bool
    created_at: dt.datetime
