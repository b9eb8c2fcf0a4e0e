"""Shared set-up for the inbound-message tests: an app whose clock stands inside German contact hours,
a creditor with a claim, and the process's trained intent model."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from paypage.decisions.intents.model import IntentModel, intent_model
from paypage.engine.channel_registry import channels_for
from paypage.extensions import database, links
from paypage.services import inbound
from paypage.store import models
from tests.conftest import build_app
from tests.factories import CreditorKeys, claim_body, debtor, new_creditor

WEDNESDAY_MORNING = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
"""10:30 in Germany on a working day: inside the contact hours."""
_numbers = itertools.count(1)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


INBOUND_DOMAIN = "in.inkasso.test"


@contextlib.contextmanager
def inbound_app_for(
    backend: str, request: pytest.FixtureRequest, data_dir: Path, clock: Clock, **overrides: Any
) -> Iterator[Flask]:
    """The app on the session's database of `backend`, with the test's clock and an inbound mail domain."""
    url = request.getfixturevalue(f"{backend}_url")
    app = build_app(url, data_dir, clock=clock, inbound_email_domain=INBOUND_DOMAIN, **overrides)
    try:
        yield app
    finally:
        app.extensions["inkasso.db"].dispose()


def trained_model() -> IntentModel:
    """The process's default model (trained once, shared with tests/decisions)."""
    return intent_model("tfidf")


@dataclass
class Case:
    app: Flask
    creditor: CreditorKeys
    claim: dict[str, Any]
    email: str
    phone: str

    def receive(self, incoming: inbound.Incoming, model: IntentModel | None, now: dt.datetime) -> inbound.Handled:
        with self.app.app_context(), database().transaction() as session:
            handled = inbound.receive(
                session,
                self.creditor.id,
                incoming,
                now,
                links(),
                lambda creditor, livemode: channels_for(creditor, livemode),
                model,
            )
            session.flush()
            session.expunge_all()  # the test reads the objects after the commit
        return handled

    def rows(self, table: type[Any], **where: Any) -> list[Any]:
        with self.app.app_context(), database().transaction() as session:
            query = select(table).where(table.creditor_id == self.creditor.id)
            for name, value in where.items():
                query = query.where(getattr(table, name) == value)
            found = list(session.scalars(query.order_by(table.id)))
            session.expunge_all()
        return found

    def claim_row(self) -> models.Claim:
        found = self.rows(models.Claim, id=self.claim["id"])
        assert len(found) == 1
        return found[0]


def new_case(app: Flask, **debtor_overrides: Any) -> Case:
    number = next(_numbers)
    email = f"debtor{number}@example.de"
    phone = f"+491511000{number:04d}"
    creditor = new_creditor(app)
    body = claim_body(debtor=debtor(email=email, phone=phone, **debtor_overrides))
    response = app.test_client().post("/v1/claims", json=body, headers=creditor.headers())
    assert response.status_code == 201, response.get_data(as_text=True)
    return Case(app, creditor, response.get_json(), email, phone)
