"""`GET /healthz` (the process answers) and `GET /readyz` (the database answers and is fully migrated).

A load balancer sends traffic to a process only while `/readyz` is 200; an orchestrator restarts a
process whose `/healthz` fails. Neither needs an API key, and neither shows the database URL or the
driver's error text: the reason is one of a few fixed phrases.
"""

from __future__ import annotations

import logging
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from paypage.extensions import database
from paypage.store.migrate import MIGRATIONS

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


@cache
def migration_heads() -> frozenset[str]:
    """The newest revision(s) of the migrations shipped with this code (read once per process)."""
    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


def _answer(http_status: int, **body: str) -> Response:
    response = jsonify(body)
    response.status_code = http_status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    return _answer(200, status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    try:
        with database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        # The driver's message may carry the host, user or URL: log its class only.
        log.warning("readiness check: database unreachable (%s)", type(exc).__name__)
        return _answer(503, status="unavailable", reason="database unreachable")
    heads = migration_heads()
    if current != heads:
        at = ", ".join(sorted(current)) or "none"
        log.warning("readiness check: database at revision %s, code expects %s", at, ", ".join(sorted(heads)))
        return _answer(
            503,
            status="unavailable",
            reason=f"database schema at revision {at}, expected {', '.join(sorted(heads))}: run 'db upgrade'",
        )
    return _answer(200, status="ok")
