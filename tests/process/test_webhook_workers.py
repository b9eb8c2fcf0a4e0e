"""Webhook workers as real processes on PostgreSQL: SIGKILL in mid-batch, and two workers side by side."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from paypage.store import models
from tests.conftest import TEST_SECRET, fresh_app
from tests.factories import claim_body, new_creditor
from tests.functional.conftest import Api
from tests.receiver import Receiver

pytestmark = pytest.mark.process


@pytest.fixture
def pg_app(tmp_path: Path) -> Iterator[Flask]:
    with fresh_app("postgresql", tmp_path) as application:
        yield application


def start_worker(app: Flask, data_dir: Path, **env: str) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "INKASSO_DATABASE_URL": app.extensions["inkasso.db"].url,
        "INKASSO_SECRET_KEY": TEST_SECRET,
        "INKASSO_DATA_DIR": str(data_dir),
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "paypage", "worker", "--concurrency", "8"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def hand_over(api: Api, count: int) -> None:
    for start in range(0, count, 1000):
        size = min(1000, count - start)
        response = api.post("/v1/claims/batch", {"claims": [claim_body(metadata={}) for _ in range(size)]})
        assert response.status_code == 200, response.json


def event_ids(app: Flask, creditor_id: str) -> set[str]:
    with app.extensions["inkasso.db"].transaction() as session:
        return set(session.scalars(select(models.Event.id).where(models.Event.creditor_id == creditor_id)))


def delivery_states(app: Flask) -> dict[str, int]:
    with app.extensions["inkasso.db"].transaction() as session:
        rows = session.execute(
            select(models.WebhookDelivery.status, func.count()).group_by(models.WebhookDelivery.status)
        ).all()
    return {status: count for status, count in rows}


def test_sigkill_in_mid_batch_loses_nothing(pg_app: Flask, tmp_path: Path) -> None:
    receiver = Receiver(script=lambda n, body: (200, 0.02))
    creditor = new_creditor(pg_app)
    api = Api(pg_app.test_client(), creditor)
    api.post("/v1/webhook_endpoints", {"url": receiver.url})
    hand_over(api, 300)
    expected = event_ids(pg_app, creditor.id)
    first = start_worker(pg_app, tmp_path, INKASSO_WEBHOOK_LEASE="3", INKASSO_WEBHOOK_TIMEOUT="2")
    try:
        assert wait_for(lambda: len(receiver.requests) >= 60, 30), "the worker did not start delivering"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        delivered_before_kill = set(receiver.ids())
        assert 0 < len(delivered_before_kill) < len(expected)
        second = start_worker(pg_app, tmp_path, INKASSO_WEBHOOK_LEASE="3", INKASSO_WEBHOOK_TIMEOUT="2")
        try:
            assert wait_for(lambda: set(receiver.ids()) >= expected, 60), "events were lost"
            assert wait_for(lambda: delivery_states(pg_app) == {"succeeded": 300}, 15)
        finally:
            second.terminate()
            assert second.wait(timeout=20) == 0, "SIGTERM must stop the worker cleanly"
    finally:
        first.kill()
        receiver.close()
    bodies: dict[str, bytes] = {}
    for request in receiver.requests:
        msg_id = request.headers["webhook-id"]
        assert bodies.setdefault(msg_id, request.body) == request.body, "a retry must carry the same event"
    assert set(bodies) == expected


def test_two_workers_deliver_5000_events_never_the_same_twice_at_once(pg_app: Flask, tmp_path: Path) -> None:
    receiver = Receiver()
    creditor = new_creditor(pg_app)
    api = Api(pg_app.test_client(), creditor)
    api.post("/v1/webhook_endpoints", {"url": receiver.url})
    hand_over(api, 5000)
    expected = event_ids(pg_app, creditor.id)
    assert len(expected) == 5000
    workers = [start_worker(pg_app, tmp_path) for _ in range(2)]
    try:
        assert wait_for(lambda: len(set(receiver.ids())) >= 5000, 180), f"only {len(set(receiver.ids()))} arrived"
        assert wait_for(lambda: delivery_states(pg_app) == {"succeeded": 5000}, 15)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        receiver.close()
    assert receiver.overlaps == []
    assert set(receiver.ids()) == expected
    assert len(receiver.requests) == 5000, "with both workers alive, no event is sent twice"
