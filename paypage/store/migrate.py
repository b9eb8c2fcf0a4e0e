"""Run Alembic migrations from code (`flask --app paypage db upgrade`, `make demo`, the tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from paypage.store.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    config = alembic_config(database)
    with _foreign_keys_off(database) as connection, connection.begin():
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        _check_foreign_keys(connection)


def downgrade(database: Database, revision: str) -> None:
    config = alembic_config(database)
    with _foreign_keys_off(database) as connection, connection.begin():
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        _check_foreign_keys(connection)


@contextmanager
def _foreign_keys_off(database: Database) -> Iterator[Connection]:
    """On SQLite a column type change copies the table and drops the old one, and dropping a table that
    other rows refer to fails while foreign keys are enforced. SQLite only switches enforcement outside a
    transaction, so it is off for the whole run and checked once at the end (Alembic's batch mode notes)."""
    with database.engine.connect() as connection:
        sqlite = database.dialect == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            yield connection
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration left rows whose foreign keys point nowhere: {broken[:5]}")


def revision(database: Database, message: str) -> None:
    """Autogenerate a new migration from the models (a developer tool)."""
    config = alembic_config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
