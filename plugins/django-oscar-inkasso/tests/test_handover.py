"""`inkasso_handover` against the real service: which orders go, what the claim says, and never twice."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from conftest import Collection, overdue_order
from django.core.management import CommandError, call_command
from django.test.utils import override_settings
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test import factories

from oscar_inkasso.conf import plugin_settings
from oscar_inkasso.handover import hand_over
from oscar_inkasso.models import ClaimLink

Order = get_model("order", "Order")


def handover(*args: str) -> str:
    out = io.StringIO()
    call_command("inkasso_handover", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_an_overdue_unpaid_order_becomes_a_claim_built_from_the_order(collection: Collection) -> None:
    order = overdue_order(days_ago=30, prices=(Decimal("19.99"), Decimal("5.01")), quantities=(3, 1))

    output = handover()

    assert f"handed over 1 order(s)\n  {order.number}" in output
    link = ClaimLink.objects.get(order=order)
    claim = collection.client.claims.get(link.claim_id or "")
    assert (claim.external_reference, claim.amount, claim.currency) == (order.number, 3 * 1999 + 501, "EUR")
    assert [(line.description, line.quantity, line.unit_amount) for line in claim.line_items] == [
        ("Running shoe model 1", 3, 1999),
        ("Running shoe model 2", 1, 501),
    ]
    assert claim.invoice_date == timezone.localdate(order.date_placed)  # the shop's day, Europe/Berlin
    assert (claim.due_date - claim.invoice_date).days == 14
    assert claim.debtor.name == "Erika Mustermann"
    assert claim.debtor.email == "erika@example.de"
    assert claim.debtor.phone == "+4915112345678"
    assert claim.debtor.address is not None and claim.debtor.address.postal_code == "51147"
    assert claim.debtor.country == "DE"
    assert claim.metadata == {"oscar_order_number": order.number, "oscar_order_id": str(order.pk)}
    assert (link.state, link.outstanding, link.currency) == ("open", 6498, "EUR")
    order.refresh_from_db()
    assert order.status == "In collection"
    assert order.notes.filter(message__contains=f"claim {claim.id}, 64.98 EUR outstanding").exists()


def test_only_orders_unpaid_long_enough_go(collection: Collection) -> None:
    due = overdue_order(days_ago=25)  # 14 days of terms + 10 days of grace have passed
    not_yet = overdue_order(days_ago=23)
    paid = overdue_order(days_ago=60, status="Paid")

    assert "1 order(s) placed before" in handover("--dry-run")
    handover()

    assert ClaimLink.objects.filter(order=due, claim_id__isnull=False).exists()
    assert not ClaimLink.objects.filter(order__in=[not_yet, paid]).exists()
    assert [claim.external_reference for claim in collection.client.claims.list()] == [due.number]


def test_running_again_hands_over_nothing_twice(collection: Collection) -> None:
    orders = [overdue_order() for _ in range(3)]
    handover()
    second = handover()

    assert "handed over 0 order(s)" in second
    references = sorted(claim.external_reference for claim in collection.client.claims.list())
    assert references == sorted(order.number for order in orders)


def forget_handover(*orders: Any) -> None:
    """What a crash between the service's answer and the shop's commit leaves: claims, but no links."""
    ClaimLink.objects.filter(order__in=orders).delete()
    Order.objects.filter(pk__in=[order.pk for order in orders]).update(status="Pending")


def test_a_crash_before_the_shop_recorded_the_claims_is_healed_by_the_next_run(collection: Collection) -> None:
    """The service stored the claims, the shop lost its links: the batch key replays the answer."""
    first, second = overdue_order(), overdue_order()
    handover()
    forget_handover(first, second)

    assert "handed over 2 order(s)" in handover()
    assert ClaimLink.objects.filter(claim_id__isnull=False).count() == 2
    # And with another set of orders in the batch, the claim that exists is found by its reference.
    forget_handover(first)
    third = overdue_order()
    output = handover()
    assert "handed over 2 order(s)" in output and first.number in output and third.number in output
    claims = list(collection.client.claims.list())
    assert sorted(claim.external_reference for claim in claims) == sorted([first.number, second.number, third.number])
    by_reference = {claim.external_reference: claim.id for claim in claims}
    assert ClaimLink.objects.get(order=first).claim_id == by_reference[first.number]


def test_batches_respect_the_batch_size(collection: Collection) -> None:
    orders = [overdue_order() for _ in range(5)]
    with override_settings(INKASSO_BATCH_SIZE=2):
        output = handover()
    assert "handed over 5 order(s)" in output
    assert len(list(collection.client.claims.list())) == len(orders)


def test_an_order_that_is_no_valid_claim_is_reported_and_the_others_go(collection: Collection) -> None:
    good = overdue_order()
    bad = overdue_order()
    type(bad).objects.filter(pk=bad.pk).update(guest_email="")
    bad.billing_address.line1 = ""
    bad.billing_address.save()
    bad.shipping_address.line1 = ""
    bad.shipping_address.phone_number = ""
    bad.shipping_address.save()

    output = handover()

    assert "handed over 1 order(s)" in output
    assert f"{bad.number}: debtor: Value error, a debtor needs at least one of email, phone or address" in output
    assert ClaimLink.objects.get(order=good).claim_id
    failed = ClaimLink.objects.get(order=bad)
    assert failed.claim_id is None and "email, phone or address" in failed.handover_error


def test_a_limit_hands_over_the_oldest_first(collection: Collection) -> None:
    newer = overdue_order(days_ago=40)
    older = overdue_order(days_ago=50)
    assert f"handed over 1 order(s)\n  {older.number}" in handover("--limit", "1")
    assert not ClaimLink.objects.filter(order=newer).exists()


def test_a_wrong_api_key_stops_with_a_clear_message(collection: Collection) -> None:
    overdue_order()
    with override_settings(INKASSO_API_KEY="sk_test_wrong"), pytest.raises(CommandError, match="inkasso handover"):
        handover()
    assert not ClaimLink.objects.exists()


def test_a_user_without_an_address_name_is_named_from_the_account(collection: Collection) -> None:
    user = factories.UserFactory(first_name="Max", last_name="Muster", email="max@example.de")
    order = overdue_order(user=user, first_name="", last_name="")
    report = hand_over(collection.client, plugin_settings())
    assert report.handed_over == [order.number]
    claim = collection.client.claims.get(ClaimLink.objects.get(order=order).claim_id or "")
    assert (claim.debtor.name, claim.debtor.email) == ("Max Muster", "max@example.de")


def test_an_order_edited_between_the_crash_and_the_rerun_is_linked_not_duplicated(collection: Collection) -> None:
    order = overdue_order()
    handover()
    forget_handover(order)
    order.billing_address.line1 = "Heidestraße 19"  # staff corrected the address meanwhile
    order.billing_address.save()

    assert f"handed over 1 order(s)\n  {order.number}" in handover()
    [claim] = collection.client.claims.list()
    assert ClaimLink.objects.get(order=order).claim_id == claim.id
