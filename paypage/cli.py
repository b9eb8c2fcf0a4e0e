"""Flask commands: `flask --app paypage db upgrade | create-creditor | demo`."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from paypage.extensions import database, settings
from paypage.services import audit, creditors
from paypage.store import migrate

db_cli = AppGroup("db", help="Database schema commands.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrate.upgrade(database(), revision)
    click.echo(f"database at {revision}")


@click.command("create-creditor")
@click.argument("name")
@click.option("--live", is_flag=True, help="Also issue a live key.")
def create_creditor(name: str, live: bool) -> None:
    """Create a creditor and print its API keys (shown this once only)."""
    now = settings().clock()
    with database().transaction() as session:
        creditor = creditors.create_creditor(session, name, now)
        keys = [creditors.issue_key(session, creditor.id, False, now)]
        if live:
            keys.append(creditors.issue_key(session, creditor.id, True, now))
        for key in keys:
            audit.record(
                session,
                creditor_id=creditor.id,
                actor="operator:cli",
                action="api_key.issued",
                subject=key.id,
                detail={"livemode": key.livemode},
                now=now,
            )
    click.echo(f"creditor {creditor.id} {name}")
    for key in keys:
        click.echo(f"{'live' if key.livemode else 'test'} key: {key.secret}")
    click.echo("Store the keys now: they are kept only as a hash and cannot be shown again.")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
def demo(host: str, port: int) -> None:
    """Migrate, seed a demo creditor with claims in several countries, and serve."""
    from paypage.demo import run_demo

    run_demo(host, port)


@click.command("worker")
@click.option("--concurrency", default=8, show_default=True, help="Webhook deliveries in flight at once.")
@click.option("--once", is_flag=True, help="Run one round and exit (for cron and tests).")
def worker(concurrency: int, once: bool) -> None:
    """Deliver webhooks (and run the collection engine) until SIGTERM."""
    import logging

    from paypage.engine.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = settings()
    runner = Worker(
        database(),
        config.clock,
        concurrency=concurrency,
        webhook_timeout=config.webhook_timeout,
        webhook_lease=dt.timedelta(seconds=config.webhook_lease),
        app=current_app._get_current_object(),  # type: ignore[attr-defined]
    )
    try:
        if once:
            click.echo(f"{runner.run_once()} deliveries attempted")
        else:
            runner.install_signal_handlers()
            runner.run()
    finally:
        runner.close()


def register(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(create_creditor)
    app.cli.add_command(demo)
    app.cli.add_command(worker)
    from paypage.portal.cli_commands import create_user

    app.cli.add_command(create_user)
    from paypage.decisions.cli import decisions_cli

    app.cli.add_command(decisions_cli)
    from paypage.data_protection_cli import COMMANDS as data_protection_commands

    for command in data_protection_commands:
        app.cli.add_command(command)
    from paypage.inbound_smtp import inbound_smtp

    app.cli.add_command(inbound_smtp)
