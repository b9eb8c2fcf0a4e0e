"""Events from the service's outbox, signed by the service, delivered into the shop's webhook view."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from conftest import WEBHOOK_URL, Collection, overdue_order
from django.core.management import call_command
from django.test.utils import override_settings
from inkasso.types.events import parse_event
from oscar.core.loading import get_model

from oscar_inkasso import events
from oscar_inkasso.conf import plugin_settings
from oscar_inkasso.models import ClaimLink, ProcessedEvent

Order = get_model("order", "Order")


@pytest.fixture
def recorded(collection: Collection) -> list[httpx.Request]:
    """Every delivery the service makes to the shop, to send one again later."""
    requests: list[httpx.Request] = []
    collection.shop.event_hooks["request"].append(requests.append)
    return requests


def handed_over(collection: Collection, **order: Any) -> tuple[Any, str]:
    placed = overdue_order(**order)
    call_command("inkasso_handover", stdout=io.StringIO())
    link = ClaimLink.objects.get(order=placed)
    assert link.claim_id
    return placed, link.claim_id


def notes(order: Any) -> list[str]:
    return [note.message for note in order.notes.order_by("pk")]


def test_a_claim_paid_in_full_marks_the_order_paid(collection: Collection) -> None:
    order, claim_id = handed_over(collection)

    collection.pay(claim_id, 1999, "BANK-1")
    assert set(collection.deliver_webhooks()) == {200}

    order.refresh_from_db()
    link = ClaimLink.objects.get(order=order)
    assert order.status == "Paid"
    assert (link.state, link.outstanding, link.last_event_type) == ("paid", 0, "claim.paid")
    written = notes(order)
    assert any(f"inkasso claim.created. Claim {claim_id} is open; 19.99 EUR outstanding." == n for n in written)
    assert any(n.startswith("inkasso claim.payment_succeeded: 19.99 EUR.") for n in written)
    assert written[-1] == f"inkasso claim.paid. Claim {claim_id} is paid; 0.00 EUR outstanding."
    assert [change.new_status for change in order.status_changes.order_by("pk")] == ["In collection", "Paid"]


def test_a_part_payment_lowers_what_the_order_shows_as_outstanding(collection: Collection) -> None:
    order, claim_id = handed_over(collection)

    collection.pay(claim_id, 500, "BANK-2")
    collection.deliver_webhooks()

    order.refresh_from_db()
    link = ClaimLink.objects.get(order=order)
    assert order.status == "In collection"
    assert (link.outstanding, link.outstanding_display) == (1499, "14.99 EUR")
    assert link.state != "paid"
    assert any(n.startswith("inkasso claim.payment_succeeded: 5.00 EUR.") for n in notes(order))


def test_a_cancelled_claim_moves_the_order_as_configured(collection: Collection) -> None:
    order, claim_id = handed_over(collection)

    collection.client.claims.cancel(claim_id, reason="returned the goods")
    collection.deliver_webhooks()

    order.refresh_from_db()
    assert order.status == "Cancelled"
    assert f"inkasso claim.cancelled (returned the goods). Claim {claim_id} is cancelled" in notes(order)[-1]


def test_a_redelivered_event_changes_nothing(collection: Collection, recorded: list[httpx.Request]) -> None:
    order, claim_id = handed_over(collection)
    collection.pay(claim_id, 500, "BANK-3")
    collection.deliver_webhooks()
    before = notes(order)
    delivered = list(recorded)  # the replays below are recorded too

    for request in delivered:
        answer = collection.shop.post(WEBHOOK_URL, content=request.content, headers=dict(request.headers))
        assert (answer.status_code, answer.json()) == (200, {"status": "duplicate"})

    assert notes(order) == before
    assert ProcessedEvent.objects.count() == len(delivered) == 2  # claim.created, claim.payment_succeeded


def test_a_forged_or_unsigned_delivery_is_refused(collection: Collection, recorded: list[httpx.Request]) -> None:
    order, claim_id = handed_over(collection)
    collection.deliver_webhooks()
    ProcessedEvent.objects.all().delete()  # so that only the signature can stop a second application
    original = recorded[0]
    forged = original.content.replace(b'"open"', b'"paid"')
    assert forged != original.content

    tampered = collection.shop.post(WEBHOOK_URL, content=forged, headers=dict(original.headers))
    unsigned = collection.shop.post(WEBHOOK_URL, content=original.content)
    with override_settings(INKASSO_WEBHOOK_SECRET="whsec_dGhlIG90aGVyIHNlY3JldCBvZiAzMiBieXRlcyEh"):
        other_secret = collection.shop.post(WEBHOOK_URL, content=original.content, headers=dict(original.headers))

    assert [answer.status_code for answer in (tampered, unsigned, other_secret)] == [400, 400, 400]
    assert "signature" in tampered.json()["error"]
    assert not ProcessedEvent.objects.exists()
    assert ClaimLink.objects.get(order=order).state == "open"


def test_only_post_is_accepted(collection: Collection) -> None:
    assert collection.shop.get(WEBHOOK_URL).status_code == 405


def test_a_status_the_pipeline_forbids_is_left_alone_with_a_note(collection: Collection) -> None:
    order, claim_id = handed_over(collection)
    order.set_status("Cancelled")  # staff cancelled the order meanwhile; Cancelled leads nowhere

    collection.pay(claim_id, 1999, "BANK-4")
    collection.deliver_webhooks()

    order.refresh_from_db()
    assert order.status == "Cancelled"
    assert ClaimLink.objects.get(order=order).state == "paid"
    assert any("was not moved from 'Cancelled' to 'Paid'" in n for n in notes(order))


def test_events_of_claims_that_are_no_order_of_this_shop_are_acknowledged(collection: Collection) -> None:
    collection.client.claims.submit(
        external_reference="ERP-4711",
        amount=1000,
        currency="EUR",
        invoice_date="2026-09-01",
        due_date="2026-09-15",
        debtor={"name": "Max Muster", "email": "max@example.de", "country": "DE"},
    )
    assert collection.deliver_webhooks() == [200]
    assert list(ProcessedEvent.objects.values_list("event_type", flat=True)) == ["claim.created"]


def test_a_claim_the_shop_did_not_record_is_linked_by_its_order_number(collection: Collection) -> None:
    order, claim_id = handed_over(collection)
    ClaimLink.objects.filter(order=order).delete()  # the handover crashed after the service stored the claim

    collection.pay(claim_id, 1999, "BANK-5")
    collection.deliver_webhooks()

    link = ClaimLink.objects.get(order=order)
    assert (link.claim_id, link.state) == (claim_id, "paid")


def test_an_event_older_than_the_state_shown_only_adds_its_note(collection: Collection) -> None:
    """A retried delivery can come after a newer event: the newer snapshot stays."""
    order, claim_id = handed_over(collection)
    collection.pay(claim_id, 1999, "BANK-6")
    timeline = [parse_event(event.model_dump(mode="json")) for event in collection.client.claims.events(claim_id)]
    by_type = {event.type: event for event in timeline}
    config = plugin_settings()

    assert events.apply(by_type["claim.paid"], config) == events.APPLIED
    assert events.apply(by_type["claim.created"], config) == events.APPLIED
    assert events.apply(by_type["claim.created"], config) == events.DUPLICATE

    link = ClaimLink.objects.get(order=order)
    assert (link.state, link.outstanding, link.last_event_type) == ("paid", 0, "claim.paid")
    assert notes(order)[-1].endswith("(older than the state shown; not applied)")
