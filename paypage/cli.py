"""Flask commands: `flask --app paypage db upgrade | create-creditor | demo`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from paypage.extensions import database, settings
from paypage.services import creditors
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


def register(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(create_creditor)
    app.cli.add_command(demo)
