"""`make demo`: a demo creditor with claims in seven countries, handed over through the SDK itself."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

import click
import inkasso
from flask import current_app
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from paypage.engine.worker import Worker
from paypage.extensions import database, settings
from paypage.portal.demo_user import demo_owner
from paypage.services import creditors
from paypage.store import migrate, models

DEMO_CREDITOR = "Demo Shop GmbH"

_DEBTORS: list[dict[str, Any]] = [
    {
        "name": "Max Mustermann",
        "country": "DE",
        "language": "de",
        "email": "max@example.de",
        "phone": "+4915112345678",
        "currency": "EUR",
        "amount": 12_990,
        "address": {"line1": "Hauptstraße 5", "postal_code": "10115", "city": "Berlin", "country": "DE"},
    },
    {
        "name": "Anna Gruber",
        "country": "AT",
        "language": "de",
        "email": "anna@example.at",
        "currency": "EUR",
        "amount": 4_550,
    },
    {
        "name": "Luca Meier",
        "country": "CH",
        "language": "de-CH",
        "email": "luca@example.ch",
        "currency": "CHF",
        "amount": 23_400,
        "address": {"line1": "Bahnhofstrasse 1", "postal_code": "8001", "city": "Zürich", "country": "CH"},
    },
    {
        "name": "Sanne de Vries",
        "country": "NL",
        "language": "nl",
        "email": "sanne@example.nl",
        "currency": "EUR",
        "amount": 7_900,
    },
    {
        "name": "Camille Martin",
        "country": "FR",
        "language": "fr",
        "email": "camille@example.fr",
        "currency": "EUR",
        "amount": 15_000,
    },
    {
        "name": "Piotr Nowak",
        "country": "PL",
        "language": "pl",
        "phone": "+48601234567",
        "currency": "PLN",
        "amount": 34_999,
    },
    {
        "name": "Oliver Smith",
        "country": "GB",
        "language": "en",
        "email": "oliver@example.co.uk",
        "currency": "GBP",
        "amount": 8_250,
    },
    {
        "name": "Nordlicht Handel GmbH",
        "type": "company",
        "country": "DE",
        "language": "de",
        "email": "buchhaltung@nordlicht.example",
        "currency": "EUR",
        "amount": 248_000,
    },
]


_PAY_PATH = re.compile(r"/p/[^/?\s]+")


class RedactingRequestHandler(WSGIRequestHandler):
    """Logs requests like werkzeug does, minus pay tokens: a logged token would open the debtor's page."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # werkzeug builds the line from self.path; the response has been sent by now, so it can be changed.
        self.path = _PAY_PATH.sub("/p/[token]", self.path)
        self.requestline = _PAY_PATH.sub("/p/[token]", self.requestline)
        super().log_request(code, size)


DEMO_SETTINGS = {
    "payments": {"provider": "sandbox"},
    "bank_accounts": {
        "EUR": {"holder": DEMO_CREDITOR, "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
        "CHF": {
            "holder": DEMO_CREDITOR,
            "iban": "CH9300762011623852957",
            "address": {
                "street": "Bahnhofstrasse",
                "house_num": "1",
                "pcode": "8001",
                "city": "Zürich",
                "country": "CH",
            },
        },
    },
    "embed_origins": ["http://127.0.0.1:5000", "http://localhost:5000"],
}


def _demo_key(now: dt.datetime) -> str:
    """A fresh test key for the demo creditor (keys are stored hashed, so an old one cannot be shown)."""
    with database().transaction() as session:
        creditor = session.scalars(select(models.Creditor).where(models.Creditor.name == DEMO_CREDITOR)).first()
        if creditor is None:
            creditor = creditors.create_creditor(session, DEMO_CREDITOR, now)
        creditor.settings = DEMO_SETTINGS
        return creditors.issue_key(session, creditor.id, False, now, name="make demo").secret


def _seed(client: inkasso.Client, today: dt.date) -> list[inkasso.types.Claim]:
    seeded = []
    for number, person in enumerate(_DEBTORS, start=1):
        debtor = {k: v for k, v in person.items() if k not in ("currency", "amount")}
        reference = f"DEMO-{today.year}-{number:04d}"
        claim = client.claims.submit(
            external_reference=reference,
            amount=person["amount"],
            currency=person["currency"],
            invoice_date=today - dt.timedelta(days=45),
            due_date=today - dt.timedelta(days=31),
            description=f"Order {number:05d} from the demo shop",
            debtor=debtor,
            idempotency_key=f"demo-seed-{reference}",
        )
        seeded.append(claim)
    return seeded


def run_demo(host: str, port: int) -> None:
    migrate.upgrade(database())
    config = settings()
    now = config.clock()
    key = _demo_key(now)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    server = make_server(host, port, app, threaded=True, request_handler=RedactingRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    # SQLite has one writer at a time, so the demo runs the worker as a thread beside the server.
    worker = Worker(
        database(),
        config.clock,
        webhook_timeout=config.webhook_timeout,
        webhook_lease=dt.timedelta(seconds=config.webhook_lease),
        app=app,
    )
    threading.Thread(target=worker.run, name="worker", daemon=True).start()
    base_url = f"http://{host}:{port}"
    with inkasso.Client(api_key=key, base_url=base_url) as client:
        claims = _seed(client, now.date())
    click.echo(f"\ninkasso demo running on {base_url}  (database: {config.database_url})\n")
    click.echo(f"  API key (test mode): {key}")
    click.echo(f"  export INKASSO_API_KEY={key} INKASSO_BASE_URL={base_url}\n")
    click.echo("  Pay links:")
    for claim in claims:
        click.echo(f"    {claim.debtor.country}  {claim.external_reference}  {claim.pay_url}")
    email, password = demo_owner(DEMO_CREDITOR, now)
    click.echo(f"\n  Creditor portal: {base_url}/portal/  user {email}  password {password}")
    click.echo("\n  Webhooks: client.webhook_endpoints.create(url=...) in test mode may point at http://127.0.0.1")
    click.echo("\nPress Ctrl+C to stop.")
    try:
        thread.join()
    except KeyboardInterrupt:
        worker.stop()
        server.shutdown()
