"""Rows per second for one CSV file imported two ways, measured side by side in one run:

- the portal's import job (`paypage.services.csv_imports`): the file stored, parsed with the SDK's rules,
  claims created in batches of 100 by the claims service, progress committed after each batch;
- `inkasso claims import` (`inkasso.csv_import.import_claims`): the same file, one `POST /v1/claims` per
  row with an idempotency key, against the service under gunicorn (2 sync workers).

Both write to a fresh database of the same kind; both import every row of the same file.

    .venv/bin/python bench/csv_import.py [--rows 2000] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import logging
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import _database, postgres_available  # noqa: E402

HEADER = "external_reference,amount,currency,invoice_date,due_date,debtor_name,debtor_email,debtor_country\n"


def csv_text(rows: int, prefix: str) -> str:
    lines = (
        f"{prefix}-{number:07d},{10_000 + number},EUR,2026-09-01,2026-09-15,Erika Mustermann,erika@example.de,DE"
        for number in range(rows)
    )
    return HEADER + "\n".join(lines) + "\n"


def portal_job(kind: str, content: str) -> tuple[float, int]:
    """Seconds and claims created by the import job, run to the end in this process."""
    from paypage import create_app
    from paypage.extensions import database, links, settings
    from paypage.services import creditors, csv_imports
    from paypage.services.tenancy import Tenant
    from paypage.store import migrate

    with _database(kind) as url, tempfile.TemporaryDirectory() as data_dir:
        app = create_app({"database_url": url, "secret_key": secrets.token_urlsafe(48), "data_dir": data_dir})
        with app.app_context():
            migrate.upgrade(database())
            now = dt.datetime.now(dt.UTC)
            with database().transaction() as session:
                tenant = Tenant(creditors.create_creditor(session, "Bench GmbH", now).id, False)
            started = time.perf_counter()
            with database().transaction() as session:
                job_id = csv_imports.submit(
                    session,
                    tenant,
                    filename="bench.csv",
                    content=content.encode(),
                    partial=True,
                    user_id=None,
                    now=now,
                ).id
            csv_imports.run(database(), tenant, job_id, links(), settings().clock)
            elapsed = time.perf_counter() - started
            with database().transaction() as session:
                created = csv_imports.get(session, tenant, job_id).created
        app.extensions["inkasso.db"].dispose()
    return elapsed, created


def sdk_per_row(kind: str, content: str) -> tuple[float, int]:
    """Seconds and claims created by `import_claims` over HTTP, one request per row."""
    import inkasso
    from inkasso.csv_import import import_claims

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the figures

    with _service(kind) as (url, key), inkasso.Client(api_key=key, base_url=url, timeout=60) as client:
        started = time.perf_counter()
        result = import_claims(client, io.StringIO(content, newline=""), partial_ok=True)
        return time.perf_counter() - started, result.created


@contextlib.contextmanager
def _service(kind: str) -> Iterator[tuple[str, str]]:
    """The service under gunicorn (2 sync workers) on a fresh database; ready once /healthz answers."""
    from paypage import create_app
    from paypage.extensions import database
    from paypage.services import creditors
    from paypage.store import migrate

    with _database(kind) as url, tempfile.TemporaryDirectory() as data_dir:
        secret = secrets.token_urlsafe(48)
        app = create_app({"database_url": url, "secret_key": secret, "data_dir": data_dir})
        with app.app_context():
            migrate.upgrade(database())
            with database().transaction() as session:
                creditor = creditors.create_creditor(session, "Bench GmbH", dt.datetime.now(dt.UTC))
                key = creditors.issue_key(session, creditor.id, False, dt.datetime.now(dt.UTC)).secret
        app.extensions["inkasso.db"].dispose()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        env = {
            **os.environ,
            "INKASSO_DATABASE_URL": url,
            "INKASSO_SECRET_KEY": secret,
            "INKASSO_DATA_DIR": data_dir,
            "INKASSO_RATE_LIMIT": "1000000",
            "INKASSO_RATE_LIMIT_BURST": "1000000",
        }
        command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        process = subprocess.Popen([*command, "--log-level", "warning", "paypage:create_app()"], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not come up within 60 s")
                time.sleep(0.2)
            yield base, key
        finally:
            process.terminate()
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default=None)
    args = parser.parse_args()
    kinds = [args.database] if args.database else ["sqlite", *(["postgresql"] if postgres_available() else [])]
    print(f"CSV import of {args.rows} rows (each row one claim with its debtor)")
    print(f"{'database':<11} {'way':<44} {'seconds':>8} {'rows/s':>8} {'created':>8}")
    for kind in kinds:
        job_seconds, job_created = portal_job(kind, csv_text(args.rows, "JOB"))
        sdk_seconds, sdk_created = sdk_per_row(kind, csv_text(args.rows, "SDK"))
        for way, seconds, created in (
            ("portal import job (batches of 100)", job_seconds, job_created),
            ("inkasso claims import (POST per row, HTTP)", sdk_seconds, sdk_created),
        ):
            print(f"{kind:<11} {way:<44} {seconds:>8.2f} {args.rows / seconds:>8.0f} {created:>8}")
        print(f"{kind:<11} {'ratio job / per-row':<44} {'':>8} {sdk_seconds / job_seconds:>7.1f}x")


if __name__ == "__main__":
    main()
