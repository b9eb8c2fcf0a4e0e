"""The Alembic migrations build exactly the schema the models describe (no forgotten migration)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from paypage.store import migrate
from paypage.store.db import Database
from paypage.store.models import Base


def test_no_difference_between_migrations_and_models(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'schema.sqlite3'}")
    migrate.upgrade(database)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    database.dispose()
