"""SIGKILL of the API processes on PostgreSQL while claims are handed over and payments are booked.

Each scenario runs gunicorn as a real process group, drives it from many client threads, kills one
worker and later the whole server in mid-stream, starts it again, lets the clients retry as they would
(the SDK with its idempotency keys, the payment provider by redelivering unacknowledged webhooks), and
then reads the database to count what was lost, doubled or half-written. The tests assert on the report;
`bench/faults.py` prints it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from flask import Flask
from sqlalchemy import select, text

from paypage.domain.money import Money
from paypage.payments.sandbox import SandboxProvider
from paypage.services import claims, payments
from paypage.services.tenancy import Tenant
from paypage.store import models
from tests.conftest import TEST_SECRET, build_app
from tests.factories import CreditorKeys, claim_body, new_creditor
from tests.faults._gunicorn import ApiServer, served
from tests.faults._traffic import Seen, Workers, patiently, sdk_client

ENDPOINT_URL = "http://127.0.0.1:9/inkasso-events"  # never answered: deliveries stay pending, to be counted


@dataclass
class Report:
    scenario: str
    requests: int = 0
    held: int = 0  # items confirmed to the client (claims stored, notifications acknowledged)
    p99: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    unclean: list[str] = field(default_factory=list)
    kills: int = 0
    problems: dict[str, int] = field(default_factory=dict)  # each must be 0

    @property
    def lost(self) -> int:
        return sum(self.problems.values())

    @property
    def clean_errors(self) -> int:
        return sum(c for s, c in self.statuses.items() if s == 503) + sum(self.failures.values())

    @property
    def server_errors_seen(self) -> int:
        return sum(c for s, c in self.statuses.items() if s >= 500)

    @property
    def other_errors(self) -> int:
        return sum(c for s, c in self.statuses.items() if s >= 500 and s != 503)

    def absorb(self, seen: Seen, server: ApiServer) -> None:
        self.requests = sum(seen.statuses.values()) + sum(seen.failures.values())
        self.p99 = seen.p99()
        self.statuses = seen.statuses
        self.failures = seen.failures
        self.unclean = seen.unclean
        self.kills = server.kills


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@contextlib.contextmanager
def _prepared(database_url: str, data_dir: Path) -> Iterator[tuple[Flask, CreditorKeys]]:
    """The migrated database with a creditor who has one webhook endpoint."""
    app = build_app(database_url, data_dir)
    try:
        creditor = new_creditor(app)
        answer = app.test_client().post("/v1/webhook_endpoints", json={"url": ENDPOINT_URL}, headers=creditor.headers())
        assert answer.status_code == 201, answer.get_json()
        yield app, creditor
    finally:
        app.extensions["inkasso.db"].dispose()


def _crash_in_mid_stream(
    server: ApiServer, progress: Callable[[], int], total: int, during: Callable[[], None]
) -> None:
    """Kill one worker at a quarter of the work, the whole server at a half; `during` runs while it is down."""
    if wait_until(lambda: progress() >= total // 4, 60):
        server.kill_worker()
    if wait_until(lambda: progress() >= total // 2, 60):
        server.kill_all()
        during()
        time.sleep(0.5)
        server.start()


# ------------------------------------------------------------------------------------------- submits


def submit_scenario(
    database_url: str,
    data_dir: Path,
    single_threads: int = 6,
    singles: int = 25,
    batch_threads: int = 2,
    batches: int = 6,
    batch_size: int = 25,
) -> Report:
    """Single submits and batches with Idempotency-Keys, many in flight, through two SIGKILLs."""
    report = Report("SIGKILL during submits")
    with _prepared(database_url, data_dir) as (app, creditor):
        engine = app.extensions["inkasso.db"].engine
        answered: dict[str, str] = {}  # external reference -> claim id the client was given
        lock = threading.Lock()
        batch_refs = {
            f"B{b}-{k:02d}": [f"B{b}-{k:02d}-{i:02d}" for i in range(batch_size)]
            for b in range(batch_threads)
            for k in range(batches)
        }
        expected = {f"S{t}-{n:03d}" for t in range(single_threads) for n in range(singles)}
        expected |= {ref for refs in batch_refs.values() for ref in refs}
        half_stored_while_down = 0
        seen = Seen()

        def count_half_batches() -> int:
            with engine.connect() as connection:
                stored = Counter(
                    ref.rsplit("-", 1)[0]
                    for ref in connection.scalars(
                        text(
                            "SELECT external_reference FROM claims"
                            " WHERE creditor_id = :c AND external_reference LIKE 'B%'"
                        ),
                        {"c": creditor.id},
                    )
                )
            return sum(1 for prefix, refs in batch_refs.items() if stored[prefix] not in (0, len(refs)))

        def note_down() -> None:
            nonlocal half_stored_while_down
            half_stored_while_down = count_half_batches()

        with served(database_url, data_dir) as server:

            def single_job(thread: int) -> Callable[[], None]:
                def run() -> None:
                    with sdk_client(server.url, creditor.test_key, seen) as client:
                        for n in range(singles):
                            ref = f"S{thread}-{n:03d}"
                            body = claim_body(external_reference=ref, metadata={})
                            claim = patiently(
                                functools.partial(client.claims.submit, **body, idempotency_key=f"k-{ref}")
                            )
                            with lock:
                                answered[ref] = claim.id

                return run

            def batch_job(thread: int) -> Callable[[], None]:
                def run() -> None:
                    with sdk_client(server.url, creditor.test_key, seen) as client:
                        for k in range(batches):
                            prefix = f"B{thread}-{k:02d}"
                            bodies = [claim_body(external_reference=ref, metadata={}) for ref in batch_refs[prefix]]
                            submit = functools.partial(
                                client.claims.submit_batch, claims=bodies, idempotency_key=f"k-{prefix}"
                            )
                            result = patiently(submit)
                            with lock:
                                for item, ref in zip(result.results, batch_refs[prefix], strict=True):
                                    assert item.claim is not None, item
                                    answered[ref] = item.claim.id

                return run

            jobs = [single_job(t) for t in range(single_threads)] + [batch_job(b) for b in range(batch_threads)]
            workers = Workers(jobs)
            try:
                _crash_in_mid_stream(server, lambda: len(answered), len(expected), note_down)
            finally:
                workers.join(180)
            report.absorb(seen, server)

        report.held = len(answered)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT external_reference, id FROM claims WHERE creditor_id = :c"), {"c": creditor.id}
            ).all()
            created = Counter(
                connection.scalars(
                    text("SELECT claim_id FROM events WHERE creditor_id = :c AND type = 'claim.created'"),
                    {"c": creditor.id},
                )
            )
            deliveries = Counter(
                connection.scalars(
                    text(
                        "SELECT e.claim_id FROM webhook_deliveries d JOIN events e"
                        " ON e.creditor_id = d.creditor_id AND e.id = d.event_id"
                        " WHERE d.creditor_id = :c AND e.type = 'claim.created'"
                    ),
                    {"c": creditor.id},
                )
            )
        stored = Counter(ref for ref, _ in rows)
        ids = {ref: claim_id for ref, claim_id in rows}
        report.problems = {
            "missing": len(expected - set(stored)),
            "doubled": sum(1 for count in stored.values() if count > 1),
            "unexpected": len(set(stored) - expected),
            "answer_without_record": sum(1 for ref, claim_id in answered.items() if ids.get(ref) != claim_id),
            "half_batches_while_down": half_stored_while_down,
            "half_batches": count_half_batches(),
            "created_events_not_one": sum(1 for claim_id in ids.values() if created[claim_id] != 1)
            + len(set(created) - set(ids.values())),
            "deliveries_not_one": sum(1 for claim_id in ids.values() if deliveries[claim_id] != 1),
        }
        return report


# ------------------------------------------------------------------------------------------- payments


@dataclass(frozen=True)
class Notification:
    payment_id: str
    amount: int
    body: bytes
    headers: dict[str, str]


def _payments(app: Flask, creditor_id: str, claim_ids: list[str]) -> list[tuple[str, str, int]]:
    """Pending payments as the pay page starts them: two that settle the claim, or one part payment."""
    tenant = Tenant(creditor_id, False)
    started: list[tuple[str, str, int]] = []
    now = dt.datetime.now(dt.UTC)
    with app.app_context(), app.extensions["inkasso.db"].transaction() as session:
        for index, claim_id in enumerate(claim_ids):
            row = claims.get(session, tenant, claim_id, for_update=True)
            amounts = [5_000, 7_345] if index % 2 == 0 else [4_000]
            for amount in amounts:
                payment = payments.start(session, row, "sandbox", "card", Money(amount, "EUR"), now)
                started.append((claim_id, payment.id, amount))
    return started


def booking_scenario(database_url: str, data_dir: Path, claims_count: int = 40, threads: int = 6) -> Report:
    """Signed provider webhooks, each sent twice, redelivered until acknowledged, through two SIGKILLs."""
    report = Report("SIGKILL during booking")
    with _prepared(database_url, data_dir) as (app, creditor):
        client = app.test_client()
        claim_ids = []
        for _ in range(claims_count):
            answer = client.post("/v1/claims", json=claim_body(metadata={}), headers=creditor.headers())
            assert answer.status_code == 201, answer.get_json()
            claim_ids.append(answer.get_json()["id"])
        started = _payments(app, creditor.id, claim_ids)
        seen = Seen()

        with served(database_url, data_dir) as server:
            outbox: list[tuple[str, bytes, dict[str, str]]] = []
            provider = SandboxProvider(
                TEST_SECRET,
                server.url,
                creditor.id,
                deliver=lambda url, body, headers: outbox.append((url, body, headers)),
            )
            notifications = []
            for _claim_id, payment_id, amount in started:
                provider.notify("payment_succeeded", payment_id, f"sbx_pi_{payment_id}", Money(amount, "EUR"), "card")
                url, body, headers = outbox[-1]
                notifications.append(Notification(payment_id, amount, body, headers))
            # At-least-once delivery: every notification is sent twice, the copies at about the same time.
            pending: queue.Queue[tuple[Notification, str]] = queue.Queue()
            copies = [(n, url) for n in notifications for _ in range(2)]
            random.Random(7).shuffle(copies)
            for item in copies:
                pending.put(item)
            acknowledged: Counter[str] = Counter()
            lock = threading.Lock()
            http = httpx.Client(timeout=15)

            def deliver() -> None:
                while True:
                    with lock:
                        if sum(acknowledged.values()) >= len(copies):
                            return
                    try:
                        notification, target = pending.get(timeout=0.2)
                    except queue.Empty:
                        continue
                    began = time.monotonic()
                    try:
                        answer = http.post(target, content=notification.body, headers=notification.headers)
                    except httpx.TransportError as exc:
                        seen.failed(exc, time.monotonic() - began)
                        ok = False
                    else:
                        seen.answered(answer, time.monotonic() - began)
                        ok = answer.status_code == 200
                    if ok:
                        with lock:
                            acknowledged[notification.payment_id] += 1
                    else:
                        time.sleep(0.1)  # a provider backs off, then redelivers
                        pending.put((notification, target))
                    time.sleep(0.01)

            workers = Workers([deliver for _ in range(threads)])
            try:
                _crash_in_mid_stream(server, lambda: sum(acknowledged.values()), len(copies), lambda: None)
            finally:
                workers.join(180)
                http.close()
            report.absorb(seen, server)
        report.held = sum(acknowledged.values())
        report.problems = _books(app.extensions["inkasso.db"], creditor.id, started)
        return report


def _books(database: Any, creditor_id: str, started: list[tuple[str, str, int]]) -> dict[str, int]:
    """Compare what the provider reported with the ledger, the claims' paid sums and the events."""
    with database.transaction() as session:
        # Through the models: event data may be stored encrypted.
        event_rows = session.execute(
            select(models.Event.id, models.Event.type, models.Event.claim_id, models.Event.data).where(
                models.Event.creditor_id == creditor_id,
                models.Event.type.in_(("claim.payment_succeeded", "claim.paid")),
            )
        ).all()
    with database.engine.connect() as connection:
        ledger = connection.execute(
            text("SELECT payment_id, claim_id, kind, amount FROM ledger_entries WHERE creditor_id = :c"),
            {"c": creditor_id},
        ).all()
        paid = dict(
            connection.execute(text("SELECT id, paid FROM claims WHERE creditor_id = :c"), {"c": creditor_id}).all()
        )
        states = dict(
            connection.execute(text("SELECT id, state FROM claims WHERE creditor_id = :c"), {"c": creditor_id}).all()
        )
        statuses = dict(
            connection.execute(text("SELECT id, status FROM payments WHERE creditor_id = :c"), {"c": creditor_id}).all()
        )
        delivered = Counter(
            connection.scalars(
                text("SELECT event_id FROM webhook_deliveries WHERE creditor_id = :c"), {"c": creditor_id}
            )
        )
    entries = Counter(payment_id for payment_id, _, kind, _ in ledger if kind == "payment")
    ledger_by_claim: Counter[str] = Counter()
    for _, claim_id, _, amount in ledger:
        ledger_by_claim[claim_id] += amount
    reported_by_claim: Counter[str] = Counter()
    for claim_id, _, amount in started:
        reported_by_claim[claim_id] += amount
    succeeded_events: Counter[str] = Counter()
    paid_events: Counter[str] = Counter()
    for _, kind, claim_id, data in event_rows:
        if kind == "claim.payment_succeeded":
            succeeded_events[data["payment"]["id"]] += 1
        else:
            paid_events[claim_id] += 1
    settled = {claim_id for claim_id, amount in reported_by_claim.items() if amount >= 12_345}
    return {
        "payments_not_booked_once": sum(1 for _, payment_id, _ in started if entries[payment_id] != 1),
        "ledger_total_differs": abs(sum(amount for *_, amount in ledger) - sum(a for *_, a in started)),
        "claim_paid_differs_from_ledger": sum(1 for c in paid if paid[c] != ledger_by_claim[c]),
        "claim_paid_differs_from_reported": sum(1 for c in paid if paid[c] != reported_by_claim[c]),
        "payment_not_succeeded": sum(1 for _, payment_id, _ in started if statuses[payment_id] != "succeeded"),
        "succeeded_events_not_one": sum(1 for _, payment_id, _ in started if succeeded_events[payment_id] != 1),
        "paid_state_wrong": sum(1 for c in states if (states[c] == "paid") != (c in settled)),
        "paid_events_not_one": sum(1 for c in settled if paid_events[c] != 1) + len(set(paid_events) - settled),
        "events_without_delivery": sum(1 for event_id, *_ in event_rows if delivered[event_id] != 1),
    }
