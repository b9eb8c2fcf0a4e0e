"""PostgreSQL stops and starts under the served app: requests in the outage fail cleanly, the service
serves again without a restart of its own, and nothing is half-written."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import site
from tests.factories import claim_body, new_creditor
from tests.faults import _cluster

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(not _cluster.available(), reason="needs PostgreSQL 15 binaries and runuser"),
]

REQUEST_TIMEOUT = 15.0


@dataclass
class Outcome:
    started: float
    seconds: float
    status: int | None  # None: a connection error
    body: str = ""
    json: object = None
    request_id: str = ""
    error: str = ""


class Submitter:
    """Posts claims one after another from a thread until stopped, recording every outcome."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.outcomes: list[Outcome] = []
        self._stop = threading.Event()
        self._client = httpx.Client(base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                response = self._client.post("/v1/claims", json=claim_body())
            except httpx.TimeoutException as exc:
                self.outcomes.append(Outcome(started, time.monotonic() - started, None, error=f"timeout: {exc!r}"))
            except httpx.TransportError as exc:
                self.outcomes.append(Outcome(started, time.monotonic() - started, None, error=repr(exc)))
                time.sleep(0.02)
            else:
                try:
                    payload = response.json()
                except ValueError:
                    payload = None
                self.outcomes.append(
                    Outcome(
                        started,
                        time.monotonic() - started,
                        response.status_code,
                        response.text,
                        payload,
                        response.headers.get("Request-Id", ""),
                    )
                )
                if response.status_code >= 500:
                    time.sleep(0.02)

    def ok_since(self, moment: float) -> int:
        return sum(1 for o in list(self.outcomes) if o.status == 201 and o.started >= moment)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=REQUEST_TIMEOUT + 5)
        self._client.close()


def wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return bool(condition())  # type: ignore[operator]


@pytest.fixture
def pg_cluster() -> Iterator[_cluster.Cluster]:
    with _cluster.cluster() as server:
        yield server


def assert_clean_failure(outcome: Outcome) -> None:
    assert outcome.seconds < REQUEST_TIMEOUT, f"a request hung for {outcome.seconds:.1f} s"
    assert not outcome.error.startswith("timeout"), outcome.error
    if outcome.status is None:
        return  # the connection was refused or dropped: clean enough for a client to retry
    assert outcome.status >= 500, f"{outcome.status}: {outcome.body[:300]}"
    assert "Traceback" not in outcome.body and 'File "' not in outcome.body, outcome.body[:500]
    assert isinstance(outcome.json, dict) and isinstance(outcome.json.get("error"), dict), outcome.body[:300]
    error = outcome.json["error"]
    assert error["type"] and error["code"] and error["message"], error
    assert error["request_id"].startswith("req_") and error["request_id"] == outcome.request_id, error


def test_restart_under_load_fails_cleanly_recovers_and_loses_nothing(
    pg_cluster: _cluster.Cluster, tmp_path: Path
) -> None:
    with site(pg_cluster.url, tmp_path) as (app, server):
        creditor = new_creditor(app)
        submitter = Submitter(server.url, creditor.headers())
        try:
            assert wait_until(lambda: submitter.ok_since(0) >= 20, 30), "no claims before the outage"
            pg_cluster.stop()
            outage_started = time.monotonic()
            time.sleep(2.0)
            outage_ended = time.monotonic()  # before start: pg_ctl -w returns a little after it accepts
            pg_cluster.start()
            assert wait_until(lambda: submitter.ok_since(outage_ended) >= 20, 30), (
                "the service did not serve again after PostgreSQL came back"
            )
        finally:
            submitter.stop()
        outcomes = list(submitter.outcomes)

        in_outage = [o for o in outcomes if outage_started <= o.started and o.started + o.seconds < outage_ended]
        assert in_outage, "no request was made during the outage"
        assert all(o.status != 201 for o in in_outage), "a claim was stored while PostgreSQL was down"
        failures = [o for o in outcomes if o.status != 201]
        assert failures, "the outage went unnoticed"
        for outcome in failures:
            assert_clean_failure(outcome)

        answered = {o.json["id"] for o in outcomes if o.status == 201 and isinstance(o.json, dict)}
        assert len(answered) == sum(1 for o in outcomes if o.status == 201)
        with app.extensions["inkasso.db"].engine.connect() as connection:
            stored = set(connection.scalars(text("SELECT id FROM claims WHERE creditor_id = :c"), {"c": creditor.id}))
            without_event = connection.scalar(
                text(
                    "SELECT count(*) FROM claims c WHERE c.creditor_id = :c AND NOT EXISTS ("
                    " SELECT 1 FROM events e WHERE e.creditor_id = c.creditor_id AND e.claim_id = c.id"
                    " AND e.type = 'claim.created')"
                ),
                {"c": creditor.id},
            )
            without_link = connection.scalar(
                text(
                    "SELECT count(*) FROM claims c WHERE c.creditor_id = :c AND NOT EXISTS ("
                    " SELECT 1 FROM pay_links p WHERE p.claim_id = c.id)"
                ),
                {"c": creditor.id},
            )
            orphan_events = connection.scalar(
                text(
                    "SELECT count(*) FROM events e WHERE e.creditor_id = :c AND e.type = 'claim.created'"
                    " AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = e.claim_id)"
                ),
                {"c": creditor.id},
            )
        assert answered <= stored, f"{len(answered - stored)} claims answered 201 are missing"
        assert without_event == 0, f"{without_event} claims without their claim.created event"
        assert without_link == 0, f"{without_link} claims without a pay link"
        assert orphan_events == 0, f"{orphan_events} claim.created events without their claim"
