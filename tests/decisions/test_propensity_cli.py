"""`flask --app paypage decisions ...`: train prints holdout figures and stores the model; scores follow."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from inkasso import types as wire
from sqlalchemy import func, select

from bench.history import seed
from paypage.decisions import experiments
from paypage.services.tenancy import Tenant
from paypage.store import models
from tests.conftest import fresh_app
from tests.factories import new_creditor

NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with fresh_app("sqlite", tmp_path_factory.mktemp("cli"), clock=lambda: NOW) as application:
        yield application


def test_train_prints_auc_and_brier_stores_the_model_and_rescores(app: Flask) -> None:
    creditor = new_creditor(app, "CLI GmbH")
    with app.extensions["inkasso.db"].transaction() as session:
        seed(session, creditor.id, now=NOW, claims=420, seed=11)
    result = app.test_cli_runner().invoke(args=["decisions", "train", "--creditor", creditor.id, "--mode", "test"])
    assert result.exit_code == 0, result.output
    assert f"creditor {creditor.id}, test mode:" in result.output
    assert re.search(r"paid within 30 days: AUC 0\.\d{3}, Brier 0\.\d{4}", result.output)
    assert re.search(r"paid within 90 days: AUC 0\.\d{3}, Brier 0\.\d{4}", result.output)
    model_id = re.search(r"stored as (pmd_\w+)", result.output)
    assert model_id is not None
    with app.extensions["inkasso.db"].transaction() as session:
        assert session.get(models.PropensityModel, model_id.group(1)) is not None
        scored = session.scalar(select(func.count()).select_from(models.ClaimScore))
    assert scored and f"scores refreshed for {scored} open claims" in result.output


def test_train_without_history_says_the_prior_stays(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["decisions", "train", "--mode", "live"])
    assert result.exit_code == 0, result.output
    assert "pooled, live mode: 0 moments, not stored: the prior stays in use" in result.output


def test_experiment_report_of_an_unknown_experiment_fails_clearly(app: Flask) -> None:
    creditor = new_creditor(app, "Nobody")
    result = app.test_cli_runner().invoke(
        args=["decisions", "experiment-report", "exp_00000000000000000000000000", "--creditor", creditor.id]
    )
    assert result.exit_code == 1
    assert "No such experiment: 'exp_00000000000000000000000000'" in result.output


def test_experiment_report_prints_the_arms_and_the_decision(app: Flask) -> None:
    creditor = new_creditor(app, "Experimenting GmbH")
    params = wire.ExperimentCreateParams(name="NL flow", challenger=wire.ExperimentArmParams(strategy="nl"))
    with app.extensions["inkasso.db"].transaction() as session:
        experiment = experiments.create(session, Tenant(creditor.id, False), params, NOW)
    result = app.test_cli_runner().invoke(
        args=["decisions", "experiment-report", experiment.id, "--creditor", creditor.id]
    )
    assert result.exit_code == 0, result.output
    assert "NL flow (running), 1565 decided claims per arm needed" in result.output
    assert "  champion: 0 claims, 0 decided, 0 paid, share paid n/a" in result.output
    assert "decision: continue (fixed horizon: 1565 decided claims per arm are needed" in result.output
