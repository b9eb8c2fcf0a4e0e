"""The engine with the contact policy switched on: decisions within the rules, logged, explained, and
settled into the policy's state when the attribution window closes or the claim is paid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from paypage.decisions import features
from paypage.decisions.log import decisions_for_claim
from paypage.decisions.offpolicy import evaluate_logged
from paypage.domain.money import Money
from paypage.domain.strategies import strategy_for_country
from paypage.engine.worker import Worker
from paypage.services import bank_transfers
from paypage.services.tenancy import Tenant
from paypage.store import models
from tests.conftest import fresh_app
from tests.engine.test_collection import Clock, assert_contact_rules, local, messages_of, run_until
from tests.factories import CreditorKeys, claim_body, new_creditor
from tests.functional.conftest import Api

START = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
"""Monday, 07:00 in Berlin: before the contact hours open."""


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(START)


@pytest.fixture(scope="module")
def app(backend: str, clock: Clock, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with fresh_app(backend, tmp_path_factory.mktemp("decisions"), clock=clock) as application:
        yield application


@pytest.fixture
def worker(app: Flask, clock: Clock) -> Iterator[Worker]:
    runner = Worker(app.extensions["inkasso.db"], clock, app=app)
    yield runner
    runner.close()


def learning_creditor(app: Flask) -> CreditorKeys:
    keys = new_creditor(app)
    with app.extensions["inkasso.db"].transaction() as session:
        creditor = session.get(models.Creditor, keys.id)
        assert creditor is not None
        creditor.settings = {**creditor.settings, "decisions": {"learning": True}}
    return keys


def hand_over(app: Flask, clock: Clock, creditor: CreditorKeys, **overrides: Any) -> dict[str, Any]:
    clock.now = START
    response = Api(app.test_client(), creditor).post("/v1/claims", claim_body(**overrides))
    assert response.status_code == 201, response.json
    return dict(response.json)


def decisions(app: Flask, creditor_id: str, claim_id: str) -> list[models.ContactDecision]:
    with app.extensions["inkasso.db"].transaction() as session:
        found = session.scalars(
            select(models.ContactDecision)
            .where(models.ContactDecision.creditor_id == creditor_id, models.ContactDecision.claim_id == claim_id)
            .order_by(models.ContactDecision.id)
        )
        return list(found)


def weights(app: Flask, creditor_id: str) -> dict[str, tuple[float, float, int]]:
    with app.extensions["inkasso.db"].transaction() as session:
        rows = session.scalars(select(models.PolicyWeight).where(models.PolicyWeight.creditor_id == creditor_id))
        return {row.feature: (row.mean, row.precision, row.trials) for row in rows}


def test_the_first_step_goes_out_at_the_chosen_hour_and_tone_with_its_decision_logged(
    app: Flask, worker: Worker, clock: Clock
) -> None:
    creditor = learning_creditor(app)
    claim = hand_over(app, clock, creditor)
    run_until(app, worker, clock, claim["id"], START + dt.timedelta(hours=16))
    [message] = messages_of(app, claim["id"])
    [decision] = decisions(app, creditor.id, claim["id"])
    assert decision.status == "sent" and decision.message_id == message.id
    assert message.channel == decision.channel in strategy_for_country("DE").steps[0].channels
    assert message.tone == decision.tone in ("friendly", "neutral", "empathetic", "social_proof")
    sent = local(message.sent_at, "Europe/Berlin")
    assert (sent.date(), sent.hour, sent.minute) == (dt.date(2026, 3, 2), decision.hour, 0)
    assert_contact_rules([message], "Europe/Berlin", "DE")
    assert 0 < decision.propensity <= 1
    assert decision.explanation.endswith("legal window 08:00-20:00")
    assert decision.context["features"]["country"] == "DE"
    assert not {"name", "email", "date_of_birth", "language"} & set(decision.context["features"])
    stranger = new_creditor(app, "Another Shop")
    with app.extensions["inkasso.db"].transaction() as session:
        [record] = decisions_for_claim(session, creditor_id=creditor.id, claim_id=claim["id"])
        assert decisions_for_claim(session, creditor_id=stranger.id, claim_id=claim["id"]) == []
    assert (record.choice.channel, record.choice.hour, record.choice.tone) == (
        decision.channel,
        decision.hour,
        decision.tone,
    )
    assert record.explanation == decision.explanation and record.reward is None


def test_a_payment_within_the_window_rewards_the_contact_and_teaches_the_model(
    app: Flask, worker: Worker, clock: Clock
) -> None:
    creditor = learning_creditor(app)
    claim = hand_over(app, clock, creditor)
    run_until(app, worker, clock, claim["id"], START + dt.timedelta(hours=16))
    clock.now = START + dt.timedelta(days=1, hours=4)
    with app.extensions["inkasso.db"].transaction() as session:
        booked = bank_transfers.book(
            session, Tenant(creditor.id, False), Money(12_345, "EUR"), "BANK-1", claim["transfer_reference"], clock.now
        )
        assert booked.status == "booked"
    worker.collect()
    [decision] = decisions(app, creditor.id, claim["id"])
    assert (decision.status, decision.reward, decision.settled_at) == ("settled", 1, clock.now)
    learned = weights(app, creditor.id)
    assert set(learned) == set(decision.context["model_features"])
    assert {trials for _, _, trials in learned.values()} == {1}
    for name, (mean, precision, _) in learned.items():
        prior_mean, prior_precision = features.prior(name)
        assert mean > prior_mean and precision > prior_precision, name  # a payment: every weight moved up


def test_without_payment_the_window_closes_at_the_next_contact_with_no_reward(
    app: Flask, worker: Worker, clock: Clock
) -> None:
    creditor = learning_creditor(app)
    claim = hand_over(app, clock, creditor)
    # Day 4 brings the SMS step: it closes the first contact's window (the last contact gets the credit).
    run_until(app, worker, clock, claim["id"], START + dt.timedelta(days=5))
    first, second = decisions(app, creditor.id, claim["id"])[:2]
    assert (first.status, first.reward) == ("settled", 0)
    assert second.channel == "sms" and second.status == "sent"
    assert second.settle_after is not None and second.settle_after > clock.now
    learned = weights(app, creditor.id)
    assert set(learned) == set(first.context["model_features"])
    assert all(mean < features.prior(name)[0] for name, (mean, _, _) in learned.items())  # no payment: down


def test_a_whole_strategy_with_learning_keeps_every_rule(app: Flask, worker: Worker, clock: Clock) -> None:
    creditor = learning_creditor(app)
    claim = hand_over(app, clock, creditor, invoice_date="2026-01-30", due_date="2026-02-13")
    run_until(app, worker, clock, claim["id"], START + dt.timedelta(days=95))
    found = messages_of(app, claim["id"])
    logged = decisions(app, creditor.id, claim["id"])
    assert [m.step_key for m in found] == [
        "reminder",
        "reminder_sms",
        "notice_1",
        "notice_2",
        "notice_sms",
        "final_notice",
        "final_email",
    ]
    assert_contact_rules(found, "Europe/Berlin", "DE")
    by_message = {d.message_id: d for d in logged}
    for message in found:
        decision = by_message[message.id]
        assert local(message.sent_at, "Europe/Berlin").hour == decision.hour
        assert (message.channel, message.tone) == (decision.channel, decision.tone)
    times = sorted(m.sent_at for m in found if m.sent_at)
    assert all(len([t for t in times if moment - dt.timedelta(days=7) < t <= moment]) <= 3 for moment in times)
    assert all(d.status == "settled" and d.reward == 0 for d in logged)
    with app.extensions["inkasso.db"].transaction() as session:
        uniform = evaluate_logged(
            session,
            creditor_id=creditor.id,
            livemode=False,
            target=lambda features, options, template: {key: 1 / len(options) for key in options},
        )
    assert (uniform.n, uniform.value) == (7, 0.0)
    assert Api(app.test_client(), creditor).get(f"/v1/claims/{claim['id']}").json["state"] == "escalated"
