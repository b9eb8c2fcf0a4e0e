"""The payment-propensity model: features without leakage or protected attributes, training on history
with a time-based holdout, JSON storage that predicts exactly like scikit-learn, and the cold-start prior."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator

import numpy as np
import pytest
from flask import Flask
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sqlalchemy import select

from bench.history import seed
from paypage.decisions import claim_history, propensity
from paypage.decisions.claim_history import ClaimHistory, TimelineEntry
from paypage.store import models
from tests.conftest import fresh_app
from tests.factories import CreditorKeys, new_creditor

NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
PROTECTED = {"name", "gender", "birth", "dob", "age", "nationality", "address", "postal", "city", "language", "email"}


@pytest.fixture(scope="module")
def app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with fresh_app(backend, tmp_path_factory.mktemp("propensity")) as application:
        yield application


@pytest.fixture(scope="module")
def seeded(app: Flask) -> CreditorKeys:
    creditor = new_creditor(app, "History GmbH")
    with app.extensions["inkasso.db"].transaction() as session:
        seed(session, creditor.id, now=NOW, claims=420, seed=11)
    return creditor


@pytest.fixture(scope="module")
def trained(app: Flask, seeded: CreditorKeys) -> propensity.Trained:
    with app.extensions["inkasso.db"].transaction() as session:
        return propensity.train(session, creditor_id=seeded.id, livemode=False, now=NOW)


def _history(**overrides: object) -> ClaimHistory:
    history = ClaimHistory(
        creditor_id="cred_x",
        claim_id="clm_x",
        livemode=False,
        country="DE",
        currency="EUR",
        debtor_type="person",
        principal=20_000,
        due_date=dt.date(2026, 9, 1),
        created_at=dt.datetime(2026, 9, 15, 9, tzinfo=dt.UTC),
    )
    return dataclasses.replace(history, **overrides)  # type: ignore[arg-type]


def test_features_use_only_what_happened_before_the_scoring_moment() -> None:
    at = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    before = [
        TimelineEntry(dt.datetime(2026, 9, 15, 10, tzinfo=dt.UTC), "claim.contacted", "email"),
        TimelineEntry(dt.datetime(2026, 9, 20, tzinfo=dt.UTC), "claim.payment_succeeded", amount=5_000),
    ]
    after = [
        TimelineEntry(dt.datetime(2026, 10, 2, tzinfo=dt.UTC), "claim.viewed"),
        TimelineEntry(dt.datetime(2026, 10, 3, tzinfo=dt.UTC), "claim.payment_succeeded", amount=15_000),
        TimelineEntry(dt.datetime(2026, 10, 3, tzinfo=dt.UTC), "claim.paid"),
    ]
    seen = propensity.features(_history(timeline=before), at)
    assert propensity.features(_history(timeline=before + after), at) == seen
    assert seen["contacts_email"] == 1.0
    assert seen["partial_share"] == 0.25
    assert seen["viewed_any"] == 0.0
    assert seen["days_overdue"] == pytest.approx(30 / 30)


def test_no_protected_attribute_is_a_feature() -> None:
    names = propensity.features(_history(), NOW, pooled=True)
    stems = {name.split("=")[0] for name in names} - {f"contacts_{channel}" for channel in propensity.CHANNELS}
    assert not [stem for stem in stems if PROTECTED & set(re.split(r"[^a-z]+", stem.lower()))]
    fields = {field.name for field in dataclasses.fields(ClaimHistory)}
    assert not [name for name in fields if PROTECTED & set(name.split("_"))]


def test_amount_bands_respect_the_currency_minor_units() -> None:
    assert propensity.amount_band(4_999, "EUR") == "lt50"
    assert propensity.amount_band(5_000, "EUR") == "50-250"
    assert propensity.amount_band(5_000, "JPY") == "1000+"
    assert propensity.amount_band(120_000, "KWD") == "50-250"


def test_the_stored_json_model_predicts_exactly_like_scikit_learn() -> None:
    rng = np.random.default_rng(3)
    rows = []
    labels = []
    for _ in range(1200):
        x = float(rng.normal())
        rows.append({"x": x, f"band={rng.choice(['a', 'b'])}": 1.0})
        labels.append((x + rng.normal() > 0, x + rng.normal() > -0.5))
    samples = [propensity.Sample(NOW, values, label, 0.0) for values, label in zip(rows, labels, strict=True)]
    model = propensity.Model.from_json(propensity.fit(samples).to_json())
    x = model.matrix(rows)
    for index, days in enumerate(propensity.HORIZONS):
        y = [int(label[index]) for label in labels]
        reference = CalibratedClassifierCV(LogisticRegression(C=1.0, max_iter=2000), method="isotonic", cv=3).fit(x, y)
        assert np.allclose(model.predict(rows, days), reference.predict_proba(x)[:, 1], atol=1e-9)


def test_training_on_history_beats_chance_and_is_calibrated(
    app: Flask, seeded: CreditorKeys, trained: propensity.Trained
) -> None:
    assert trained.model_id is not None
    metrics = trained.metrics
    assert metrics["n_test"] > 50
    for days in propensity.HORIZONS:
        assert metrics[f"auc_{days}"] > 0.65, metrics
        base = metrics[f"base_rate_{days}"]
        assert metrics[f"brier_{days}"] < base * (1 - base), metrics  # better than always saying the base rate
    assert dt.datetime.fromisoformat(metrics["holdout_from"]) < NOW - dt.timedelta(days=90)
    with app.extensions["inkasso.db"].transaction() as session:
        stored = session.get(models.PropensityModel, trained.model_id)
        assert stored is not None and stored.creditor_id == seeded.id and stored.metrics == metrics
        assert isinstance(stored.parameters["heads"]["90"][0]["coef"], list)


def test_scores_are_consistent_probabilities_and_integer_amounts(
    app: Flask, seeded: CreditorKeys, trained: propensity.Trained
) -> None:
    with app.extensions["inkasso.db"].transaction() as session:
        scores = propensity.score(session, creditor_id=seeded.id, livemode=False, now=NOW)
    assert scores
    for found in scores.values():
        assert 0.0 <= found.p_paid_30 <= found.p_paid_90 <= 1.0
        assert isinstance(found.expected_90, int) and 0 <= found.expected_90 <= found.outstanding
        assert found.model_id == trained.model_id


def test_too_little_history_keeps_the_prior(app: Flask) -> None:
    creditor = new_creditor(app, "New Shop")
    with app.extensions["inkasso.db"].transaction() as session:
        seed(session, creditor.id, now=NOW, claims=30, days=40, seed=5)
        trained = propensity.train(session, creditor_id=creditor.id, livemode=False, now=NOW)
        scores = propensity.score(session, creditor_id=creditor.id, livemode=False, now=NOW)
    assert trained.model_id is None and "too little history" in trained.metrics["note"]
    pooled_exists = False
    with app.extensions["inkasso.db"].transaction() as session:
        pooled_exists = (
            session.scalars(select(models.PropensityModel).where(models.PropensityModel.creditor_id.is_(None))).first()
            is not None
        )
    if not pooled_exists:
        assert scores and all(found.model_id is None for found in scores.values())


def test_the_prior_favours_small_fresh_claims() -> None:
    small = propensity.prior(_history(principal=2_000, due_date=NOW.date()), NOW)
    large = propensity.prior(_history(principal=500_000, due_date=NOW.date()), NOW)
    old = propensity.prior(_history(principal=2_000, due_date=NOW.date() - dt.timedelta(days=240)), NOW)
    assert small == pytest.approx(propensity.PRIOR["lt50"])
    assert large[1] < small[1] and old[1] < small[1]
    assert all(p30 <= p90 for p30, p90 in (small, large, old))


def test_a_creditor_never_gets_another_creditors_model(app: Flask, trained: propensity.Trained) -> None:
    other = new_creditor(app, "Other GmbH")
    with app.extensions["inkasso.db"].transaction() as session:
        found = propensity.latest_model(session, other.id, False)
        histories = claim_history.load(session, other.id, False)
    assert histories == []
    if found is not None:
        model_id, model = found
        row = session_model_owner(app, model_id)
        assert row is None and model.pooled


def session_model_owner(app: Flask, model_id: str) -> str | None:
    with app.extensions["inkasso.db"].transaction() as session:
        stored = session.get(models.PropensityModel, model_id)
        assert stored is not None
        return stored.creditor_id


def test_the_pooled_model_serves_creditors_without_their_own(app: Flask, trained: propensity.Trained) -> None:
    newcomer = new_creditor(app, "Newcomer AG")
    with app.extensions["inkasso.db"].transaction() as session:
        seed(session, newcomer.id, now=NOW, claims=10, days=20, seed=9)
        pooled = propensity.train(session, creditor_id=None, livemode=False, now=NOW)
        scores = propensity.score(session, creditor_id=newcomer.id, livemode=False, now=NOW)
    assert pooled.model_id is not None
    assert pooled.metrics["auc_90"] > 0.7
    assert {found.model_id for found in scores.values()} == {pooled.model_id}


def test_refresh_scores_stores_a_priority_per_open_claim(
    app: Flask, seeded: CreditorKeys, trained: propensity.Trained
) -> None:
    with app.extensions["inkasso.db"].transaction() as session:
        count = propensity.refresh_scores(session, creditor_id=seeded.id, livemode=False, now=NOW)
        rows = list(session.scalars(select(models.ClaimScore).where(models.ClaimScore.creditor_id == seeded.id)))
    assert count == len(rows) > 0
    assert all(row.priority == propensity.priority(row.expected_90, row.currency) for row in rows)
    assert propensity.priority(1_000, "JPY") == propensity.priority(1_000_00, "EUR") // 100 * 100
    assert propensity.priority(1_000, "KWD") == 100


def test_a_long_id_list_reads_the_same_histories(
    app: Flask, seeded: CreditorKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.extensions["inkasso.db"].transaction() as session:
        everything = claim_history.load(session, seeded.id, False)
        wanted = [history.claim_id for history in everything[:5]]
        narrow = claim_history.load(session, seeded.id, False, wanted)
        monkeypatch.setattr(claim_history, "MAX_IN_LIST", 2)
        wide = claim_history.load(session, seeded.id, False, wanted)
    assert [h.claim_id for h in narrow] == [h.claim_id for h in wide] == wanted
    assert [h.timeline for h in narrow] == [h.timeline for h in wide] == [h.timeline for h in everything[:5]]
    assert all(h.timeline for h in wide)
