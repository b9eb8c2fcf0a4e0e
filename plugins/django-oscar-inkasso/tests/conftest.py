"""A real Oscar shop (its settings, its migrations, its factories) next to a real inkasso service.

The shop runs on a SQLite file of this test run, or with `OSCAR_INKASSO_SHOP_DATABASE=postgresql` on a
throwaway database of the PostgreSQL server the repository's tests use; every test starts with no orders. The service is
`paypage.create_app` on a SQLite file of its own, served over real HTTP for the SDK; each test gets a creditor
and a webhook endpoint of its own, and the plugin's settings point at them. Webhooks travel from the
service's outbox through its own delivery code (lease, sign, POST, record) into the shop's WSGI app.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import django
import httpx
import pytest

from tests.conftest import Served, build_app, postgresql_database  # the repository's own fixtures

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testshop.settings")
_SHOP_DIR = Path(tempfile.mkdtemp(prefix="oscar-inkasso-shop-"))
os.environ["OSCAR_INKASSO_TEST_DIR"] = str(_SHOP_DIR)
_DATABASES = contextlib.ExitStack()
if os.environ.get("OSCAR_INKASSO_SHOP_DATABASE") == "postgresql":
    os.environ["OSCAR_INKASSO_DATABASE_URL"] = _DATABASES.enter_context(postgresql_database())
django.setup()

import inkasso  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import override_settings, setup_test_environment, teardown_test_environment  # noqa: E402
from flask import Flask  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402
from oscar.test import factories  # noqa: E402
from paypage.engine import webhooks as delivery  # noqa: E402
from tests.factories import new_creditor  # noqa: E402

from oscar_inkasso.models import ClaimLink, ProcessedEvent  # noqa: E402

WEBHOOK_URL = "http://127.0.0.1/inkasso/webhook/"


def pytest_configure(config: pytest.Config) -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)


def pytest_unconfigure(config: pytest.Config) -> None:
    teardown_test_environment()
    connections.close_all()
    _DATABASES.close()
    shutil.rmtree(_SHOP_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def no_orders() -> None:
    """Each test sees only its own orders (the handover looks at every order of the shop)."""
    ProcessedEvent.objects.all().delete()
    ClaimLink.objects.all().delete()
    get_model("order", "Order").objects.all().delete()


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Served]]:
    data = tmp_path_factory.mktemp("inkasso")
    app = build_app(f"sqlite:///{data / 'inkasso.sqlite3'}", data)
    server = Served(app)
    yield app, server
    server.stop()
    app.extensions["inkasso.db"].dispose()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Collection:
    """The service as one creditor (the shop) sees it, and the plugin configured for that creditor."""

    app: Flask
    url: str
    api_key: str
    client: inkasso.Client
    shop: httpx.Client
    """Talks to the shop's WSGI app; the service's deliveries go through it."""

    def deliver_webhooks(self) -> list[int]:
        """Run the service's webhook delivery until nothing is due; the status codes the shop answered."""
        database = self.app.extensions["inkasso.db"]
        answered: list[int] = []
        while jobs := delivery.lease(database, utc_now(), 100):
            outcomes = [(job, delivery.send(job, self.shop, utc_now)) for job in jobs]
            delivery.record(database, outcomes, utc_now())
            answered.extend(result.status_code or 0 for _, result in outcomes)
        return answered

    def pay(self, claim_id: str, amount: int, bank_reference: str) -> None:
        """The creditor reports a bank transfer that carries the claim's reference (`/v1/bank_transactions`)."""
        claim = self.client.claims.get(claim_id)
        response = httpx.post(
            f"{self.url}/v1/bank_transactions",
            headers={"Authorization": f"Bearer {self.api_key}"},
            json={
                "amount": amount,
                "currency": claim.currency,
                "bank_reference": bank_reference,
                "reference": claim.transfer_reference,
                "booking_date": dt.date.today().isoformat(),
            },
        )
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "booked"


@pytest.fixture
def collection(service: tuple[Flask, Served]) -> Iterator[Collection]:
    app, server = service
    key = new_creditor(app, "Testshop GmbH").test_key
    shop = httpx.Client(transport=httpx.WSGITransport(app=WSGIHandler()))
    with inkasso.Client(api_key=key, base_url=server.url, max_retries=0) as client:
        endpoint = client.webhook_endpoints.create(url=WEBHOOK_URL)
        plugin = {"INKASSO_API_KEY": key, "INKASSO_BASE_URL": server.url, "INKASSO_WEBHOOK_SECRET": endpoint.secret}
        with override_settings(**plugin):
            collection = Collection(app, server.url, key, client, shop)
            yield collection
            # Nothing of this creditor may stay due: the next test's deliveries would carry it along.
            collection.deliver_webhooks()
    shop.close()


def country(code: str = "DE", name: str = "Germany") -> Any:
    return factories.CountryFactory(iso_3166_1_a2=code, printable_name=name, name=name)


def overdue_order(
    days_ago: int = 30,
    prices: tuple[Decimal, ...] = (Decimal("19.99"),),
    quantities: tuple[int, ...] | None = None,
    user: Any = None,
    status: str = "Pending",
    **address: Any,
) -> Any:
    """An order placed through Oscar's own `create_order` (basket, stock records, order creator), moved back
    in time by `days_ago`."""
    basket = factories.create_basket(empty=True)
    for index, price in enumerate(prices):
        product = factories.create_product(title=f"Running shoe model {index + 1}", price=price, num_in_stock=100)
        quantity = quantities[index] if quantities else 1
        basket.add_product(product, quantity=quantity)
    de = country()
    fields = {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "line1": "Heidestraße 17",
        "line4": "Köln",
        "postcode": "51147",
        "country": de,
        **address,
    }
    billing = factories.BillingAddressFactory(**fields)
    shipping = factories.ShippingAddressFactory(**{**fields, "phone_number": "+4915112345678"})
    order = factories.create_order(
        basket=basket,
        user=user,
        billing_address=billing,
        shipping_address=shipping,
        guest_email="" if user else "erika@example.de",
    )
    placed = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    type(order).objects.filter(pk=order.pk).update(date_placed=placed, status=status)
    order.refresh_from_db()
    return order
