"""Shared fixtures: the app on SQLite and on PostgreSQL, served in-process and over real HTTP."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from werkzeug.serving import BaseWSGIServer, make_server

from paypage import create_app
from paypage.extensions import database
from paypage.store import migrate
from paypage.store.db import normalise_url

PG_ADMIN_URL = os.environ.get("INKASSO_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("INKASSO_REQUIRE_POSTGRES") == "1"
TEST_SECRET = "test-secret-key-for-pay-links-0123456789abcdef"


@contextlib.contextmanager
def postgresql_database() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server, dropped afterwards."""
    admin = create_engine(normalise_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    name = f"inkasso_test_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc.orig}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    with postgresql_database() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'inkasso.sqlite3'}"


@contextlib.contextmanager
def fresh_app(backend: str, data_dir: Path, **overrides: object) -> Iterator[Flask]:
    """An app on a database of its own, for tests whose workers must see no other test's work."""
    with contextlib.ExitStack() as stack:
        if backend == "postgresql":
            url = stack.enter_context(postgresql_database())
        else:
            url = f"sqlite:///{data_dir / 'own.sqlite3'}"
        application = build_app(url, data_dir, **overrides)
        stack.callback(application.extensions["inkasso.db"].dispose)
        yield application


def build_app(url: str, data_dir: Path, **overrides: object) -> Flask:
    config: dict[str, object] = {
        "database_url": url,
        "data_dir": str(data_dir),
        "secret_key": TEST_SECRET,
        "rate_limit": 10_000,
        "rate_limit_burst": 10_000,
        **overrides,
    }
    app = create_app(config)
    with app.app_context():
        migrate.upgrade(database())
    return app


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def app(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = request.getfixturevalue(f"{backend}_url")
    application = build_app(url, tmp_path_factory.mktemp("data"))
    yield application
    application.extensions["inkasso.db"].dispose()


class Served:
    """The app behind a real HTTP server on 127.0.0.1."""

    def __init__(self, application: Flask, port: int = 0) -> None:
        self.server: BaseWSGIServer = make_server("127.0.0.1", port, application, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def site(backend_url: str, data_dir: Path, **overrides: object) -> Iterator[tuple[Flask, Served]]:
    """The app served over HTTP with its public URL pointing at itself, as pay links and the sandbox
    provider's webhooks need."""
    port = free_port()
    application = build_app(backend_url, data_dir, public_url=f"http://127.0.0.1:{port}", **overrides)
    server = Served(application, port)
    try:
        yield application, server
    finally:
        server.stop()
        application.extensions["inkasso.db"].dispose()


@pytest.fixture(scope="session")
def served(app: Flask) -> Iterator[Served]:
    server = Served(app)
    yield server
    server.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in the main thread for the
    rest of the session, and tests that call asyncio.run() cannot run after it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
