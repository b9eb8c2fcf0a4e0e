"""The retention job: debtors are anonymised when their country's period has run out, once, with an entry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask

from paypage.domain.retention import rule_for
from paypage.engine.worker import Worker
from paypage.extensions import database
from paypage.services import audit, retention
from paypage.store import models
from tests.conftest import fresh_app
from tests.dataprotection.support import Handed, add_history, close, hand_over, new_tenant

HANDED_OVER = dt.datetime(2022, 3, 1, 9, 0, tzinfo=dt.UTC)
SETTLED = dt.datetime(2022, 6, 15, 12, 0, tzinfo=dt.UTC)
LAST_MOMENT_OF_2025 = dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _debtor(app: Flask, handed: Handed) -> models.Debtor:
    with app.app_context(), database().transaction() as session:
        debtor = session.get(models.Debtor, (handed.tenant.creditor_id, handed.debtor_id))
        assert debtor is not None
        return debtor


def _run(app: Flask, now: dt.datetime) -> retention.RetentionReport:
    with app.app_context():
        return retention.run(database(), now, batch_size=2)


def test_retention_runs_out_per_country_and_only_once(backend: str, tmp_path: Path) -> None:
    clock = Clock(LAST_MOMENT_OF_2025)
    with fresh_app(backend, tmp_path, clock=clock) as app:
        tenant = new_tenant(app, HANDED_OVER)
        germans = [hand_over(app, tenant, HANDED_OVER, name=f"Deutsch {n}", country="DE") for n in range(3)]
        american = hand_over(app, tenant, HANDED_OVER, name="Jane Doe", country="US", language="en")
        still_open = hand_over(app, tenant, HANDED_OVER, name="Offen Bleibt", country="DE")
        add_history(app, germans[0], HANDED_OVER, "Vermerk")
        for handed in [*germans, american]:
            close(app, handed, SETTLED)

        assert _run(app, LAST_MOMENT_OF_2025).erased == 0  # § 199 BGB: the three years end with 2025

        clock.now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        result = app.test_cli_runner().invoke(args=["retention", "run", "--batch-size", "2"])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "3 debtors anonymised (DE: 3)"
        for handed in germans:
            debtor = _debtor(app, handed)
            assert (debtor.name, debtor.email, debtor.erased_at) == ("[erased]", None, clock.now)
        assert _debtor(app, american).erased_at is None  # no rule of its own: the default of six years
        assert _debtor(app, still_open).erased_at is None
        assert _run(app, clock.now).erased == 0  # idempotent

        report = _run(app, dt.datetime(2029, 1, 1, tzinfo=dt.UTC))
        assert (report.erased, report.by_country) == (1, {"*": 1})
        assert _debtor(app, still_open).name == "Offen Bleibt"

        with app.app_context(), database().transaction() as session:
            entries = audit.entries(session, creditor_id=tenant.creditor_id)
        erasures = [entry for entry in entries if entry.action == "debtor.erased"]
        assert sorted(entry.subject or "" for entry in erasures) == sorted(h.debtor_id for h in [*germans, american])
        assert {entry.detail["reason"] for entry in erasures} == {"retention:DE:3y", "retention:*:6y"}
        assert all(entry.actor == "system" for entry in erasures)


def test_the_worker_applies_retention_once_an_hour(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    with fresh_app("sqlite", tmp_path, clock=clock) as app:
        tenant = new_tenant(app, HANDED_OVER)
        first = hand_over(app, tenant, HANDED_OVER, name="Erste", country="DE")
        close(app, first, SETTLED)
        worker = Worker(app.extensions["inkasso.db"], clock, app=app)
        try:
            assert worker.apply_retention() == 1
            second = hand_over(app, tenant, HANDED_OVER, name="Zweite", country="DE")
            close(app, second, SETTLED)
            clock.now += dt.timedelta(minutes=59)
            assert worker.apply_retention() == 0
            clock.now += dt.timedelta(minutes=2)
            assert worker.apply_retention() == 1
        finally:
            worker.close()


def test_rules_cover_the_cutoff_arithmetic() -> None:
    germany = rule_for("de")
    assert germany.personal_years == 3 and germany.verified
    assert germany.personal_data_expires(SETTLED) == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    new_year = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert germany.personal_data_cutoff(new_year) == dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    assert rule_for("US").country is None
