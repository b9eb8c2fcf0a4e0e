"""Migration 0005 encrypts the personal data already stored, and its downgrade decrypts it again."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from paypage.store import migrate
from paypage.store.blind_index import name_matches
from paypage.store.crypto import Keyring, generate_key
from paypage.store.db import Database
from paypage.store.models import ContactMessage, Debtor, DebtorRequest, Event, Upload
from tests.conftest import postgresql_database

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
KEYS = generate_key("mig1")


@contextlib.contextmanager
def _database(backend: str, tmp_path: Path) -> Iterator[Database]:
    with contextlib.ExitStack() as stack:
        if backend == "postgresql":
            url = stack.enter_context(postgresql_database())
        else:
            url = f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        database = Database(url, Keyring.parse(KEYS))
        stack.callback(database.dispose)
        yield database


def _filler(column: sa.Column[Any]) -> Any:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 0
    if isinstance(kind, sa.DateTime):
        return NOW
    if isinstance(kind, sa.Date):
        return NOW.date()
    if isinstance(kind, sa.JSON):
        return {}
    return "x"


def _insert(connection: sa.Connection, table_name: str, **values: Any) -> None:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    row = {c.name: _filler(c) for c in table.columns if not c.nullable and c.name not in values}
    connection.execute(table.insert().values(**row, **values))


def _plaintext_rows(database: Database) -> None:
    with database.engine.begin() as connection:
        _insert(connection, "creditors", id="cred_1", name="Shop")
        _insert(
            connection,
            "debtors",
            creditor_id="cred_1",
            id="dbt_1",
            name="Ærling Østergård",
            email="aerling@example.dk",
            address_city="Århus",
            date_of_birth=dt.date(1990, 5, 17),
            country="DK",
        )
        _insert(connection, "claims", creditor_id="cred_1", id="clm_1", debtor_id="dbt_1", state="open")
        _insert(connection, "events", creditor_id="cred_1", id="evt_1", claim_id="clm_1",
                data={"claim": {"debtor": {"name": "Ærling Østergård"}}})
        _insert(connection, "messages", creditor_id="cred_1", id="msg_1", claim_id="clm_1",
                recipient="aerling@example.dk", body_text="Kære Ærling", body_html=None, subject="Påmindelse")
        _insert(connection, "debtor_requests", creditor_id="cred_1", id="dbr_1", claim_id="clm_1",
                data={"note": "Jeg har betalt"})
        _insert(connection, "uploads", creditor_id="cred_1", id="upl_1", claim_id="clm_1", content=b"%PDF-proof")


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_existing_rows_are_encrypted_and_read_back(backend: str, tmp_path: Path) -> None:
    with _database(backend, tmp_path) as database:
        migrate.upgrade(database, "0004")
        _plaintext_rows(database)
        migrate.upgrade(database, "0005")

        with database.engine.connect() as connection:
            raw = connection.execute(sa.text("SELECT name, email, address_city, date_of_birth FROM debtors")).one()
            body = connection.execute(sa.text("SELECT body_text FROM messages")).scalar_one()
            content = connection.execute(sa.text("SELECT content FROM uploads")).scalar_one()
        assert all(str(value).startswith("mig1$") for value in raw)
        assert body.startswith("mig1$") and bytes(content).startswith(b"mig1$")
        assert "Ærling" not in json.dumps(list(raw), ensure_ascii=False)

        with database.transaction() as session:
            debtor = session.get(Debtor, ("cred_1", "dbt_1"))
            assert debtor is not None
            assert (debtor.name, debtor.email) == ("Ærling Østergård", "aerling@example.dk")
            assert debtor.address_city == "Århus"
            assert debtor.date_of_birth == dt.date(1990, 5, 17)
            assert debtor.phone is None and debtor.erased_at is None
            found = session.scalars(select(Debtor.id).where(name_matches(Debtor.name_index, "østergå")))
            assert list(found) == ["dbt_1"]
            event = session.get(Event, ("cred_1", "evt_1"))
            assert event is not None and event.data == {"claim": {"debtor": {"name": "Ærling Østergård"}}}
            message = session.get(ContactMessage, ("cred_1", "msg_1"))
            assert message is not None
            assert (message.recipient, message.subject, message.body_text) == (
                "aerling@example.dk",
                "Påmindelse",
                "Kære Ærling",
            )
            request = session.get(DebtorRequest, ("cred_1", "dbr_1"))
            assert request is not None and request.data == {"note": "Jeg har betalt"}
            upload = session.get(Upload, ("cred_1", "upl_1"))
            assert upload is not None and upload.content == b"%PDF-proof"

        migrate.downgrade(database, "0004")
        with database.engine.connect() as connection:
            plain = connection.execute(sa.text("SELECT name, email FROM debtors")).one()
            content = connection.execute(sa.text("SELECT content FROM uploads")).scalar_one()
        assert tuple(plain) == ("Ærling Østergård", "aerling@example.dk")
        assert bytes(content) == b"%PDF-proof"
