"""A verified webhook event applied to the order it concerns: claim state, outstanding amount, status, note.

Each event carries the claim as it was right after the event, so the link row simply takes that snapshot,
unless an event of a later moment was applied already (a retried delivery can arrive after a newer one).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from inkasso.types import Claim, Event, WebhookEvent
from oscar.core.loading import get_model
from pydantic import ValidationError

from oscar_inkasso.conf import PluginSettings
from oscar_inkasso.models import ClaimLink, ProcessedEvent
from oscar_inkasso.money import display
from oscar_inkasso.orders import add_note, move_to_status

APPLIED, DUPLICATE, IGNORED = "applied", "duplicate", "ignored"


def apply(event: WebhookEvent | Event, config: PluginSettings) -> str:
    """Apply the event once; `duplicate` for an event applied before, `ignored` for one about no order."""
    try:
        with transaction.atomic():
            ProcessedEvent.objects.create(event_id=event.id, event_type=event.type)
            return _apply(event, config)
    except IntegrityError:
        if ProcessedEvent.objects.filter(event_id=event.id).exists():
            return DUPLICATE
        raise


def _apply(event: WebhookEvent | Event, config: PluginSettings) -> str:
    claim = _claim_of(event)
    if claim is None:
        return IGNORED
    link = _link_for(claim)
    if link is None:
        return IGNORED
    order = link.order
    if link.last_event_at is None or event.created_at >= link.last_event_at:
        link.state = claim.state
        link.outstanding = claim.balance.outstanding
        link.currency = claim.currency
        link.last_event_id = event.id
        link.last_event_type = event.type
        link.last_event_at = event.created_at
        link.save()
        add_note(order, describe(event, claim))
        status = config.status_for_state.get(claim.state)
        if status:
            move_to_status(order, status)
    else:
        add_note(order, describe(event, claim) + " (older than the state shown; not applied)")
    return APPLIED


def _claim_of(event: WebhookEvent | Event) -> Claim | None:
    data: Any = event.data
    if isinstance(data, dict):
        # An event type newer than this SDK: take the claim snapshot if it has one.
        try:
            return Claim.model_validate(data["claim"]) if "claim" in data else None
        except ValidationError:
            return None
    claim = getattr(data, "claim", None)
    return claim if isinstance(claim, Claim) else None


def _link_for(claim: Claim) -> ClaimLink | None:
    link = ClaimLink.objects.select_for_update().select_related("order").filter(claim_id=claim.id).first()
    if link is not None:
        return link
    # A claim the service stored while the shop's handover did not record it (a crash in between): the
    # order number it carries in its metadata finds the order, and the link is made now.
    number = claim.metadata.get("oscar_order_number")
    if not number or number != claim.external_reference:
        return None
    link = ClaimLink.objects.select_for_update().select_related("order").filter(order__number=number).first()
    if link is None:
        order = get_model("order", "Order").objects.filter(number=number).first()
        if order is None:
            return None
        link = ClaimLink(order=order)
    elif link.claim_id:
        return None
    link.claim_id = claim.id
    link.handed_over_at = claim.created_at
    link.handover_error = ""
    return link


def describe(event: WebhookEvent | Event, claim: Claim) -> str:
    """The order note: what happened, and where the claim stands now."""
    what = event.type
    data: Any = event.data
    payment = getattr(data, "payment", None)
    if payment is not None:
        what += f": {display(payment.amount, payment.currency)}"
    reason = getattr(data, "reason", None)
    if isinstance(reason, str) and reason:
        what += f" ({reason[:200]})"
    outstanding = display(claim.balance.outstanding, claim.currency)
    return f"inkasso {what}. Claim {claim.id} is {claim.state}; {outstanding} outstanding."
