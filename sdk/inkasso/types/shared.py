"""Wire models shared by every resource: errors, list pages, timeline events, batch results."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, Literal, TypeVar

from pydantic import Field

from inkasso.types._base import ResponseModel
from inkasso.types.claims import Claim

T = TypeVar("T")

ErrorType = Literal[
    "invalid_request_error",
    "authentication_error",
    "permission_error",
    "not_found_error",
    "conflict_error",
    "rate_limit_error",
    "api_error",
]


class BatchItemError(ResponseModel):
    """Why one claim of a batch was not stored."""

    index: int
    """Position of the claim in the submitted list, counted from 0."""
    code: str
    message: str
    param: str | None = None
    """The field at fault, relative to the claim (`debtor.email`)."""


class ErrorDetail(ResponseModel):
    type: ErrorType
    code: str
    """Stable, machine-readable: `parameter_invalid`, `idempotency_key_reused`, ..."""
    message: str
    """For a developer to read; may change wording between releases."""
    param: str | None = None
    """The request field at fault, dotted (`debtor.email`, `line_items.0.quantity`)."""
    request_id: str
    items: list[BatchItemError] | None = None
    """For a rejected batch: every claim that failed."""


class ErrorResponse(ResponseModel):
    error: ErrorDetail


class ListPage(ResponseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` to get the next one."""

    object: Literal["list"] = "list"
    data: list[T]
    has_more: bool
    next_cursor: str | None = None


class Event(ResponseModel):
    """Something that happened to a claim. Events form the claim's timeline."""

    id: str
    object: Literal["event"] = "event"
    type: str
    """`claim.created`, `claim.updated`, `claim.cancelled`, ..."""
    claim_id: str | None = None
    livemode: bool
    api_version: str
    created_at: dt.datetime
    data: dict[str, Any] = Field(default_factory=dict)
    """Details of the event, including a snapshot of the claim under `claim`."""


class BatchItemResult(ResponseModel):
    index: int
    status: Literal["created", "failed"]
    claim: Claim | None = None
    error: BatchItemError | None = None


class BatchResult(ResponseModel):
    """Per-claim outcome of a batch submission."""

    object: Literal["batch_result"] = "batch_result"
    created: int
    failed: int
    results: list[BatchItemResult]
