"""Key rotation: a new key in front, `data-keys rotate`, the old key dropped, and everything still reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text

from paypage.extensions import database
from paypage.store import models
from paypage.store.blind_index import name_matches
from paypage.store.crypto import DataKeyError, Keyring, generate_key
from paypage.store.key_rotation import encrypted_columns
from tests.conftest import build_app, fresh_app
from tests.dataprotection.support import add_history, hand_over, new_tenant

NOW = dt.datetime(2026, 10, 5, 8, 0, tzinfo=dt.UTC)
OLD, NEW = generate_key("old"), generate_key("new")


def _stored_key_ids(app: Flask) -> set[str]:
    found: set[str] = set()
    with app.app_context(), database().engine.connect() as connection:
        for table, column in encrypted_columns():
            for (value,) in connection.execute(text(f"SELECT {column.name} FROM {table.name}")):  # noqa: S608
                if value is not None:
                    raw = value if isinstance(value, str) else bytes(value).decode("latin-1")
                    found.add(raw.partition("$")[0])
    return found


def _read_everything(app: Flask) -> list[str]:
    with app.app_context(), database().transaction() as session:
        names = [debtor.name for debtor in session.scalars(select(models.Debtor))]
        for model in (models.Event, models.ContactMessage, models.DebtorRequest, models.Upload):
            list(session.scalars(select(model)))
    return names


def test_rotate_then_drop_the_old_key(backend: str, tmp_path: Path) -> None:
    with fresh_app(backend, tmp_path, data_keys=OLD) as first:
        url = first.extensions["inkasso.db"].url
        tenant = new_tenant(first, NOW)
        for number in range(7):
            handed = hand_over(first, tenant, NOW, name=f"Debtor Nummer {number}")
            add_history(first, handed, NOW, f"text{number}")
        assert _stored_key_ids(first) == {"old"}

        both = build_app(url, tmp_path, data_keys=f"{NEW},{OLD}")
        try:
            result = both.test_cli_runner().invoke(args=["data-keys", "rotate", "--batch-size", "3"])
            assert result.exit_code == 0, result.output
            assert "debtors.name: 7 re-encrypted, 0 already current" in result.output
            assert "under key 'new'" in result.output
            assert "debtors.name_index: 7 re-encrypted" in result.output
            again = both.test_cli_runner().invoke(args=["data-keys", "rotate"])
            assert "0 values re-encrypted" in again.output
            assert "debtors.name: 0 re-encrypted, 7 already current" in again.output
        finally:
            both.extensions["inkasso.db"].dispose()

        only_new = build_app(url, tmp_path, data_keys=NEW)
        try:
            assert _stored_key_ids(only_new) == {"new"}
            assert sorted(_read_everything(only_new)) == [f"Debtor Nummer {n}" for n in range(7)]
            with only_new.app_context(), database().transaction() as session:
                query = select(models.Debtor.name).where(name_matches(models.Debtor.name_index, "numm"))
                found = session.scalars(query)
                assert len(list(found)) == 7  # the search index was rebuilt under the new key
        finally:
            only_new.extensions["inkasso.db"].dispose()

        # The old key alone no longer reads anything, and says which key it lacks.
        with pytest.raises(DataKeyError, match="key 'new', which INKASSO_DATA_KEYS lacks"):
            _read_everything(first)


def test_an_interrupted_rotation_continues_where_it_stopped(backend: str, tmp_path: Path) -> None:
    from paypage.store.crypto import bind_keyring
    from paypage.store.key_rotation import ColumnReport, rotate

    with fresh_app(backend, tmp_path, data_keys=OLD) as app:
        tenant = new_tenant(app, NOW)
        for number in range(4):
            hand_over(app, tenant, NOW, name=f"Debtor {number}")
        db = app.extensions["inkasso.db"]
        db.keyring = Keyring.parse(f"{NEW},{OLD}")
        bind_keyring(db.engine, db.keyring)

        def stop_after_names(column: ColumnReport) -> None:
            if column.column == "debtors.name":
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            rotate(db, 2, stop_after_names)
        assert _stored_key_ids(app) == {"old", "new"}
        report = rotate(db, 2)
        names = next(column for column in report.columns if column.column == "debtors.name")
        assert (names.reencrypted, names.already_current) == (0, 4)
        assert report.reencrypted > 0
        assert _stored_key_ids(app) == {"new"}


def test_generate_prints_a_usable_key(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["data-keys", "generate", "--id", "k2027"])
    assert result.exit_code == 0
    entry = result.output.strip()
    assert entry.startswith("k2027:")
    assert Keyring.parse(entry).current_id == "k2027"
    refused = app.test_cli_runner().invoke(args=["data-keys", "generate", "--id", "no spaces"])
    assert refused.exit_code != 0 and "letters, digits" in refused.output
