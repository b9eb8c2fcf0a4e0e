"""A pay site per backend: the app served on 127.0.0.1 with a creditor whose provider is the sandbox."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from flask import Flask

from paypage.extensions import database
from paypage.store import models
from tests.conftest import Served, site
from tests.factories import CreditorKeys, claim_body, debtor, new_creditor

SETTINGS = {
    "payments": {"provider": "sandbox"},
    "bank_accounts": {
        "EUR": {"holder": "Test Shop GmbH", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
        "CHF": {
            "holder": "Test Shop GmbH",
            "iban": "CH9300762011623852957",
            "address": {
                "street": "Bahnhofstrasse",
                "house_num": "1",
                "pcode": "8001",
                "city": "Zürich",
                "country": "CH",
            },
        },
    },
    "embed_origins": ["https://shop.example"],
}


@dataclass
class PaySite:
    app: Flask
    served: Served
    creditor: CreditorKeys

    @property
    def url(self) -> str:
        return self.served.url

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.creditor.headers(), timeout=10)

    def claim(self, **overrides: Any) -> dict[str, Any]:
        with self.api() as client:
            response = client.post("/v1/claims", json=claim_body(**overrides))
        assert response.status_code == 201, response.text
        return dict(response.json())

    def swiss_claim(self) -> dict[str, Any]:
        return self.claim(
            currency="CHF",
            amount=23_400,
            debtor=debtor(
                country="CH",
                language="de",
                address={"line1": "Seestrasse 2", "postal_code": "8002", "city": "Zürich", "country": "CH"},
            ),
        )

    def get_claim(self, claim_id: str) -> dict[str, Any]:
        with self.api() as client:
            return dict(client.get(f"/v1/claims/{claim_id}").json())

    def event_types(self, claim_id: str) -> list[str]:
        with self.api() as client:
            return [
                e["type"] for e in client.get(f"/v1/claims/{claim_id}/events", params={"limit": 100}).json()["data"]
            ]

    def wait_for(self, condition: Callable[[], bool], seconds: float = 10) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.05)
        return condition()


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture(scope="module")
def pay_site(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PaySite]:
    url = request.getfixturevalue(f"{backend}_url")
    with site(url, tmp_path_factory.mktemp("pay")) as (application, server):
        creditor = new_creditor(application)
        with application.app_context(), database().transaction() as session:
            record = session.get(models.Creditor, creditor.id)
            assert record is not None
            record.settings = SETTINGS
        yield PaySite(application, server, creditor)


@pytest.fixture
def browser_client(pay_site: PaySite) -> Iterator[httpx.Client]:
    """A debtor's browser: keeps cookies, does not follow redirects by itself."""
    with httpx.Client(base_url=pay_site.url, timeout=10, headers={"Accept-Language": "en"}) as client:
        yield client
