"""The audit log: a gapless hash chain, append-only in the database, verified end to end."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from paypage.extensions import database
from paypage.services import audit
from tests.conftest import fresh_app
from tests.factories import claim_body, new_creditor

NOW = dt.datetime(2026, 11, 20, 15, 45, 12, 123456, tzinfo=dt.UTC)


def _append(app: Flask, count: int, creditor_id: str | None = None) -> list[int]:
    with app.app_context(), database().transaction() as session:
        return [
            audit.record(
                session,
                creditor_id=creditor_id,
                actor="system",
                action="test.appended",
                subject=f"obj_{number}",
                detail={"number": number, "nested": {"ok": True, "list": [1, "zwei"]}},
                now=NOW + dt.timedelta(seconds=number),
            ).seq
            for number in range(count)
        ]


def _verify(app: Flask) -> audit.VerifyResult:
    with app.app_context(), database().transaction() as session:
        return audit.verify(session)


@contextlib.contextmanager
def _tampered(app: Flask, statement: str) -> Iterator[Session]:
    """The table changed behind the triggers' back, as a database superuser could, inside a transaction
    that is rolled back afterwards (trigger changes included), so the shared log stays intact."""
    with app.app_context(), database().engine.connect() as connection:
        transaction = connection.begin()
        try:
            if database().dialect == "postgresql":
                connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            else:
                connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
                connection.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
            connection.exec_driver_sql(statement)
            yield Session(bind=connection)
        finally:
            transaction.rollback()


def test_entries_chain_and_verify(app: Flask) -> None:
    creditor_id = "cred_" + secrets.token_hex(8)
    seqs = _append(app, 5, creditor_id)
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    with app.app_context(), database().transaction() as session:
        newest = audit.entries(session, creditor_id=creditor_id, limit=2)
        assert [entry.seq for entry in newest] == seqs[:-3:-1]
        older = audit.entries(session, creditor_id=creditor_id, before=seqs[3])
        assert [entry.seq for entry in older] == seqs[2::-1]
        assert newest[1].prev_hash == older[0].hash
        assert newest[0].created_at == NOW + dt.timedelta(seconds=4)
        assert newest[0].detail == {"number": 4, "nested": {"ok": True, "list": [1, "zwei"]}}
    result = _verify(app)
    assert result.ok and result.checked >= 5
    assert result.head_hash == newest[0].hash


def test_the_database_refuses_update_and_delete(app: Flask) -> None:
    seq = _append(app, 1)[0]
    for statement in ("UPDATE audit_log SET actor = 'user:someone' WHERE seq = :seq", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), app.app_context():
            with database().engine.begin() as connection:
                connection.execute(text(statement), {"seq": seq})
    assert _verify(app).ok


@pytest.mark.parametrize(
    ("statement", "offset", "reason"),
    [
        ("UPDATE audit_log SET detail = '{{\"number\": 99}}' WHERE seq = {seq}", 0, "does not match its hash"),
        ("UPDATE audit_log SET prev_hash = hash WHERE seq = {seq}", 0, "link to the previous entry is broken"),
        ("DELETE FROM audit_log WHERE seq = {seq}", 0, "is missing"),
    ],
)
def test_verify_names_the_first_tampered_entry(app: Flask, statement: str, offset: int, reason: str) -> None:
    seqs = _append(app, 3)
    target = seqs[1]
    with _tampered(app, statement.format(seq=target)) as session:
        result = audit.verify(session)
    assert (result.ok, result.first_bad) == (False, target + offset)
    assert reason in (result.reason or "")
    assert _verify(app).ok  # rolled back


def test_verify_command_fails_naming_the_entry(tmp_path: Path) -> None:
    with fresh_app("sqlite", tmp_path) as app:
        _append(app, 3)
        with app.app_context(), database().engine.begin() as connection:
            if database().dialect == "postgresql":
                connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
            else:
                connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            connection.exec_driver_sql("UPDATE audit_log SET actor = 'user:usr_x' WHERE seq = 2")
        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.exit_code == 1
        assert "BROKEN at entry 2: its content does not match its hash (1 entries intact before it)" in result.output


def test_verify_command_on_an_intact_log(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit log intact" in result.output


def test_concurrent_appends_never_fork_the_chain(app: Flask) -> None:
    before = _verify(app).checked
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for _ in range(10):
                _append(app, 1, name)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"cred_{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = _verify(app)
    assert (result.ok, result.checked) == (True, before + 40)


def test_record_refuses_what_does_not_belong_in_the_log(app: Flask) -> None:
    with app.app_context(), database().transaction() as session:
        with pytest.raises(ValueError, match="actor"):
            audit.record(
                session, creditor_id=None, actor="Max Mustermann", action="x.y", subject=None, detail=None, now=NOW
            )
        with pytest.raises(ValueError, match="action"):
            audit.record(session, creditor_id=None, actor="system", action="Erased", subject=None, detail=None, now=NOW)
        with pytest.raises(TypeError, match=r"detail\.amount: float"):
            audit.record(
                session, creditor_id=None, actor="system", action="x.y", subject=None, detail={"amount": 1.5}, now=NOW
            )
        with pytest.raises(ValueError, match="timezone-aware"):
            audit.record(
                session, creditor_id=None, actor="system", action="x.y", subject=None, detail=None,
                now=NOW.replace(tzinfo=None),
            )
        session.rollback()


def test_api_actions_leave_entries_for_their_creditor_only(app: Flask) -> None:
    creditor, other = new_creditor(app), new_creditor(app)
    client = app.test_client()
    claim = client.post("/v1/claims", json=claim_body(), headers=creditor.headers()).json
    cancelled = client.post(f"/v1/claims/{claim['id']}/cancel", json={"reason": "paid at the till"},
                            headers=creditor.headers())
    assert cancelled.status_code == 200
    endpoint = client.post(
        "/v1/webhook_endpoints", json={"url": "https://shop.example/hooks"}, headers=creditor.headers()
    ).json
    rotated = client.post(f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret", headers=creditor.headers())
    assert rotated.status_code == 200
    deleted = client.delete(f"/v1/webhook_endpoints/{endpoint['id']}", headers=creditor.headers())
    assert deleted.status_code == 200
    with app.app_context(), database().transaction() as session:
        mine = audit.entries(session, creditor_id=creditor.id)
        theirs = audit.entries(session, creditor_id=other.id)
        operator = audit.entries(session, creditor_id=None, limit=500)
    assert [(entry.action, entry.subject) for entry in mine] == [
        ("webhook_endpoint.deleted", endpoint["id"]),
        ("webhook_endpoint.secret_rotated", endpoint["id"]),
        ("webhook_endpoint.created", endpoint["id"]),
        ("claim.cancelled", claim["id"]),
    ]
    assert mine[2].detail == {"livemode": False, "host": "shop.example"}
    assert all(entry.actor.startswith("api_key:key_") for entry in mine)
    assert theirs == []
    assert all(entry.creditor_id is None for entry in operator)


def test_create_creditor_records_the_keys_it_issues(app: Flask) -> None:
    with app.app_context():  # the real `flask` command pushes one for every command
        result = app.test_cli_runner().invoke(args=["create-creditor", "Audit GmbH", "--live"])
    assert result.exit_code == 0, result.output
    creditor_id = result.output.split()[1]
    with app.app_context(), database().transaction() as session:
        entries = audit.entries(session, creditor_id=creditor_id)
        assert {(entry.action, entry.actor, entry.detail["livemode"]) for entry in entries} == {
            ("api_key.issued", "operator:cli", False),
            ("api_key.issued", "operator:cli", True),
        }
        assert "sk_" not in str([entry.detail for entry in entries])
        assert session.execute(text("SELECT count(*) FROM audit_log")).scalar_one() >= 2
