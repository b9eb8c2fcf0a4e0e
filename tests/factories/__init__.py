"""Test data: creditors with keys, and claim bodies that pass validation unless told otherwise."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from flask import Flask

from paypage.extensions import database
from paypage.services import creditors

_numbers = itertools.count(1)


@dataclass(frozen=True)
class CreditorKeys:
    id: str
    test_key: str
    live_key: str

    def headers(self, live: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.live_key if live else self.test_key}"}


def new_creditor(app: Flask, name: str = "Test Shop GmbH") -> CreditorKeys:
    now = dt.datetime.now(dt.UTC)
    with app.app_context(), database().transaction() as session:
        creditor = creditors.create_creditor(session, name, now)
        test = creditors.issue_key(session, creditor.id, False, now)
        live = creditors.issue_key(session, creditor.id, True, now)
    return CreditorKeys(creditor.id, test.secret, live.secret)


def debtor(**overrides: Any) -> dict[str, Any]:
    return {
        "type": "person",
        "name": "Erika Mustermann",
        "email": "erika@example.de",
        "phone": "+4915112345678",
        "country": "DE",
        "language": "de",
        "address": {"line1": "Heidestraße 17", "postal_code": "51147", "city": "Köln", "country": "DE"},
        **overrides,
    }


def claim_body(**overrides: Any) -> dict[str, Any]:
    """A valid claim body with a unique external reference."""
    body: dict[str, Any] = {
        "external_reference": f"INV-{next(_numbers):06d}",
        "amount": 12_345,
        "currency": "EUR",
        "invoice_date": "2026-09-01",
        "due_date": "2026-09-15",
        "description": "Order 4711: running shoes",
        "debtor": debtor(),
        "metadata": {"order_id": "4711"},
    }
    body.update(overrides)
    return body
