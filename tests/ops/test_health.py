"""`/healthz` and `/readyz` on both backends, on a database behind the code and on one that is gone."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from paypage import create_app
from paypage.extensions import database
from paypage.ops.health import migration_heads
from paypage.store import migrate
from tests.conftest import TEST_SECRET, fresh_app


def test_healthz_answers_without_a_database(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_readyz_on_a_migrated_database(app: Flask) -> None:
    response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ok"}


def test_heads_are_the_newest_migration() -> None:
    versions = Path(migrate.MIGRATIONS, "versions")
    newest = sorted(p.name for p in versions.glob("0*.py"))[-1]
    (head,) = migration_heads()
    assert newest.startswith(head)


def test_readyz_on_a_database_behind_the_code(tmp_path: Path) -> None:
    application = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'old.sqlite3'}", "data_dir": str(tmp_path), "secret_key": TEST_SECRET}
    )
    try:
        with application.app_context():
            migrate.upgrade(database(), "0001")
        response = application.test_client().get("/readyz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "unavailable"
        assert "0001" in body["reason"] and "sqlite" not in body["reason"]
        # Health does not depend on the schema.
        assert application.test_client().get("/healthz").status_code == 200
        with application.app_context():
            migrate.upgrade(database())
        assert application.test_client().get("/readyz").status_code == 200
    finally:
        application.extensions["inkasso.db"].dispose()


def test_readyz_on_an_empty_database(backend: str, tmp_path: Path) -> None:
    with fresh_app(backend, tmp_path) as application:
        with application.app_context(), database().engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM alembic_version")
        response = application.test_client().get("/readyz")
        assert response.status_code == 503
        assert "revision none" in response.get_json()["reason"]


def test_readyz_when_the_database_is_unreachable_leaks_no_url(tmp_path: Path) -> None:
    url = "postgresql://inkasso:s3cret-password@127.0.0.1:9/inkasso_nowhere"
    application = create_app({"database_url": url, "data_dir": str(tmp_path), "secret_key": TEST_SECRET})
    try:
        response = application.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "unavailable", "reason": "database unreachable"}
        text = response.get_data(as_text=True)
        for secret in ("s3cret", "inkasso_nowhere", "127.0.0.1", "postgresql"):
            assert secret not in text
        assert application.test_client().get("/healthz").status_code == 200
    finally:
        application.extensions["inkasso.db"].dispose()
