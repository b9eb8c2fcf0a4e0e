"""What encrypting personal data at rest costs: claim hand-over and claim reads with and without it.

Two apps on two databases of the same kind, in one process, driven by the Flask test client (no HTTP,
so the difference is not lost in network noise). One stores through the real keyring (AES-256-GCM);
the other through a pass-through keyring that leaves values as they are, the same code path minus the
cryptography. Rounds alternate between the two so that machine load hits both alike.

    .venv/bin/python bench/encryption.py [--rounds 12] [--batch 50] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import PG_ADMIN_URL, postgres_available  # noqa: E402
from paypage import create_app  # noqa: E402
from paypage.extensions import database  # noqa: E402
from paypage.services import creditors  # noqa: E402
from paypage.store import migrate  # noqa: E402
from paypage.store.crypto import Keyring, bind_keyring, generate_key  # noqa: E402
from paypage.store.db import normalise_url  # noqa: E402

_numbers = itertools.count()


class PassThrough(Keyring):
    """Stores values as they are: the baseline, never a configuration of the service."""

    def encrypt(self, plaintext: bytes, purpose: str) -> bytes:
        return plaintext

    def decrypt(self, token: bytes, purpose: str) -> bytes:
        return token

    def encrypt_text(self, plaintext: str, purpose: str) -> str:
        return plaintext

    def decrypt_text(self, token: str, purpose: str) -> str:
        return token


def body() -> dict[str, object]:
    return {
        "external_reference": f"ENC-{next(_numbers):08d}",
        "amount": 12_345,
        "currency": "EUR",
        "invoice_date": "2026-09-01",
        "due_date": "2026-09-15",
        "description": "Order 4711",
        "debtor": {
            "name": "Erika Mustermann",
            "email": "erika@example.de",
            "phone": "+4915112345678",
            "country": "DE",
            "date_of_birth": "1980-04-01",
            "address": {"line1": "Heidestraße 17", "postal_code": "51147", "city": "Köln", "country": "DE"},
        },
    }


@contextlib.contextmanager
def database_url(kind: str, folder: Path, name: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / name}.sqlite3"
        return
    admin = create_engine(normalise_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    db = f"inkasso_bench_{name}_{secrets.token_hex(3)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{db}"'))
    try:
        yield f"{PG_ADMIN_URL.rpartition('/')[0]}/{db}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()


class Side:
    def __init__(self, url: str, folder: Path, keyring: Keyring | None) -> None:
        keys = generate_key("bench")
        self.app = create_app(
            {"database_url": url, "data_dir": str(folder), "secret_key": "b" * 48, "data_keys": keys,
             "rate_limit": 10**6, "rate_limit_burst": 10**6}
        )
        with self.app.app_context():
            if keyring is not None:
                database().keyring = keyring
                bind_keyring(database().engine, keyring)
            migrate.upgrade(database())
            now = dt.datetime.now(dt.UTC)
            with database().transaction() as session:
                creditor = creditors.create_creditor(session, "Bench GmbH", now)
                key = creditors.issue_key(session, creditor.id, False, now)
        self.headers = {"Authorization": f"Bearer {key.secret}"}
        self.client = self.app.test_client()
        self.ids: list[str] = []
        self.submit_ms: list[float] = []
        self.read_ms: list[float] = []
        self.submit_cpu_ms: list[float] = []
        self.read_cpu_ms: list[float] = []

    def submit_batch(self, size: int) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        for _ in range(size):
            response = self.client.post("/v1/claims", json=body(), headers=self.headers)
            if response.status_code != 201:
                raise SystemExit(f"submit failed: {response.status_code} {response.json}")
            self.ids.append(response.json["id"])
        self.submit_ms.append((time.perf_counter() - started) * 1000 / size)
        self.submit_cpu_ms.append((time.thread_time() - cpu) * 1000 / size)

    def read_batch(self, size: int) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        for claim_id in self.ids[-size:]:
            response = self.client.get(f"/v1/claims/{claim_id}", headers=self.headers)
            if response.status_code != 200 or response.json["debtor"]["name"] != "Erika Mustermann":
                raise SystemExit(f"read failed: {response.status_code}")
        self.read_ms.append((time.perf_counter() - started) * 1000 / size)
        self.read_cpu_ms.append((time.thread_time() - cpu) * 1000 / size)

    def close(self) -> None:
        self.app.extensions["inkasso.db"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    if args.database == "postgresql" and not postgres_available():
        raise SystemExit(f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    os.environ.setdefault("INKASSO_LOG_LEVEL", "WARNING")

    keyring = Keyring.parse(generate_key("bench"))
    started = time.thread_time()
    for _ in range(20_000):
        keyring.decrypt_text(keyring.encrypt_text("erika.mustermann@example.de", "debtors.email"), "debtors.email")
    field_us = (time.thread_time() - started) * 1e6 / 20_000

    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        where = Path(folder)
        plain = Side(stack.enter_context(database_url(args.database, where, "plain")), where, PassThrough.development())
        sealed = Side(stack.enter_context(database_url(args.database, where, "sealed")), where, None)
        stack.callback(plain.close)
        stack.callback(sealed.close)
        for side in (plain, sealed):  # warm-up: connections, caches, first compiles
            side.submit_batch(5)
            side.read_batch(5)
            for figures in (side.submit_ms, side.read_ms, side.submit_cpu_ms, side.read_cpu_ms):
                figures.clear()
        for number in range(args.rounds):
            order = (plain, sealed) if number % 2 == 0 else (sealed, plain)
            for side in order:
                side.submit_batch(args.batch)
            for side in order:
                side.read_batch(args.batch)

    print(f"encryption at rest, {args.database}, {args.rounds} rounds x {args.batch} claims, test client (in-process)")
    print(f"one field encrypted and decrypted (AES-256-GCM + base64): {field_us:6.1f} us of CPU")
    # Wall-clock time includes the database and whatever else the machine runs; this thread's CPU time
    # is where encryption happens, and is far less disturbed by other load.
    for label, plain_ms, sealed_ms in (
        ("POST /v1/claims  wall", plain.submit_ms, sealed.submit_ms),
        ("POST /v1/claims  cpu", plain.submit_cpu_ms, sealed.submit_cpu_ms),
        ("GET /v1/claims/{id} wall", plain.read_ms, sealed.read_ms),
        ("GET /v1/claims/{id} cpu", plain.read_cpu_ms, sealed.read_cpu_ms),
    ):
        p, s = statistics.median(plain_ms), statistics.median(sealed_ms)
        print(
            f"{label:<25} plain {p:7.3f} ms   encrypted {s:7.3f} ms   "
            f"difference {(s - p) * 1000:+7.0f} us ({(s / p - 1) * 100:+5.1f} %)"
        )


if __name__ == "__main__":
    main()
