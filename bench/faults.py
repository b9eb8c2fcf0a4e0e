"""Fault scenarios against the running service, with a report: faults survived, requests held, errors,
records lost (must be 0).

1. PostgreSQL stopped for 2 s and started again under a stream of `POST /v1/claims` (a throwaway cluster
   on port 5499; needs the PostgreSQL 15 binaries and root or the postgres user).
2. SQLite file and directory made read-only after migration (server without root's file powers).
3. SQLite database full (`PRAGMA max_page_count`), single and batch submits.
4. SIGKILL of a gunicorn worker, then of the whole server, during single and batch submits with
   Idempotency-Keys from SDK clients (PostgreSQL); the clients retry with the same keys.
5. SIGKILL of a worker and of the server while signed provider webhooks are booked, each sent twice and
   redelivered until acknowledged; the books are compared with the ledger and the events.
6. Bad input: SQL in every list filter and identifier of the OpenAPI document, broken and oversized
   bodies, wrong content types, huge and broken query strings.

Per scenario: requests held (stored and confirmed), p99 latency of the requests made, errors split into
clean ones (503 in the error shape, or a refused/dropped connection a client retries) and anything else,
bad inputs tried, and records lost (answered without a record, doubled, half-written, or booked wrongly).

    .venv/bin/python bench/faults.py
"""

from __future__ import annotations

import collections
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

from bench._server import postgres_available  # noqa: E402
from tests.conftest import build_app, postgresql_database, site  # noqa: E402
from tests.factories import claim_body, new_creditor  # noqa: E402
from tests.faults import _cluster, _sigkill  # noqa: E402
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
    p99: float | None = None  # seconds, over every request made in the scenario
    other_errors: int = 0  # refusals that were neither a clean 503 nor a connection error
    bad_inputs: int = 0


def _p99(seconds: list[float]) -> float | None:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else None


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
            other = sum(1 for o in failures if o.status is not None and o.status != 503)
            return Result(
                "PostgreSQL restart",
                recovered,
                len(answered),
                len(failures),
                clean,
                lost,
                "/".join(statuses),
                p99=_p99([o.seconds for o in outcomes]),
                other_errors=other,
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
                answered.add((response.json or {})["id"])
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
            " / ".join(f"{r.status_code} {(r.json or {})['error']['message']!r}" for r in refused[:1]),
        )


def _from_sigkill(report: _sigkill.Report) -> Result:
    problems = {name: count for name, count in report.problems.items() if count}
    failures = ",".join(f"{name} {count}" for name, count in sorted(report.failures.items()))
    note = f"{report.requests} requests, {report.kills} SIGKILLs; connection errors: {failures or 'none'}"
    return Result(
        report.scenario,
        report.kills == 2 and report.lost == 0 and not report.unclean and report.other_errors == 0,
        report.held,
        report.clean_errors + report.other_errors,
        not report.unclean and report.other_errors == 0,
        report.lost,
        note + (f"; {problems}" if problems else ""),
        p99=report.p99,
        other_errors=report.other_errors + len(report.unclean),
    )


def sigkill_submits() -> Result:
    if not postgres_available():
        return Result("SIGKILL during submits", False, 0, 0, False, 0, "skipped: no PostgreSQL")
    with postgresql_database() as url, tempfile.TemporaryDirectory() as directory:
        return _from_sigkill(_sigkill.submit_scenario(url, Path(directory)))


def sigkill_booking() -> Result:
    if not postgres_available():
        return Result("SIGKILL during booking", False, 0, 0, False, 0, "skipped: no PostgreSQL")
    with postgresql_database() as url, tempfile.TemporaryDirectory() as directory:
        return _from_sigkill(_sigkill.booking_scenario(url, Path(directory)))


SQL = ["' OR 1=1 --", "x'; DROP TABLE claims; --", "1 UNION SELECT id FROM creditors --", "%' OR '%'='"]
BODIES = [
    (b'{"amount": 1,', "application/json"),
    (b"[" * 50_000 + b"]" * 50_000, "application/json"),
    (b'{"amount": 1e999}', "application/json"),
    (b'{"external_reference": "\xff"}', "application/json"),
    (b"{}", "text/plain"),
    (b"<claim/>", "application/xml"),
    (b'{"description": "' + b"x" * (2 * 1024 * 1024) + b'"}', "application/json"),
]


def bad_input() -> Result:
    """Hostile input through the in-process app on SQLite: every answer must be a 4xx, nothing stored."""
    with tempfile.TemporaryDirectory() as root:
        app = build_app(f"sqlite:///{root}/bad.sqlite3", Path(root))
        creditor = new_creditor(app)
        client = app.test_client()
        headers = creditor.headers()
        assert client.post("/v1/claims", json=claim_body(), headers=headers).status_code == 201
        engine = app.extensions["inkasso.db"].engine
        with engine.connect() as connection:
            before = connection.scalar(text("SELECT count(*) FROM claims"))
        spec = client.get("/v1/openapi.json").get_json()
        requests: list[tuple[str, str, dict[str, Any]]] = []
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                if method not in ("get", "post", "patch", "delete"):
                    continue
                parameters = item.get("parameters", []) + operation.get("parameters", [])
                names = [p["name"] for p in parameters if p["in"] == "path"]
                for value in SQL:
                    if names:
                        target = path
                        for name in names:
                            target = target.replace("{" + name + "}", value)
                        requests.append((method, target, {"json": {}}))
                    elif method == "get":
                        for parameter in (p for p in parameters if p["in"] == "query"):
                            requests.append((method, path, {"query_string": {parameter["name"]: value}}))
        for path in ("/v1/claims", "/v1/claims/batch", "/v1/webhook_endpoints"):
            for body, content_type in BODIES:
                requests.append(("post", path, {"data": body, "content_type": content_type}))
        requests.append(("get", "/v1/claims?external_reference=" + "A" * 200_000, {}))
        requests.append(("get", "/v1/claims?" + "&".join(f"p{i}=1" for i in range(5000)), {}))
        requests.append(("get", "/v1/claims/%ff%fe", {}))
        statuses: collections.Counter[int] = collections.Counter()
        seconds: list[float] = []
        leaks = 0
        for method, path, arguments in requests:
            started = time.monotonic()
            response = client.open(path, method=method.upper(), headers=headers, **arguments)
            seconds.append(time.monotonic() - started)
            statuses[response.status_code] += 1
            if response.status_code == 200 and (response.get_json(silent=True) or {}).get("data"):
                leaks += 1  # a filter that matched something with SQL in it
        with engine.connect() as connection:
            after = connection.scalar(text("SELECT count(*) FROM claims"))
        app.extensions["inkasso.db"].dispose()
        server_errors = sum(count for status, count in statuses.items() if status >= 500)
        lost = leaks + abs(int(after or 0) - int(before or 0))
        return Result(
            "bad input",
            server_errors == 0 and lost == 0,
            0,
            sum(count for status, count in statuses.items() if status >= 400),
            server_errors == 0,
            lost,
            " ".join(f"{status}x{count}" for status, count in sorted(statuses.items())),
            p99=_p99(seconds),
            other_errors=server_errors,
            bad_inputs=len(requests),
        )


def main() -> None:
    logging.disable(logging.CRITICAL)  # the refused requests log their tracebacks; the report is below
    scenarios = [postgres_restart, sqlite_read_only, sqlite_full, sigkill_submits, sigkill_booking, bad_input]
    results = [scenario() for scenario in scenarios]
    print(
        f"{'fault':<24} {'survived':<9} {'held':>5} {'p99 s':>6} {'errors':>7} {'clean':<6} {'other':>5}"
        f" {'bad in':>6} {'lost':>5}  note"
    )
    for r in results:
        p99 = f"{r.p99:6.2f}" if r.p99 is not None else "     -"
        print(
            f"{r.fault:<24} {'yes' if r.survived else 'NO':<9} {r.held:5d} {p99} {r.errors:7d}"
            f" {'yes' if r.clean else 'NO':<6} {r.other_errors:5d} {r.bad_inputs:6d} {r.lost:5d}  {r.note}"
        )
    survived = sum(r.survived for r in results)
    lost = sum(r.lost for r in results)
    print(
        f"faults survived {survived}/{len(results)}, requests held {sum(r.held for r in results)},"
        f" errors {sum(r.errors for r in results)} (other than clean: {sum(r.other_errors for r in results)}),"
        f" bad inputs tried {sum(r.bad_inputs for r in results)}, records lost {lost}"
    )
    sys.exit(0 if lost == 0 and survived == len(results) else 1)


if __name__ == "__main__":
    main()
