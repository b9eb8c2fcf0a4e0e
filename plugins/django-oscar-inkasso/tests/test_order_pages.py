"""The claim on Oscar's order pages: the dashboard's, as staff see it, and the customer's order history
(Django's test client, logged in)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import Collection, overdue_order
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from oscar.test import factories

from oscar_inkasso.models import ClaimLink


@pytest.fixture
def staff() -> Client:
    """A staff member with Oscar's permission to view orders in the dashboard."""
    user = factories.UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="order", codename="view_order"))
    browser = Client()
    browser.force_login(user)
    return browser


def order_page(browser: Client, order: Any) -> str:
    response = browser.get(reverse("dashboard:order-detail", kwargs={"number": order.number}))
    assert response.status_code == 200
    # Oscar's own page, with the plugin's panel inside it rather than instead of it.
    assert "oscar/dashboard/orders/order_detail.html" in [t.name for t in response.templates]
    return response.content.decode()


def test_staff_see_the_claim_state_and_what_is_outstanding(collection: Collection, staff: Client) -> None:
    order = overdue_order()
    call_command("inkasso_handover", stdout=io.StringIO())
    link = ClaimLink.objects.get(order=order)
    collection.pay(link.claim_id or "", 500, "BANK-D1")
    collection.deliver_webhooks()

    page = order_page(staff, order)

    assert "Collection (inkasso)" in page
    assert f"<td>{link.claim_id}</td>" in page
    assert '<td data-claim-state="open">Open</td>' in page
    assert "<td>14.99 EUR</td>" in page
    assert "claim.payment_succeeded" in page
    assert "Order Total" in page  # Oscar's own order information is still there


def test_an_order_not_handed_over_says_so(collection: Collection, staff: Client) -> None:
    assert "Not handed over for collection." in order_page(staff, overdue_order(days_ago=1))


def test_a_failed_handover_shows_why(collection: Collection, staff: Client) -> None:
    order = overdue_order()
    ClaimLink.objects.create(order=order, handover_error="debtor.country: Field required")
    assert "<td>debtor.country: Field required</td>" in order_page(staff, order)


def test_customers_do_not_reach_the_dashboard(collection: Collection) -> None:
    customer = Client()
    customer.force_login(factories.UserFactory(is_staff=False))
    order = overdue_order()
    response = customer.get(reverse("dashboard:order-detail", kwargs={"number": order.number}))
    assert response.status_code in (302, 403)


def test_the_customer_sees_what_is_outstanding_in_the_order_history(collection: Collection) -> None:
    buyer = factories.UserFactory(email="max@example.de")
    order = overdue_order(user=buyer)
    call_command("inkasso_handover", stdout=io.StringIO())
    browser = Client()
    browser.force_login(buyer)
    url = reverse("customer:order", kwargs={"order_number": order.number})

    page = browser.get(url).content.decode()
    assert "Our collection partner is collecting the payment of this order: 19.99 EUR outstanding." in page
    assert "Order total" in page  # Oscar's own page around it

    link = ClaimLink.objects.get(order=order)
    collection.pay(link.claim_id or "", 1999, "BANK-C1")
    collection.deliver_webhooks()
    page = browser.get(url).content.decode()
    assert "Paid in full. Thank you." in page and "outstanding" not in page


def test_another_customer_does_not_see_the_order(collection: Collection) -> None:
    order = overdue_order(user=factories.UserFactory())
    call_command("inkasso_handover", stdout=io.StringIO())
    stranger = Client()
    stranger.force_login(factories.UserFactory())
    response = stranger.get(reverse("customer:order", kwargs={"order_number": order.number}))
    assert response.status_code == 404
