"""Start the service under gunicorn for a benchmark, beside a bare Flask app in the same server.

`/bare/echo` is a plain Flask view that parses the JSON body and returns it: the ceiling of what any
Flask JSON endpoint can do on this machine with the same server, workers and client.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from paypage.store.db import normalise_url

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("INKASSO_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def bench_wsgi():  # type: ignore[no-untyped-def]
    """The WSGI app gunicorn serves: the service at /, a bare Flask app at /bare."""
    from flask import Flask, jsonify, request
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from paypage import create_app

    bare = Flask("bare")

    @bare.post("/echo")
    def echo():  # type: ignore[no-untyped-def]
        return jsonify(request.get_json()), 201

    return DispatcherMiddleware(create_app(), {"/bare": bare})


@dataclass
class Server:
    url: str
    api_key: str
    database: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/bench.sqlite3"
        return
    admin = create_engine(normalise_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    name = f"inkasso_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_ADMIN_URL.rpartition('/')[0]}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_available() -> bool:
    try:
        engine = create_engine(normalise_url(PG_ADMIN_URL))
        with engine.connect():
            pass
        engine.dispose()
        return True
    except OperationalError:
        return False


@contextlib.contextmanager
def serve(kind: str, workers: int = 2) -> Iterator[Server]:
    from paypage import create_app
    from paypage.extensions import database
    from paypage.services import creditors
    from paypage.store import migrate

    with _database(kind) as url, tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "INKASSO_DATABASE_URL": url,
            "INKASSO_SECRET_KEY": secrets.token_urlsafe(48),
            "INKASSO_DATA_DIR": data_dir,
            "INKASSO_RATE_LIMIT": "1000000",
            "INKASSO_RATE_LIMIT_BURST": "1000000",
        }
        app = create_app({"database_url": url, "secret_key": env["INKASSO_SECRET_KEY"], "data_dir": data_dir})
        now = dt.datetime.now(dt.UTC)
        with app.app_context():
            migrate.upgrade(database())
            with database().transaction() as session:
                creditor = creditors.create_creditor(session, "Bench GmbH", now)
                key = creditors.issue_key(session, creditor.id, False, now).secret
        database_handle = app.extensions["inkasso.db"]
        database_handle.dispose()
        port = _free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "bench._server:bench_wsgi()",
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120  # importing and building the app is slow on a busy machine
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{base}/v1/openapi.json", timeout=1).status_code == 200:
                        break
                time.sleep(0.1)
            else:
                raise RuntimeError("gunicorn did not come up within 120 s")
            yield Server(url=base, api_key=key, database=kind)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
