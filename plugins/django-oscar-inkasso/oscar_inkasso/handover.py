"""Hand unpaid orders over once they are overdue long enough, in batches, never twice.

Due: placed + `INKASSO_PAYMENT_TERMS_DAYS`. Handed over: due + `INKASSO_HANDOVER_AFTER_DAYS`, while the
order's status is one of `INKASSO_UNPAID_STATUSES` and it has no claim yet.

Never twice, even after a crash between the service's answer and the shop's commit: each batch carries
an idempotency key derived from its claims (order numbers and contents), so a rerun with the same orders
replays the stored answer; a rerun with other orders, or with an order edited in between, meets
`duplicate_external_reference` for the order whose claim exists (the service keeps the order number
unique), and the plugin fetches that claim by its reference and links it. Deriving the key from the
contents too keeps an edited order from meeting the key of a different request, which the service
would refuse for as long as it keeps the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import inkasso
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from inkasso.types import BatchItemError, Claim, ClaimCreateParams
from oscar.core.loading import get_model

from oscar_inkasso import claims
from oscar_inkasso.conf import PluginSettings
from oscar_inkasso.models import ClaimLink
from oscar_inkasso.orders import add_note, move_to_status

DUPLICATE = "duplicate_external_reference"


@dataclass
class Report:
    handed_over: list[str] = field(default_factory=list)
    """Order numbers that got a claim in this run."""
    failed: dict[str, str] = field(default_factory=dict)
    """Order number to the reason it is not handed over yet."""


def cutoff(now: dt.datetime, config: PluginSettings) -> dt.datetime:
    """Orders placed before this moment are overdue long enough to hand over."""
    return now - dt.timedelta(days=config.payment_terms_days + config.handover_after_days)


def due_orders(now: dt.datetime, config: PluginSettings) -> QuerySet[Any]:
    order_model = get_model("order", "Order")
    unlinked = Q(inkasso_claim__isnull=True) | Q(inkasso_claim__claim_id__isnull=True)
    orders: QuerySet[Any] = (
        order_model.objects.filter(status__in=config.unpaid_statuses, date_placed__lt=cutoff(now, config))
        .filter(unlinked)
        .select_related("billing_address__country", "shipping_address__country", "user")
        .prefetch_related("lines", "surcharges")
        .order_by("date_placed", "pk")
    )
    return orders


def batch_key(batch: Sequence[ClaimCreateParams]) -> str:
    digest = hashlib.sha256()
    for claim in batch:
        digest.update(claim.model_dump_json().encode())
        digest.update(b"\n")
    return f"oscar-inkasso-handover-{digest.hexdigest()[:40]}"


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def hand_over(
    client: inkasso.Client, config: PluginSettings, now: dt.datetime | None = None, limit: int | None = None
) -> Report:
    """Submit the claims of all due orders (at most `limit`). API errors other than per-claim ones (the
    service unreachable, a wrong key) propagate after the batches before them are recorded."""
    moment = now or timezone.now()
    orders = list(due_orders(moment, config)[:limit] if limit else due_orders(moment, config))
    report = Report()
    for chunk in _chunks(orders, config.batch_size):
        _submit(client, config, [claims.build(order, config.payment_terms_days) for order in chunk], report)
    return report


def _submit(client: inkasso.Client, config: PluginSettings, built: list[claims.Built], report: Report) -> None:
    for item in built:
        if item.claim is None:
            _record_failure(item.order, item.error, report)
    sendable = [item for item in built if item.claim is not None]
    if not sendable:
        return
    batch = [item.claim for item in sendable if item.claim is not None]
    result = client.claims.submit_batch(claims=batch, partial=True, idempotency_key=batch_key(batch))
    for outcome in result.results:
        order = sendable[outcome.index].order
        if outcome.claim is not None:
            _record_claim(order, outcome.claim, config, report)
        elif outcome.error is not None and outcome.error.code == DUPLICATE:
            existing = _existing_claim(client, order.number)
            if existing is None:
                _record_failure(order, _describe(outcome.error), report)
            else:
                _record_claim(order, existing, config, report)
        else:
            _record_failure(order, _describe(outcome.error), report)


def _existing_claim(client: inkasso.Client, number: str) -> Claim | None:
    for claim in client.claims.list(external_reference=number, limit=1):
        return claim
    return None


def _describe(error: BatchItemError | None) -> str:
    if error is None:
        return "the service reported neither a claim nor an error"
    return f"{error.code}: {error.message}"


def _record_failure(order: Any, error: str, report: Report) -> None:
    ClaimLink.objects.update_or_create(order=order, defaults={"handover_error": error})
    report.failed[order.number] = error


def _record_claim(order: Any, claim: Claim, config: PluginSettings, report: Report) -> None:
    with transaction.atomic():
        link, _ = ClaimLink.objects.select_for_update().get_or_create(order=order)
        if link.claim_id == claim.id:
            return
        link.claim_id = claim.id
        link.state = claim.state
        link.outstanding = claim.balance.outstanding
        link.currency = claim.currency
        link.handed_over_at = claim.created_at
        link.handover_error = ""
        link.save()
        add_note(order, f"Handed over to inkasso: claim {claim.id}, {link.outstanding_display} outstanding.")
        if config.handed_over_status:
            move_to_status(order, config.handed_over_status)
    report.handed_over.append(order.number)
