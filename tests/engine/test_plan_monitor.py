"""Instalment monitoring: a missed instalment gets a reminder, then the plan defaults and collection resumes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from paypage.domain.countries import get_country
from paypage.domain.money import Money
from paypage.engine.worker import Worker
from paypage.services import claims, plans
from paypage.services.tenancy import Tenant
from paypage.store import models
from tests.conftest import fresh_app
from tests.engine.test_collection import START, Clock, messages_of, run_until
from tests.factories import claim_body, new_creditor
from tests.functional.conftest import Api


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(START)


@pytest.fixture(scope="module")
def app(backend: str, clock: Clock, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with fresh_app(backend, tmp_path_factory.mktemp("plans"), clock=clock) as application:
        yield application


def test_missed_instalment_reminder_then_default_then_collection(app: Flask, clock: Clock) -> None:
    clock.now = START
    creditor = new_creditor(app)
    api = Api(app.test_client(), creditor)
    claim = api.post("/v1/claims", claim_body(amount=60_000)).json
    tenant = Tenant(creditor.id, False)
    database = app.extensions["inkasso.db"]
    with database.transaction() as session:
        row = claims.get(session, tenant, claim["id"], for_update=True)
        rules = plans.rules_for(get_country("DE"), {})
        schedule = plans.preview(Money(60_000, "EUR"), 3, START.date(), rules)
        plans.create(session, tenant, row, schedule, "sepa_debit", START)
    worker = Worker(database, clock, app=app)
    try:
        run_until(app, worker, clock, claim["id"], START + dt.timedelta(days=2))
        assert api.get(f"/v1/claims/{claim['id']}").json["state"] == "payment_plan"
        assert [(m.step_key, m.sent_at) for m in messages_of(app, claim["id"])] == []
        run_until(app, worker, clock, claim["id"], START + dt.timedelta(days=4))
        reminders = messages_of(app, claim["id"])
        assert [(m.step_key.startswith("plan_"), m.template, m.tone) for m in reminders] == [
            (True, "notice", "friendly")
        ]
        assert api.get(f"/v1/claims/{claim['id']}").json["state"] == "payment_plan"
        run_until(app, worker, clock, claim["id"], START + dt.timedelta(days=15))
        after = api.get(f"/v1/claims/{claim['id']}").json
        assert after["state"] == "in_collection"
        with database.transaction() as session:
            plan = session.scalars(select(models.PaymentPlan).where(models.PaymentPlan.claim_id == claim["id"])).one()
            assert plan.status == "defaulted"
            assert [item["status"] for item in plan.schedule] == ["missed", "due", "due"]
        types = [e["type"] for e in api.get(f"/v1/claims/{claim['id']}/events", limit=100).json["data"]]
        plan_events = [t for t in types if t.startswith("claim.plan")]
        assert plan_events == ["claim.plan_created", "claim.plan_instalment_missed", "claim.plan_defaulted"]
        resumed = [m for m in messages_of(app, claim["id"]) if not m.step_key.startswith("plan_")]
        assert resumed and resumed[0].step_key == "reminder", "collection resumes with the strategy"
    finally:
        worker.close()
