"""Collection workers as real processes on PostgreSQL: 10,000 claims due at once, two workers, and a
SIGKILL in mid-run. Every step is executed once: counted in the outbox sink (a JSON-lines file)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from paypage.domain.contact_window import next_allowed
from paypage.domain.countries import get_country
from paypage.store import models
from tests.conftest import TEST_SECRET, fresh_app
from tests.factories import claim_body, new_creditor
from tests.functional.conftest import Api

pytestmark = pytest.mark.process


def working_hours_offset() -> int:
    """Seconds to add to the clock so that "now" lies inside the German contact hours."""
    now = dt.datetime.now(dt.UTC)
    # 10:30 local on the next contact day: after the 10:00 at which a new claim's first step is planned.
    target = next_allowed(now + dt.timedelta(days=1), get_country("DE")) + dt.timedelta(hours=2, minutes=30)
    return int((target - now).total_seconds())


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Flask, Path, dict[str, str]]]:
    offset = working_hours_offset()
    outbox = tmp_path / "outbox.jsonl"
    with fresh_app("postgresql", tmp_path, clock_offset=offset, outbox_file=str(outbox)) as app:
        env = {
            **os.environ,
            "INKASSO_DATABASE_URL": app.extensions["inkasso.db"].url,
            "INKASSO_SECRET_KEY": TEST_SECRET,
            "INKASSO_DATA_DIR": str(tmp_path),
            "INKASSO_CLOCK_OFFSET": str(offset),
            "INKASSO_OUTBOX_FILE": str(outbox),
            "INKASSO_ENGINE_LEASE": "5",
        }
        yield app, outbox, env


def hand_over(app: Flask, count: int) -> None:
    api = Api(app.test_client(), new_creditor(app))
    for start in range(0, count, 1000):
        batch = [claim_body(description=None, metadata={}) for _ in range(min(1000, count - start))]
        assert api.post("/v1/claims/batch", {"claims": batch}).status_code == 200


def worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "paypage", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def sent(outbox: Path) -> list[str]:
    if not outbox.exists():
        return []
    return [json.loads(line)["message_id"] for line in outbox.read_text().splitlines() if line.strip()]


def wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return bool(condition())  # type: ignore[operator]


def statuses(app: Flask) -> dict[str, int]:
    with app.extensions["inkasso.db"].transaction() as session:
        rows = session.execute(
            select(models.ContactMessage.status, func.count()).group_by(models.ContactMessage.status)
        ).all()
    return {status: count for status, count in rows}


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        process.wait(timeout=60)


@pytest.mark.timeout(400)
def test_two_workers_run_10000_due_steps_exactly_once(setup: tuple[Flask, Path, dict[str, str]]) -> None:
    app, outbox, env = setup
    hand_over(app, 10_000)
    processes = [worker(env), worker(env)]
    try:
        assert wait_for(lambda: len(sent(outbox)) >= 10_000, 300), f"only {len(sent(outbox))} sent"
        assert wait_for(lambda: statuses(app).get("sent") == 10_000, 30)
    finally:
        stop(processes)
    assert [process.returncode for process in processes] == [0, 0]
    counts = Counter(sent(outbox))
    assert len(counts) == 10_000 and max(counts.values()) == 1, "a step was sent twice"
    assert statuses(app) == {"sent": 10_000}
    with app.extensions["inkasso.db"].transaction() as session:
        per_claim = session.execute(
            select(models.ContactMessage.claim_id, func.count()).group_by(models.ContactMessage.claim_id)
        ).all()
    assert len(per_claim) == 10_000 and {count for _, count in per_claim} == {1}


@pytest.mark.timeout(400)
def test_sigkill_of_a_worker_loses_no_step_and_repeats_none(setup: tuple[Flask, Path, dict[str, str]]) -> None:
    app, outbox, env = setup
    hand_over(app, 2_000)
    first = worker(env)
    try:
        assert wait_for(lambda: len(sent(outbox)) >= 300, 120)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        second = worker(env)
        try:
            done = lambda: sum(statuses(app).get(s, 0) for s in ("sent", "unknown")) == 2_000  # noqa: E731
            assert wait_for(done, 180), statuses(app)
        finally:
            stop([second])
    finally:
        if first.poll() is None:
            first.kill()
    counts = Counter(sent(outbox))
    assert max(counts.values()) == 1, "a step was sent twice"
    final = statuses(app)
    assert final.get("sending", 0) == 0
    # Only the claims the killed worker had in hand (at most its 8 threads) are "unknown": on record, maybe
    # sent, never sent again, each with a notice for a person to check.
    unknown = final.get("unknown", 0)
    assert unknown <= 8
    assert final.get("sent", 0) + unknown == 2_000
    with app.extensions["inkasso.db"].transaction() as session:
        notices = session.scalar(select(func.count()).where(models.Notice.kind == "message.unknown"))
    assert notices == unknown
