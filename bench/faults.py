"""Fault scenarios against the running service, with a report: faults survived, requests held, errors,
records lost (must be 0).

1. PostgreSQL stopped for 2 s and started again under a stream of `POST /v1/claims` (a throwaway cluster
   on port 5499; needs the PostgreSQL 15 binaries and root or the postgres user).
2. SQLite file and directory made read-only after migration (server without root's file powers).
3. SQLite database full (`PRAGMA max_page_count`), single and batch submits.

    .venv/bin/python bench/faults.py
"""

from __future__ import annotations

import logging
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import build_app, site  # noqa: E402
from tests.factories import claim_body, new_creditor  # noqa: E402
from tests.faults import _cluster  # noqa: E402
from tests.faults.test_postgres_restart import Submitter, wait_until  # noqa: E402
from tests.faults.test_sqlite_readonly import gunicorn  # noqa: E402


@dataclass
class Result:
    fault: str
    survived: bool
    held: int  # writes answered as stored
    errors: int  # requests refused during the fault
    clean: bool  # every refusal a 5xx in the error shape or a connection error
    lost: int  # stored answers without their record, or records half-written
    note: str = ""


def _integrity(engine: Any, creditor_id: str, answered: set[str]) -> int:
    with engine.connect() as connection:
        stored = set(connection.scalars(text("SELECT id FROM claims WHERE creditor_id = :c"), {"c": creditor_id}))
        half = connection.scalar(
            text(
                "SELECT count(*) FROM claims c WHERE c.creditor_id = :c AND ("
                " NOT EXISTS (SELECT 1 FROM events e WHERE e.creditor_id = c.creditor_id AND e.claim_id = c.id"
                "  AND e.type = 'claim.created')"
                " OR NOT EXISTS (SELECT 1 FROM pay_links p WHERE p.claim_id = c.id))"
            ),
            {"c": creditor_id},
        )
    return len(answered - stored) + int(half or 0)


def _clean(status: int | None, body: Any) -> bool:
    if status is None:
        return True
    return (
        status >= 500 and isinstance(body, dict) and str(body.get("error", {}).get("request_id", "")).startswith("req_")
    )


def postgres_restart() -> Result:
    if not _cluster.available():
        return Result("PostgreSQL restart", False, 0, 0, False, 0, "skipped: no PostgreSQL 15 binaries")
    with _cluster.cluster() as cluster, tempfile.TemporaryDirectory() as directory:
        with site(cluster.url, Path(directory)) as (app, server):
            creditor = new_creditor(app)
            submitter = Submitter(server.url, creditor.headers())
            try:
                wait_until(lambda: submitter.ok_since(0) >= 20, 30)
                cluster.stop()
                time.sleep(2.0)
                back = time.monotonic()
                cluster.start()
                recovered = wait_until(lambda: submitter.ok_since(back) >= 20, 30)
            finally:
                submitter.stop()
            outcomes = list(submitter.outcomes)
            answered = {o.json["id"] for o in outcomes if o.status == 201 and isinstance(o.json, dict)}
            failures = [o for o in outcomes if o.status != 201]
            clean = all(_clean(o.status, o.json) and o.seconds < 15 for o in failures)
            lost = _integrity(app.extensions["inkasso.db"].engine, creditor.id, answered)
            statuses = sorted({str(o.status or "conn") for o in failures})
            return Result(
                "PostgreSQL restart", recovered, len(answered), len(failures), clean, lost, "/".join(statuses)
            )


def sqlite_read_only() -> Result:
    with tempfile.TemporaryDirectory() as root:
        directory = Path(root) / "db"
        database_file = directory / "inkasso.sqlite3"
        app = build_app(f"sqlite:///{database_file}", Path(root))
        creditor = new_creditor(app)
        app.extensions["inkasso.db"].dispose()
        for path in directory.iterdir():
            path.chmod(stat.S_IRUSR)
        directory.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            with gunicorn(f"sqlite:///{database_file}", Path(root)) as base:
                response = httpx.post(f"{base}/v1/claims", json=claim_body(), headers=creditor.headers(), timeout=30)
                reading = httpx.get(f"{base}/v1/claims", headers=creditor.headers(), timeout=30)
        finally:
            directory.chmod(stat.S_IRWXU)
            for path in directory.iterdir():
                path.chmod(stat.S_IRUSR | stat.S_IWUSR)
        lost = _integrity(app.extensions["inkasso.db"].engine, creditor.id, set())
        app.extensions["inkasso.db"].dispose()
        message = response.json().get("error", {}).get("message", "") if response.status_code >= 500 else ""
        return Result(
            "SQLite read-only",
            response.status_code == 503,
            0,
            1,
            _clean(response.status_code, response.json()),
            lost,
            f"{response.status_code} {message!r}; GET /v1/claims {reading.status_code}",
        )


def sqlite_full() -> Result:
    with tempfile.TemporaryDirectory() as root:
        app = build_app(f"sqlite:///{root}/full.sqlite3", Path(root))
        creditor = new_creditor(app)
        engine = app.extensions["inkasso.db"].engine
        with engine.connect() as connection:
            pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one())
        engine.dispose()
        event.listen(engine, "connect", lambda dbapi, _: dbapi.execute(f"PRAGMA max_page_count = {pages}"))
        client = app.test_client()
        answered: set[str] = set()
        refused = []
        for _ in range(500):
            response = client.post("/v1/claims", json=claim_body(), headers=creditor.headers())
            if response.status_code == 201:
                answered.add(response.json["id"])
            else:
                refused.append(response)
                break
        batch = client.post(
            "/v1/claims/batch", json={"claims": [claim_body() for _ in range(50)]}, headers=creditor.headers()
        )
        refused.append(batch)
        clean = all(_clean(r.status_code, r.json) for r in refused)
        lost = _integrity(engine, creditor.id, answered)
        with engine.connect() as connection:
            extra = connection.scalar(text("SELECT count(*) FROM claims")) - len(answered)
        engine.dispose()
        return Result(
            "SQLite full",
            all(r.status_code == 503 for r in refused),
            len(answered),
            len(refused),
            clean,
            lost + int(extra),
            " / ".join(f"{r.status_code} {r.json['error']['message']!r}" for r in refused[:1]),
        )


def main() -> None:
    logging.disable(logging.CRITICAL)  # the refused requests log their tracebacks; the report is below
    results = [postgres_restart(), sqlite_read_only(), sqlite_full()]
    print(f"{'fault':<20} {'survived':<9} {'held':>5} {'errors':>7} {'clean':<6} {'lost':>5}  note")
    for r in results:
        print(
            f"{r.fault:<20} {'yes' if r.survived else 'NO':<9} {r.held:5d} {r.errors:7d}"
            f" {'yes' if r.clean else 'NO':<6} {r.lost:5d}  {r.note}"
        )
    survived = sum(r.survived for r in results)
    lost = sum(r.lost for r in results)
    print(
        f"faults survived {survived}/{len(results)}, requests held {sum(r.held for r in results)},"
        f" errors {sum(r.errors for r in results)}, records lost {lost}"
    )
    sys.exit(0 if lost == 0 and survived == len(results) else 1)


if __name__ == "__main__":
    main()
