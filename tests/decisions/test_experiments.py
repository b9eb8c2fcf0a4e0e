"""Champion/challenger experiments: sticky random assignment, the engine running the arm's strategy,
the report's intervals and the fixed-horizon stop rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask import Flask
from inkasso import types as wire
from sqlalchemy import select

from bench.history import seed
from paypage.decisions import experiment_stats, experiments
from paypage.engine.worker import Worker
from paypage.services.tenancy import Tenant
from paypage.store import models
from tests.conftest import fresh_app
from tests.engine.test_collection import Clock, messages_of
from tests.factories import CreditorKeys, claim_body, new_creditor
from tests.functional.conftest import Api

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday morning in Berlin
SMS_FIRST = {
    "id": "sms_first",
    "final_day": 30,
    "steps": [
        {
            "key": "sms_first",
            "day": 0,
            "channels": ["sms"],
            "template": "reminder",
            "tone": "friendly",
            "stage": "reminder",
        }
    ],
}


# ------------------------------------------------------------------------------------------- statistics


def test_wilson_intervals_match_published_values() -> None:
    assert experiment_stats.wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert experiment_stats.wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert experiment_stats.wilson(0, 0) == (0.0, 1.0)


def test_newcombe_interval_matches_the_papers_example() -> None:
    # Newcombe (1998), method 10: 56/70 against 48/80 gives 0.0524 to 0.3339.
    assert experiment_stats.newcombe(56, 70, 48, 80) == pytest.approx((0.0524, 0.3339), abs=1e-4)


def test_sample_size_for_a_five_point_effect_on_a_coin_flip() -> None:
    assert experiment_stats.sample_size(0.5, 0.05) == 1565
    assert experiment_stats.sample_size(0.3, 0.1) < experiment_stats.sample_size(0.3, 0.05)
    with pytest.raises(ValueError):
        experiment_stats.sample_size(0.5, 0)


def test_the_stop_rule_waits_for_the_fixed_sample_then_reads_the_interval() -> None:
    assert experiment_stats.decide((90, 99), (10, 99), 100)[0] == "continue"
    assert experiment_stats.decide((70, 100), (40, 100), 100)[0] == "stop_challenger_wins"
    assert experiment_stats.decide((40, 100), (70, 100), 100)[0] == "stop_champion_wins"
    assert experiment_stats.decide((50, 100), (52, 100), 100)[0] == "stop_no_difference"


def test_the_bootstrap_is_reproducible_and_covers_the_true_difference() -> None:
    a, b = [1.0] * 60 + [0.0] * 40, [1.0] * 40 + [0.0] * 60
    first = experiment_stats.bootstrap_difference(a, b, seed=5)
    assert first == experiment_stats.bootstrap_difference(a, b, seed=5)
    assert first is not None and first[0] < 0.2 < first[1] and first[0] > 0
    assert experiment_stats.bootstrap_difference([1.0], b, seed=5) is None


def test_assignment_is_deterministic_and_splits_as_asked() -> None:
    ids = [f"clm_{number:026d}" for number in range(10_000)]
    half = [experiments.arm_for("exp_a", claim_id, 50) for claim_id in ids]
    assert half == [experiments.arm_for("exp_a", claim_id, 50) for claim_id in ids]
    assert 0.48 < half.count("challenger") / len(ids) < 0.52
    fifth = [experiments.arm_for("exp_a", claim_id, 20) for claim_id in ids]
    assert 0.18 < fifth.count("challenger") / len(ids) < 0.22
    other = [experiments.arm_for("exp_b", claim_id, 50) for claim_id in ids]
    assert other != half  # each experiment draws afresh


# ------------------------------------------------------------------------------------- engine and report


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(START)


@pytest.fixture(scope="module")
def app(backend: str, clock: Clock, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with fresh_app(backend, tmp_path_factory.mktemp("experiments"), clock=clock) as application:
        yield application


@pytest.fixture
def creditor(app: Flask) -> CreditorKeys:
    return new_creditor(app)


def test_the_engine_runs_each_claims_arm_and_the_arm_sticks(app: Flask, creditor: CreditorKeys, clock: Clock) -> None:
    clock.now = START
    api = Api(app.test_client(), creditor)
    before = api.post("/v1/claims", claim_body()).json
    created = api.post(
        "/v1/experiments",
        {"name": "SMS first", "challenger": {"definition": SMS_FIRST}, "segment": {"countries": ["DE"]}},
    )
    assert created.status_code == 201, created.json
    experiment_id = created.json["id"]
    clock.now = START + dt.timedelta(minutes=1)
    inside = [api.post("/v1/claims", claim_body()).json for _ in range(6)]
    outside = api.post("/v1/claims", claim_body(debtor={**claim_body()["debtor"], "country": "AT"})).json
    worker = Worker(app.extensions["inkasso.db"], clock, app=app)
    try:
        clock.now = START + dt.timedelta(hours=1)
        while worker.collect():
            pass
    finally:
        worker.close()
    with app.extensions["inkasso.db"].transaction() as session:
        assigned = {
            row.claim_id: row.arm
            for row in session.scalars(
                select(models.ExperimentAssignment).where(models.ExperimentAssignment.creditor_id == creditor.id)
            )
        }
    assert set(assigned) == {claim["id"] for claim in inside}  # not the earlier claim, not the AT one
    for claim in inside:
        arm = experiments.arm_for(experiment_id, claim["id"], 50)
        assert assigned[claim["id"]] == arm
        first = messages_of(app, claim["id"])[0]
        assert (first.step_key, first.channel) == (
            ("sms_first", "sms") if arm == "challenger" else ("reminder", "email")
        )
    assert messages_of(app, before["id"])[0].step_key == "reminder"
    assert messages_of(app, outside["id"])[0].step_key == "reminder"
    with app.extensions["inkasso.db"].transaction() as session:
        claim = session.get(models.Claim, (creditor.id, inside[0]["id"]))
        assert claim is not None
        again = experiments.strategy_for_claim(session, claim, "person", "DE", {}, clock.now)
        arm = assigned[claim.id]
        assert again.id == ("sms_first" if arm == "challenger" else "default")


def test_a_stopped_experiment_takes_no_new_claims(app: Flask, creditor: CreditorKeys, clock: Clock) -> None:
    clock.now = START
    api = Api(app.test_client(), creditor)
    experiment = api.post("/v1/experiments", {"name": "x", "challenger": {"strategy": "nl"}}).json
    assert api.post(f"/v1/experiments/{experiment['id']}/stop", {"reason": "enough"}).status_code == 200
    claim = api.post("/v1/claims", claim_body()).json
    with app.extensions["inkasso.db"].transaction() as session:
        row = session.get(models.Claim, (creditor.id, claim["id"]))
        assert row is not None
        assert experiments.strategy_for_claim(session, row, "person", "DE", {}, START).id == "default"
        assert session.get(models.ExperimentAssignment, (creditor.id, claim["id"])) is None


def test_the_report_finds_a_better_challenger(app: Flask, creditor: CreditorKeys) -> None:
    now = START + dt.timedelta(days=400)
    tenant = Tenant(creditor.id, False)
    params = wire.ExperimentCreateParams(
        name="lift", challenger=wire.ExperimentArmParams(strategy="nl"), minimum_detectable_effect=0.25
    )
    with app.extensions["inkasso.db"].transaction() as session:
        experiment = experiments.create(session, tenant, params, now - dt.timedelta(days=300))
        champion = seed(session, creditor.id, now=now, claims=120, days=280, seed=1, lift=0.5)
        challenger = seed(session, creditor.id, now=now, claims=120, days=280, seed=2, lift=4.0)
        for truths, arm in ((champion, "champion"), (challenger, "challenger")):
            for truth in truths:
                session.add(
                    models.ExperimentAssignment(
                        creditor_id=creditor.id,
                        claim_id=truth.claim_id,
                        experiment_id=experiment.id,
                        arm=arm,
                        assigned_at=now,
                    )
                )
        session.flush()
        report = experiments.report(session, experiment, now)
        claims = {c.id: c for c in session.scalars(select(models.Claim).where(models.Claim.creditor_id == creditor.id))}
    arms = {arm.arm: arm for arm in report.arms}
    assert arms["champion"].claims == arms["challenger"].claims == 120
    assert report.sample_size_per_arm == experiment_stats.sample_size(0.5, 0.25)
    assert min(arms["champion"].decided, arms["challenger"].decided) >= report.sample_size_per_arm
    assert arms["challenger"].share_paid is not None and arms["champion"].share_paid is not None
    assert arms["challenger"].share_paid > arms["champion"].share_paid
    assert report.difference.share_paid_ci is not None and report.difference.share_paid_ci[0] > 0
    assert report.decision == "stop_challenger_wins"
    assert arms["challenger"].median_days_to_pay is not None
    for arm, truths in (("champion", champion), ("challenger", challenger)):
        currencies = {recovery.currency for recovery in arms[arm].by_currency}
        assert currencies == {"EUR", "CHF"}
        for recovery in arms[arm].by_currency:
            assert isinstance(recovery.recovered, int) and recovery.recovered <= recovery.handed_over
            decided_paid = sum(
                claims[t.claim_id].principal
                for t in truths
                if t.paid_day is not None and claims[t.claim_id].currency == recovery.currency
            )
            assert recovery.recovered >= decided_paid  # full payments at least; part-payments on top
