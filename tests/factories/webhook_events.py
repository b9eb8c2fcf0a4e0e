"""Webhook events as the service delivers them, built from the wire models, with their raw JSON bytes."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from inkasso.types import API_VERSION, Claim, ClaimState, parse_event

_numbers = itertools.count(1)

CREATED_AT = dt.datetime(2026, 11, 25, 20, 1, 1, tzinfo=dt.UTC)

# What each event type carries besides the claim snapshot (see docs/webhooks.md, "Events").
EXTRA_DATA: dict[str, dict[str, Any]] = {
    "claim.updated": {"changed": ["debtor.email"]},
    "claim.contacted": {"channel": "email", "message_id": "msg_01"},
    "claim.payment_succeeded": {
        "payment": {"id": "pay_01", "amount": 12_845, "currency": "EUR", "method": "card", "provider": "stripe"}
    },
    "claim.payment_failed": {
        "payment": {"id": "pay_02", "amount": 12_845, "currency": "EUR", "method": "sepa_debit"},
        "failure_reason": "insufficient_funds",
    },
    "claim.payment_refunded": {
        "payment": {"id": "pay_01", "amount": 12_845, "currency": "EUR", "method": "card", "provider": "stripe"}
    },
    "claim.plan_created": {"plan": {"id": "pln_01", "instalments": 3, "instalment_amount": 4282, "currency": "EUR"}},
    "claim.plan_instalment_missed": {
        "plan": {"id": "pln_01", "instalments": 3, "instalment_amount": 4282, "currency": "EUR"},
        "instalment_number": 2,
    },
    "claim.plan_defaulted": {"plan": {"id": "pln_01", "instalments": 3, "instalment_amount": 4282, "currency": "EUR"}},
    "claim.paused": {"until": "2026-12-10", "reason": "debtor on holiday"},
    "claim.disputed": {"reason": "goods never arrived"},
    "claim.dispute_resolved": {"resolution": "proof of delivery sent"},
    "claim.cancelled": {"reason": "paid at the counter"},
    "debtor.message_received": {"channel": "whatsapp", "intent": "ask_for_time", "message_id": "msg_02"},
}


def claim_snapshot(state: ClaimState = "paid", *, paid: int = 12_845) -> Claim:
    """A full claim as an event carries it: debtor with address, lines, a fee, metadata."""
    number = next(_numbers)
    return Claim.model_validate(
        {
            "id": f"clm_01m8a4r67gjhtb2f1gap1k{number:04d}",
            "livemode": False,
            "state": state,
            "external_reference": f"INV-2026-{number:04d}",
            "amount": 12_345,
            "currency": "EUR",
            "balance": {"principal": 12_345, "interest": 0, "fees": 500, "paid": paid, "outstanding": 12_845 - paid},
            "debtor": {
                "id": f"dbt_01m8a4r67gjhtb2f1gap1k{number:04d}",
                "type": "person",
                "name": "Erika Mustermann",
                "email": "erika@example.de",
                "phone": "+4915112345678",
                "address": {"line1": "Heidestraße 17", "postal_code": "51147", "city": "Köln", "country": "DE"},
                "country": "DE",
                "language": "de",
            },
            "invoice_date": "2026-09-01",
            "due_date": "2026-09-15",
            "description": "Order 4711: running shoes",
            "line_items": [
                {"description": "Running shoes", "quantity": 1, "unit_amount": 11_995, "amount": 11_995},
                {"description": "Shipping", "quantity": 1, "unit_amount": 350, "amount": 350},
            ],
            "fees": [{"type": "reminder_fee", "amount": 500, "description": "Second reminder"}],
            "metadata": {"order_id": "4711"},
            "created_at": "2026-10-01T08:00:00Z",
            "updated_at": CREATED_AT.isoformat(),
        }
    )


def event_json(event_type: str = "claim.paid", *, claim: Claim | None = None) -> bytes:
    """The raw body of one delivery of an event of `event_type`, exactly as the service sends it."""
    claim = claim or claim_snapshot()
    data = {"claim": claim.model_dump(mode="json"), "previous_state": "in_collection", **EXTRA_DATA.get(event_type, {})}
    event = parse_event(
        {
            "id": f"evt_01m8a4r67gjhtb2f1gap1k{next(_numbers):04d}",
            "type": event_type,
            "claim_id": claim.id,
            "livemode": False,
            "api_version": API_VERSION,
            "created_at": CREATED_AT.isoformat(),
            "data": data,
        }
    )
    return event.model_dump_json().encode()
