"""Personal data is unreadable in the database files themselves, and reads back plain through the models."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from paypage.extensions import database
from paypage.store import models
from tests.dataprotection.support import add_history, hand_over, new_tenant
from tests.factories import new_creditor

NOW = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


def _raw_sqlite(app: Flask) -> bytes:
    url = database().engine.url
    path = Path(str(url.database))
    # Recent writes may still sit in the write-ahead log: both files together are what is on disk.
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _raw_postgres(app: Flask) -> bytes:
    """Every heap, TOAST and index file of this database, as PostgreSQL wrote them to disk."""
    with database().engine.connect() as connection:
        connection.exec_driver_sql("CHECKPOINT")
        paths = connection.execute(
            text(
                "SELECT pg_relation_filepath(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 't', 'i') "
                "AND pg_relation_filepath(c.oid) IS NOT NULL"
            )
        ).scalars()
        read = text("SELECT pg_read_binary_file(:path, 0, 64 * 1024 * 1024, true)")
        chunks = [connection.execute(read, {"path": path}).scalar() for path in paths]
    return b"".join(bytes(chunk) for chunk in chunks if chunk)


def test_raw_database_bytes_hold_no_personal_data(app: Flask) -> None:
    marker = secrets.token_hex(5)
    name, email, city = f"Zofia Wiśniewska {marker}", f"zofia.{marker}@example.pl", f"Gdańsk{marker}"
    tenant = new_tenant(app, NOW)
    handed = hand_over(
        app,
        tenant,
        NOW,
        name=name,
        email=email,
        address={"line1": f"ul. Długa {marker}", "postal_code": "80-831", "city": city, "country": "PL"},
        date_of_birth="1984-03-07",
        country="PL",
        language="pl",
    )
    add_history(app, handed, NOW, f"secret{marker}")
    with app.app_context():
        with database().transaction() as session:
            claim = session.get(models.Claim, (tenant.creditor_id, handed.claim_id))
            assert claim is not None
            reference = claim.external_reference
            debtor = session.get(models.Debtor, (tenant.creditor_id, handed.debtor_id))
            assert debtor is not None
            assert (debtor.name, debtor.email, debtor.address_city) == (name, email, city)
            assert debtor.date_of_birth == dt.date(1984, 3, 7)
        raw = _raw_sqlite(app) if database().dialect == "sqlite" else _raw_postgres(app)
    # The control: what is not personal data is stored as it is, so the search itself works.
    assert reference.encode() in raw
    assert handed.claim_id.encode() in raw
    for secret in (marker, "Wiśniewska", "1984-03-07"):
        assert secret.encode() not in raw, secret


def test_the_api_still_answers_with_the_plain_values(app: Flask) -> None:
    creditor = new_creditor(app)
    client = app.test_client()
    body = {
        "external_reference": f"ENC-{secrets.token_hex(4)}",
        "amount": 4_990,
        "currency": "EUR",
        "invoice_date": "2026-09-01",
        "due_date": "2026-09-15",
        "debtor": {"name": "Jörg Müller", "email": "joerg@example.de", "country": "DE", "date_of_birth": "1970-01-02"},
    }
    created = client.post("/v1/claims", json=body, headers=creditor.headers())
    assert created.status_code == 201, created.json
    fetched = client.get(f"/v1/claims/{created.json['id']}", headers=creditor.headers()).json
    assert fetched["debtor"]["name"] == "Jörg Müller"
    assert fetched["debtor"]["email"] == "joerg@example.de"
    assert fetched["debtor"]["date_of_birth"] == "1970-01-02"
    events = client.get(f"/v1/claims/{created.json['id']}/events", headers=creditor.headers()).json
    assert events["data"][0]["data"]["claim"]["debtor"]["name"] == "Jörg Müller"
    with app.app_context(), database().engine.connect() as connection:
        stored = connection.execute(
            text("SELECT name, email FROM debtors WHERE id = :id"), {"id": fetched["debtor"]["id"]}
        ).one()
    assert stored.name.startswith("dev$") and stored.email.startswith("dev$")


@pytest.mark.parametrize("column", ["name", "email"])
def test_the_columns_are_declared_encrypted(column: str) -> None:
    from paypage.store.crypto import EncryptedText

    assert isinstance(models.Debtor.__table__.c[column].type, EncryptedText)
