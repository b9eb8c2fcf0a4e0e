"""The creditor portal's dashboard for a creditor with 100,000 claims on PostgreSQL: server time of the whole
view (median and p90 of N), printed beside a plain `SELECT count(*)` of the same claims table in the same run.

    .venv/bin/python bench/portal.py [--claims 100000] [--runs 15]

The goal is under 300 ms. Seeding uses COPY: 100,000 debtors and claims in a spread of states, countries and
currencies, a payment ledger for the paid and part-paid ones, an event per claim, instalment plans for the
claims on a plan, and two other creditors with claims of their own (noise that the queries must skip).

The cash forecast is timed twice: before any claim is scored (every claim counts with the cold-start prior,
computed in SQL from the claim's columns), and after stored scores were copied in for 90 % of the open claims
(as `flask decisions score` leaves them; the rest are new claims the next run will score). The plan-based
estimate, the forecast's fallback, is timed on its own.
Needs the PostgreSQL of the test suite (INKASSO_TEST_DATABASE_URL, default postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paypage.domain.ids import new_id  # noqa: E402
from paypage.extensions import database  # noqa: E402
from paypage.portal import figure_cache, figures  # noqa: E402
from paypage.services.tenancy import Tenant  # noqa: E402
from tests.conftest import build_app, postgresql_database  # noqa: E402
from tests.factories import new_creditor  # noqa: E402
from tests.portal.conftest import PASSWORD, Portal, make_user  # noqa: E402

STATES = [
    ("in_collection", 40),
    ("open", 15),
    ("paid", 25),
    ("payment_plan", 8),
    ("paused", 3),
    ("disputed", 2),
    ("cancelled", 4),
    ("written_off", 3),
]
COUNTRIES = [
    ("DE", "EUR", 50),
    ("AT", "EUR", 12),
    ("NL", "EUR", 12),
    ("FR", "EUR", 10),
    ("CH", "CHF", 10),
    ("PL", "PLN", 6),
]
GOAL_MS = 300


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([item for item, _ in weighted], weights=[weight for _, weight in weighted])[0]


def seed(url: str, creditor_id: str, count: int, rng: random.Random, now: dt.datetime) -> None:
    """COPY the rows straight into the tables (the ORM would take minutes for this many)."""
    import psycopg

    debtors: list[tuple[Any, ...]] = []
    claims: list[tuple[Any, ...]] = []
    payments: list[tuple[Any, ...]] = []
    ledger: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    plans: list[tuple[Any, ...]] = []
    for number in range(count):
        created = now - dt.timedelta(days=rng.randint(0, 400), seconds=rng.randint(0, 86_400))
        country, currency, _ = rng.choices(COUNTRIES, weights=[w for *_, w in COUNTRIES])[0]
        state = pick(rng, STATES)
        principal = rng.randint(1_000, 200_000)
        paid = principal if state == "paid" else (rng.randint(0, principal // 2) if state == "payment_plan" else 0)
        closed = (
            min(created + dt.timedelta(days=rng.randint(1, 90)), now)
            if state in ("paid", "cancelled", "written_off")
            else None
        )
        debtor_id, claim_id = new_id("dbt", created), new_id("clm", created)
        debtors.append((creditor_id, debtor_id, False, "person", f"Debtor {number}", country, created, created))
        claims.append(
            (
                creditor_id,
                claim_id,
                False,
                debtor_id,
                state,
                f"R-{number:07d}",
                country,
                currency,
                principal,
                0,
                0,
                paid,
                created.date(),
                (created + dt.timedelta(days=14)).date(),
                1,
                0,
                created,
                closed or created,
                closed,
                "[]",
                "[]",
                "{}",
            )
        )
        events.append(
            (creditor_id, new_id("evt", created), False, claim_id, "claim.created", "2026-11-01", "{}", created)
        )
        if paid:
            booked = closed or now - dt.timedelta(days=rng.randint(0, 60))
            payment_id = new_id("pay", booked)
            payments.append(
                (
                    creditor_id,
                    payment_id,
                    False,
                    claim_id,
                    "bank_transfer",
                    paid,
                    currency,
                    "succeeded",
                    booked,
                    booked,
                    booked,
                )
            )
            ledger.append(
                (
                    creditor_id,
                    new_id("led", booked),
                    claim_id,
                    payment_id,
                    "payment",
                    paid,
                    currency,
                    "bank_transfer",
                    f"B{number}",
                    booked,
                )
            )
        if state == "payment_plan":
            schedule: list[dict[str, Any]] = [
                {
                    "number": i + 1,
                    "due_date": (now.date() + dt.timedelta(days=30 * i - 40)).isoformat(),
                    "amount": (principal - paid) // 4,
                    "status": "paid" if i == 0 else "due",
                }
                for i in range(4)
            ]
            plans.append(
                (
                    creditor_id,
                    new_id("pln", created),
                    claim_id,
                    "active",
                    currency,
                    sum(item["amount"] for item in schedule),
                    json.dumps(schedule),
                    created,
                    created,
                )
            )
    tables: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
        "debtors": ("creditor_id, id, livemode, type, name, country, created_at, updated_at", debtors),
        "claims": (
            "creditor_id, id, livemode, debtor_id, state, external_reference, country, currency, principal, "
            "interest, fees_total, paid, invoice_date, due_date, pay_link_version, strategy_step, created_at, "
            "updated_at, closed_at, line_items, fees, metadata",
            claims,
        ),
        "events": ("creditor_id, id, livemode, claim_id, type, api_version, data, created_at", events),
        "payments": (
            "creditor_id, id, livemode, claim_id, provider, amount, currency, status, created_at, updated_at, "
            "succeeded_at",
            payments,
        ),
        "ledger_entries": (
            "creditor_id, id, claim_id, payment_id, kind, amount, currency, source, source_reference, created_at",
            ledger,
        ),
        "payment_plans": (
            "creditor_id, id, claim_id, status, currency, total, schedule, created_at, updated_at",
            plans,
        ),
    }
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        for table, (columns, rows) in tables.items():
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        connection.commit()
    # What autovacuum does on a live server: statistics for the planner, the visibility map for index-only scans.
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def seed_scores(url: str, creditor_id: str, rng: random.Random, now: dt.datetime) -> tuple[int, int]:
    """A stored model and scores for 90 % of the creditor's open claims, as the scoring job leaves them."""
    import psycopg

    model_id = new_id("pmd", now)
    parameters = {"vocabulary": [], "means": [], "scales": [], "heads": {}, "partial_share": 0.12, "pooled": False}
    scores = []
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO propensity_models (id, creditor_id, livemode, format_version, parameters, metrics, trained_at)"
            " VALUES (%s, %s, false, 1, %s, '{}', %s)",
            (model_id, creditor_id, json.dumps(parameters), now),
        )
        cursor.execute(
            "SELECT id, currency, principal + interest + fees_total - paid FROM claims WHERE creditor_id = %s"
            " AND livemode = false AND state IN ('open', 'in_collection', 'payment_plan', 'paused', 'disputed')",
            (creditor_id,),
        )
        open_claims = cursor.fetchall()
        for claim_id, currency, outstanding in open_claims:
            if rng.random() < 0.9:
                p30 = rng.uniform(0.02, 0.5)
                p90 = min(p30 + rng.uniform(0.0, 0.4), 1.0)
                expected = round(outstanding * (p90 + (1 - p90) * 0.12))
                scores.append((creditor_id, claim_id, False, p30, p90, expected, currency, expected, model_id, now))
        with cursor.copy(
            "COPY claim_scores (creditor_id, claim_id, livemode, p_paid_30, p_paid_90, expected_90, currency,"
            " priority, model_id, scored_at) FROM STDIN"
        ) as copy:
            for row in scores:
                copy.write_row(row)
        connection.commit()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE claim_scores")
    return len(scores), len(open_claims)


def timed(call: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p90(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10)[-1]


def run(claims: int, runs: int) -> None:
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory() as directory, postgresql_database() as url:
        app = build_app(url, Path(directory))
        noise = [new_creditor(app, f"Noise {index}") for index in range(2)]
        creditor = new_creditor(app, "Hundred Thousand GmbH")
        raw_url = url.replace("postgresql+psycopg://", "postgresql://")
        started = time.perf_counter()
        for other in noise:
            seed(raw_url, other.id, claims // 5, rng, now)
        seed(raw_url, creditor.id, claims, rng, now)
        seeding = time.perf_counter() - started
        make_user(app, "bench@example.com", "owner", creditor.id)
        portal = Portal(app)
        assert portal.login("bench@example.com", PASSWORD).status_code == 302

        def dashboard() -> None:
            figure_cache.clear()  # as after a payment: the figures are computed afresh
            response = portal.client.get("/portal/", base_url="https://portal.test")
            assert response.status_code == 200, response.status_code

        def unchanged() -> None:
            response = portal.client.get("/portal/", base_url="https://portal.test")
            assert response.status_code == 200, response.status_code

        def poll() -> None:
            response = portal.client.get(
                "/portal/dashboard/figures", base_url="https://portal.test", headers={"If-None-Match": etag}
            )
            assert response.status_code == 304, response.status_code

        def forecast() -> None:
            response = portal.client.get("/portal/dashboard/forecast?fragment=1", base_url="https://portal.test")
            assert response.status_code == 200, response.status_code

        def fallback() -> None:
            with app.app_context(), database().transaction() as session:
                figures.plan_forecast(session, Tenant(creditor.id, False), now)

        def count() -> None:
            with app.app_context(), database().engine.connect() as connection:
                connection.execute(text("SELECT count(*) FROM claims")).scalar_one()

        dashboard()  # warm the database's caches, as on a server that has run a while
        count()
        etag = portal.client.get("/portal/dashboard/figures", base_url="https://portal.test").headers["ETag"]
        page = timed(dashboard, runs)
        plain = timed(count, runs)
        cached = timed(unchanged, runs)
        polled = timed(poll, runs)
        unscored = timed(forecast, runs)
        scored, open_claims = seed_scores(raw_url, creditor.id, rng, now)
        forecast()
        predicted = timed(forecast, runs)
        planned = timed(fallback, runs)
        total = claims + 2 * (claims // 5)
        print(f"seeded {claims:,} claims for the creditor and {total - claims:,} for two others in {seeding:.1f} s")
        print(f"{'':32}{'median':>10}{'p90':>10}")
        rows = [
            ("dashboard, figures computed", page),
            ("SELECT count(*) FROM claims", plain),
            ("dashboard, no change since", cached),
            ("live-update poll, unchanged", polled),
            ("forecast, nothing scored yet", unscored),
            (f"forecast, {scored * 100 // open_claims} % scored", predicted),
            ("plan-based estimate (fallback)", planned),
        ]
        for label, samples in rows:
            tail = f"{p90(samples):>8.1f}ms" if len(samples) >= 5 else f"{max(samples):>8.1f}ms (max)"
            print(f"{label:32}{statistics.median(samples):>8.1f}ms{tail}")
        print(f"forecast: {scored:,} of {open_claims:,} open claims with a stored score")
        ratio = statistics.median(page) / statistics.median(plain)
        verdict = "within" if statistics.median(page) < GOAL_MS else "OVER"
        print(f"dashboard with fresh figures / count(*): {ratio:.1f}x; goal {GOAL_MS} ms for it: {verdict}")
        app.extensions["inkasso.db"].dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    run(args.claims, args.runs)


if __name__ == "__main__":
    main()
