"""The ERP CSV hand-over, the asynchronous batch submitter and the Flask shop, each against the served app."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import inkasso
import pytest
from flask import Flask
from inkasso._cli import main as cli_main

from examples import async_batch
from examples.erp_csv_handover import handover
from examples.shop_flask import shop
from tests.conftest import Served
from tests.factories import CreditorKeys, new_creditor
from tests.factories.webhook_events import event_json

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def creditor(app: Flask, served: Served, monkeypatch: pytest.MonkeyPatch) -> CreditorKeys:
    """A creditor of its own, its test key and the served app's URL in the environment as the examples read them."""
    keys = new_creditor(app, "Example Shop GmbH")
    monkeypatch.setenv("INKASSO_API_KEY", keys.test_key)
    monkeypatch.setenv("INKASSO_BASE_URL", served.url)
    return keys


@pytest.fixture
def client(creditor: CreditorKeys, served: Served) -> Iterator[inkasso.Client]:
    with inkasso.Client(api_key=creditor.test_key, base_url=served.url) as sdk:
        yield sdk


# ------------------------------------------------------------------------------------------ ERP CSV hand-over


def test_the_erp_export_is_handed_over_and_its_two_bad_rows_reported_by_line(
    client: inkasso.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    result = handover.handover(client)

    assert (result.rows, result.created, result.replayed, result.failed) == (10, 8, 0, 2)
    assert [error.line for error in result.errors] == [6, 9]
    assert result.errors[0].message.startswith("amount_decimal: '59,90' is not a decimal amount")
    assert result.errors[1].message == "debtor.email: 'sophie.wagner@' is not a valid e-mail address"
    assert capsys.readouterr().err.splitlines() == [str(error) for error in result.errors]

    chairs = next(iter(client.claims.list(external_reference="RE-2026-10483")))
    assert (chairs.amount, chairs.currency, chairs.debtor.type) == (145_000, "EUR", "company")
    assert chairs.metadata == {"customer_no": "K-200017"}
    swiss = next(iter(client.claims.list(external_reference="RE-2026-10484")))
    assert (swiss.amount, swiss.currency) == (24_950, "CHF")


def test_the_documented_cli_call_resumes_the_import_without_duplicates(
    client: inkasso.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    handover.handover(client)
    capsys.readouterr()

    code = cli_main(["claims", "import", "--partial-ok", str(handover.INVOICES)])

    out, err = capsys.readouterr()
    assert code == 1  # two rows failed
    assert out.strip().splitlines()[-1] == "created: 0, replayed: 8, failed: 2"
    assert [line.split(":")[0] for line in err.splitlines() if line.startswith("line ")] == ["line 6", "line 9"]
    assert len(list(client.claims.list(limit=100))) == 8


def test_the_erp_script_main_prints_the_summary(creditor: CreditorKeys, capsys: pytest.CaptureFixture[str]) -> None:
    assert handover.main(["handover.py"]) == 1
    assert capsys.readouterr().out == "created: 8, replayed: 0, failed: 2\n"


# ------------------------------------------------------------------------------------------- async batches


def test_250_claims_go_in_three_concurrent_batches_and_a_rerun_replays_them(
    creditor: CreditorKeys, served: Served, client: inkasso.Client
) -> None:
    claims = async_batch.invoices(250, prefix="ASYNC")

    async def submit() -> list[inkasso.types.BatchResult]:
        async with inkasso.AsyncClient(api_key=creditor.test_key, base_url=served.url) as async_client:
            return await async_batch.submit_all(async_client, claims)

    first = asyncio.run(submit())
    again = asyncio.run(submit())  # the same batches, the same idempotency keys: answered from the store

    assert [len(result.results) for result in first] == [100, 100, 50]
    assert [(result.created, result.failed) for result in first] == [(100, 0), (100, 0), (50, 0)]
    ids = [item.claim.id for result in first for item in result.results if item.claim]
    assert len(set(ids)) == 250
    assert [item.claim.id for result in again for item in result.results if item.claim] == ids
    assert len({async_batch.batch_key(claims[start : start + 100]) for start in (0, 100, 200)}) == 3
    stored = {claim.external_reference for claim in client.claims.list(limit=100)}
    assert stored == {claim["external_reference"] for claim in claims}


def test_the_async_script_main_reports_the_batches(creditor: CreditorKeys, capsys: pytest.CaptureFixture[str]) -> None:
    assert async_batch.main(["async_batch.py", "120"]) == 0
    assert capsys.readouterr().out == "batches: 2, created: 120, failed: 0\n"


# ---------------------------------------------------------------------------------------------- Flask shop

TODAY = dt.date.today()


def add_order(path: str, number: str, due_days_ago: int, *, status: str = "unpaid", amount: int = 4_990) -> None:
    with shop.connect(path) as db:
        db.execute(
            "INSERT INTO orders (number, customer_name, customer_email, country, language, amount, currency,"
            " ordered_on, due_on, status) VALUES (?, ?, ?, 'DE', 'de', ?, 'EUR', ?, ?, ?)",
            (
                number,
                f"Customer {number}",
                f"{number.lower()}@example.de",
                amount,
                (TODAY - dt.timedelta(days=due_days_ago + 14)).isoformat(),
                (TODAY - dt.timedelta(days=due_days_ago)).isoformat(),
                status,
            ),
        )


def orders(path: str) -> dict[str, tuple[str, str | None]]:
    with shop.connect(path) as db:
        rows = db.execute("SELECT number, status, claim_id FROM orders").fetchall()
    return {row["number"]: (row["status"], row["claim_id"]) for row in rows}


def raw_event(served: Served, key: str, claim_id: str, event_type: str) -> tuple[str, bytes]:
    """The event exactly as the service stores and delivers it: its id and its JSON bytes."""
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=served.url, headers=headers) as http:
        listed = http.get("/v1/events", params={"claim_id": claim_id, "type": event_type}).json()["data"]
        assert len(listed) == 1, listed
        event_id = listed[0]["id"]
        return event_id, http.get(f"/v1/events/{event_id}").content


def test_the_shop_hands_over_overdue_orders_and_follows_them_by_webhook(
    creditor: CreditorKeys, served: Served, client: inkasso.Client, tmp_path: Path
) -> None:
    path = str(tmp_path / "shop.sqlite3")
    shop.init_db(path)
    add_order(path, "SO-1001", due_days_ago=30, amount=12_990)
    add_order(path, "SO-1002", due_days_ago=14)
    add_order(path, "SO-1003", due_days_ago=20)
    add_order(path, "SO-1004", due_days_ago=13)  # not overdue long enough
    add_order(path, "SO-1005", due_days_ago=40, status="paid")
    app = shop.create_app({"SHOP_DATABASE": path, "INKASSO_WEBHOOK_SECRET": SECRET})
    runner = app.test_cli_runner()

    first = runner.invoke(args=["handover", "--days", "14"])

    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-1] == "handed over: 3"
    state = orders(path)
    assert {number for number, (status, _) in state.items() if status == "in_collection"} == {
        "SO-1001",
        "SO-1002",
        "SO-1003",
    }
    assert state["SO-1004"] == ("unpaid", None) and state["SO-1005"] == ("paid", None)
    claim = client.claims.get(state["SO-1001"][1] or "")
    assert (claim.external_reference, claim.amount, claim.metadata) == ("SO-1001", 12_990, {"order_number": "SO-1001"})

    # The shop crashed after the API created the claim but before it stored the id: the rerun gets it back.
    with shop.connect(path) as db:
        db.execute("UPDATE orders SET claim_id = NULL, status = 'unpaid' WHERE number = 'SO-1002'")
    again = runner.invoke(args=["handover", "--days", "14"])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-1] == "handed over: 1"
    assert orders(path)["SO-1002"] == state["SO-1002"]
    assert len(list(client.claims.list(limit=100))) == 3

    # SO-1001 is paid by bank transfer, SO-1003 cancelled: the service's own events reach the shop signed.
    paid_claim, cancelled_claim = state["SO-1001"][1] or "", state["SO-1003"][1] or ""
    with httpx.Client(base_url=served.url, headers=creditor.headers()) as http:
        booked = http.post(
            "/v1/bank_transactions",
            json={
                "amount": claim.balance.outstanding,
                "currency": "EUR",
                "bank_reference": "BANK-TX-1",
                "reference": claim.transfer_reference,
                "booking_date": TODAY.isoformat(),
            },
        )
    assert booked.status_code == 201 and booked.json()["status"] == "booked", booked.text
    client.claims.cancel(cancelled_claim, reason="customer returned the goods")

    web = app.test_client()
    for claim_id, event_type in ((paid_claim, "claim.paid"), (cancelled_claim, "claim.cancelled")):
        event_id, body = raw_event(served, creditor.test_key, claim_id, event_type)
        signed = inkasso.webhooks.headers(body, secret=SECRET, msg_id=event_id)
        tampered = web.post(shop.WEBHOOK_PATH, data=body + b" ", headers={**signed, "Content-Type": "application/json"})
        assert tampered.status_code == 400
        answer = web.post(shop.WEBHOOK_PATH, data=body, headers={**signed, "Content-Type": "application/json"})
        assert answer.status_code == 200, answer.get_json()

    final = orders(path)
    assert final["SO-1001"] == ("paid", paid_claim)
    assert final["SO-1003"] == ("cancelled", cancelled_claim)
    assert final["SO-1002"][0] == "in_collection"


def test_the_shop_ignores_other_events_and_refuses_unsigned_ones(tmp_path: Path) -> None:
    path = str(tmp_path / "shop.sqlite3")
    shop.init_db(path)
    web = shop.create_app({"SHOP_DATABASE": path, "INKASSO_WEBHOOK_SECRET": SECRET}).test_client()
    body = event_json("claim.viewed")
    signed = inkasso.webhooks.headers(body, secret=SECRET, msg_id=json.loads(body)["id"])
    assert web.post(shop.WEBHOOK_PATH, data=body, headers=signed).get_json() == {"status": "ignored"}
    assert web.post(shop.WEBHOOK_PATH, data=body).status_code == 400
    with pytest.raises(sqlite3.IntegrityError):
        add_order(path, "SO-1", 1, status="lost")
