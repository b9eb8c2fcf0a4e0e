"""Re-encrypt every encrypted column under the newest data key (`flask --app paypage data-keys rotate`).

The procedure: put the new key first in `INKASSO_DATA_KEYS` (the old one stays listed), restart every
process so new writes use it, run the rotation, then drop the old key. Each batch commits on its own, so
an interrupted run loses nothing and a second run continues with the values still under an older key.
A row is written back only if its stored value is still the one that was read (compare and set), so a
value the service changed meanwhile is never overwritten with older content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, LargeBinary, Table, Text, and_, literal, select, tuple_, type_coerce, update
from sqlalchemy.types import TypeEngine

from paypage.store import models
from paypage.store.blind_index import tokens
from paypage.store.crypto import EncryptedBytes, EncryptedDate, EncryptedJSON, EncryptedText, Keyring, key_id_of
from paypage.store.db import Database
from paypage.store.models import Base

ENCRYPTED_TYPES = (EncryptedText, EncryptedDate, EncryptedJSON, EncryptedBytes)


@dataclass
class ColumnReport:
    column: str
    reencrypted: int = 0
    already_current: int = 0
    changed_meanwhile: int = 0


@dataclass
class RotationReport:
    key_id: str
    columns: list[ColumnReport] = field(default_factory=list)

    @property
    def reencrypted(self) -> int:
        return sum(column.reencrypted for column in self.columns)

    @property
    def changed_meanwhile(self) -> int:
        return sum(column.changed_meanwhile for column in self.columns)


def encrypted_columns() -> Iterator[tuple[Table, Column[Any]]]:
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, ENCRYPTED_TYPES):
                yield table, column


def _raw_type(column: Column[Any]) -> TypeEngine[Any]:
    return LargeBinary() if isinstance(column.type, EncryptedBytes) else Text()


def _reseal(keyring: Keyring, column: Column[Any], stored: Any) -> Any:
    purpose = column.type.purpose  # type: ignore[attr-defined]
    if isinstance(column.type, EncryptedBytes):
        return keyring.encrypt(keyring.decrypt(bytes(stored), purpose), purpose)
    return keyring.encrypt_text(keyring.decrypt_text(str(stored), purpose), purpose)


def rotate(
    database: Database,
    batch_size: int = 500,
    progress: Callable[[ColumnReport], None] | None = None,
) -> RotationReport:
    keyring = database.keyring
    report = RotationReport(key_id=keyring.current_id)
    for table, column in encrypted_columns():
        column_report = ColumnReport(f"{table.name}.{column.name}")
        _rotate_column(database, keyring, table, column, batch_size, column_report)
        report.columns.append(column_report)
        if progress is not None:
            progress(column_report)
    index_report = ColumnReport("debtors.name_index")
    _reindex_names(database, keyring, batch_size, index_report)
    report.columns.append(index_report)
    if progress is not None:
        progress(index_report)
    return report


def _reindex_names(database: Database, keyring: Keyring, batch_size: int, report: ColumnReport) -> None:
    """The name search tokens hang on the newest key too: recompute them from the decrypted names."""
    table = models.Debtor.__table__
    assert isinstance(table, Table)  # noqa: S101 - a declarative model's table
    keys = list(table.primary_key.columns)
    raw_name = type_coerce(table.c.name, Text())
    raw_index = type_coerce(table.c.name_index, Text())
    last: Sequence[Any] | None = None
    while True:
        query = select(*keys, raw_name, raw_index).order_by(*keys).limit(batch_size)
        if last is not None:
            query = query.where(tuple_(*keys) > tuple_(*[literal(value) for value in last]))
        with database.engine.begin() as connection:
            rows = connection.execute(query).all()
            for row in rows:
                name, stored = row[-2], row[-1]
                wanted = tokens(keyring, keyring.decrypt_text(name, "debtors.name"))
                if stored == wanted:
                    report.already_current += 1
                    continue
                where = and_(*[key == row[i] for i, key in enumerate(keys)], raw_name == type_coerce(name, Text()))
                result = connection.execute(update(table).where(where).values(name_index=type_coerce(wanted, Text())))
                if result.rowcount == 1:
                    report.reencrypted += 1
                else:
                    report.changed_meanwhile += 1
        if len(rows) < batch_size:
            return
        last = tuple(rows[-1][: len(keys)])


def _rotate_column(
    database: Database, keyring: Keyring, table: Table, column: Column[Any], batch_size: int, report: ColumnReport
) -> None:
    keys = list(table.primary_key.columns)
    raw_type = _raw_type(column)
    raw = type_coerce(column, raw_type)
    current = keyring.current_id
    last: Sequence[Any] | None = None
    while True:
        query = select(*keys, raw).where(column.is_not(None)).order_by(*keys).limit(batch_size)
        if last is not None:
            query = query.where(tuple_(*keys) > tuple_(*[literal(value) for value in last]))
        with database.engine.begin() as connection:
            rows = connection.execute(query).all()
            for row in rows:
                stored = row[-1]
                if key_id_of(stored) == current:
                    report.already_current += 1
                    continue
                where = and_(*[key == row[i] for i, key in enumerate(keys)], raw == type_coerce(stored, raw_type))
                sealed = type_coerce(_reseal(keyring, column, stored), raw_type)
                result = connection.execute(update(table).where(where).values({column.name: sealed}))
                if result.rowcount == 1:
                    report.reencrypted += 1
                else:
                    report.changed_meanwhile += 1
        if len(rows) < batch_size:
            return
        last = tuple(rows[-1][: len(keys)])
