"""A tiny Flask shop that hands its overdue orders over for collection and follows them by webhook.

    pip install inkasso flask
    export INKASSO_API_KEY=sk_test_...            # make demo prints one
    export INKASSO_BASE_URL=http://127.0.0.1:8000
    export INKASSO_WEBHOOK_SECRET=whsec_...       # the `secret` of client.webhook_endpoints.create(...)
    export SHOP_DATABASE=shop.sqlite3
    flask --app examples/shop_flask/shop.py init-db
    flask --app examples/shop_flask/shop.py handover --days 14     # e.g. daily from cron
    flask --app examples/shop_flask/shop.py run --port 5000

and register `http://127.0.0.1:5000/inkasso/webhooks` as a test-mode endpoint for `claim.paid` and
`claim.cancelled`.

The shop keeps its orders in an SQLite table `orders`. `handover` submits every unpaid order whose due date
is at least `--days` days past, with the idempotency key `order-<number>`: if the shop crashes after the API
created the claim but before the claim id was stored, the next run gets the same claim back instead of a
second one. The claim id is stored on the order. The webhook route verifies each delivery against the raw
body and marks the order `paid` on `claim.paid` and `cancelled` on `claim.cancelled`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click
import inkasso
from flask import Flask, current_app, request
from inkasso.types.events import ClaimCancelledEvent, ClaimPaidEvent

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/inkasso/webhooks"

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    number TEXT PRIMARY KEY,
    customer_name TEXT NOT NULL,
    customer_email TEXT NOT NULL,
    country TEXT NOT NULL,
    language TEXT NOT NULL,
    amount INTEGER NOT NULL,          -- minor units
    currency TEXT NOT NULL,
    ordered_on TEXT NOT NULL,         -- YYYY-MM-DD, the invoice date
    due_on TEXT NOT NULL,             -- YYYY-MM-DD
    status TEXT NOT NULL DEFAULT 'unpaid' CHECK (status IN ('unpaid', 'in_collection', 'paid', 'cancelled')),
    claim_id TEXT UNIQUE              -- set once the order is handed over
);
"""


@dataclass(frozen=True)
class Handover:
    order: str
    claim_id: str


@contextmanager
def connect(path: str) -> Iterator[sqlite3.Connection]:
    """A connection whose block commits on success and rolls back on an exception."""
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        with connection:
            yield connection
    finally:
        connection.close()


def init_db(path: str) -> None:
    with connect(path) as db:
        db.executescript(SCHEMA)


def claim_fields(order: sqlite3.Row) -> dict[str, Any]:
    """The claim for an order, as keyword arguments of `client.claims.submit`."""
    return {
        "external_reference": order["number"],
        "amount": order["amount"],
        "currency": order["currency"],
        "invoice_date": order["ordered_on"],
        "due_date": order["due_on"],
        "description": f"Order {order['number']}",
        "debtor": {
            "name": order["customer_name"],
            "email": order["customer_email"],
            "country": order["country"],
            "language": order["language"],
        },
        "metadata": {"order_number": order["number"]},
    }


def hand_over_overdue(path: str, client: inkasso.Client, *, days: int, today: dt.date) -> list[Handover]:
    """Submit every unpaid order due `days` or more days before `today`; store each claim id on its order."""
    cutoff = (today - dt.timedelta(days=days)).isoformat()
    with connect(path) as db:
        orders = db.execute(
            "SELECT * FROM orders WHERE status = 'unpaid' AND claim_id IS NULL AND due_on <= ? ORDER BY number",
            (cutoff,),
        ).fetchall()
    done: list[Handover] = []
    for order in orders:
        # The key comes from the order number: a rerun after a crash gets the same claim back.
        claim = client.claims.submit(**claim_fields(order), idempotency_key=f"order-{order['number']}")
        with connect(path) as db:
            db.execute(
                "UPDATE orders SET claim_id = ?, status = 'in_collection' WHERE number = ?",
                (claim.id, order["number"]),
            )
        done.append(Handover(order["number"], claim.id))
    return done


def set_status(path: str, claim_id: str, status: str) -> bool:
    """Set the status of the order with this claim; False when no order has it."""
    with connect(path) as db:
        cursor = db.execute("UPDATE orders SET status = ? WHERE claim_id = ?", (status, claim_id))
        return cursor.rowcount == 1


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SHOP_DATABASE=os.environ.get("SHOP_DATABASE", "shop.sqlite3"),
        INKASSO_WEBHOOK_SECRET=os.environ.get("INKASSO_WEBHOOK_SECRET", ""),
    )
    app.config.update(config or {})

    @app.post(WEBHOOK_PATH)
    def receive_webhook() -> tuple[dict[str, str], int]:
        secrets = current_app.config["INKASSO_WEBHOOK_SECRET"].split()
        if not secrets:
            return {"error": "INKASSO_WEBHOOK_SECRET is not set"}, 500
        try:
            # The raw bytes: a body parsed and serialised again would not verify.
            event = inkasso.webhooks.verify(request.get_data(), request.headers, secrets)
        except inkasso.WebhookVerificationError as exc:
            log.warning("webhook refused: %s", exc)
            return {"error": str(exc)}, 400
        match event:
            case ClaimPaidEvent():
                status = "paid"
            case ClaimCancelledEvent():
                status = "cancelled"
            case _:
                return {"status": "ignored"}, 200
        # Setting a status twice is harmless, so duplicates need no bookkeeping here.
        found = set_status(current_app.config["SHOP_DATABASE"], event.data.claim.id, status)
        return {"status": status if found else "unknown claim"}, 200

    @app.cli.command("init-db")
    def init_db_command() -> None:
        """Create the orders table."""
        init_db(current_app.config["SHOP_DATABASE"])

    @app.cli.command("handover")
    @click.option("--days", default=14, show_default=True, help="Hand over orders overdue by this many days.")
    def handover_command(days: int) -> None:
        """Hand over the overdue unpaid orders through the inkasso SDK."""
        with inkasso.Client() as client:  # INKASSO_API_KEY and INKASSO_BASE_URL from the environment
            done = hand_over_overdue(current_app.config["SHOP_DATABASE"], client, days=days, today=dt.date.today())
        for item in done:
            click.echo(f"order {item.order}: claim {item.claim_id}")
        click.echo(f"handed over: {len(done)}")

    return app
