"""`flask --app paypage create-user EMAIL (--creditor ID --role ROLE | --operator)`: a portal account.

The password is read from INKASSO_NEW_PASSWORD when set (for scripts), else asked for twice; it is never
taken as an argument, where it would stay in the shell history and the process list.
"""

from __future__ import annotations

import os

import click
from flask.cli import with_appcontext

from paypage.extensions import database, settings
from paypage.services import audit, portal_users
from paypage.services.errors import RequestError


@click.command("create-user")
@click.argument("email")
@click.option("--creditor", "creditor_id", help="The creditor the user works for (cred_...).")
@click.option("--role", type=click.Choice(portal_users.ROLES), default="owner", show_default=True)
@click.option("--operator", is_flag=True, help="An operator of the service: may act for every creditor.")
@click.option("--name", default="", help="Shown in the portal; defaults to the e-mail address.")
@with_appcontext
def create_user(email: str, creditor_id: str | None, role: str, operator: bool, name: str) -> None:
    """Create a portal user who signs in at /portal/login."""
    if operator == bool(creditor_id):
        raise click.UsageError("give either --creditor ID or --operator")
    password = os.environ.get("INKASSO_NEW_PASSWORD") or click.prompt(
        "Password (at least 12 characters)", hide_input=True, confirmation_prompt=True
    )
    now = settings().clock()
    try:
        with database().transaction() as session:
            user = portal_users.create_user(
                session,
                email=email,
                name=name or email,
                password=password,
                role=role,
                creditor_id=creditor_id,
                is_operator=operator,
                now=now,
            )
            audit.record(
                session,
                creditor_id=user.creditor_id,
                actor="operator:cli",
                action="user.created",
                subject=user.id,
                detail={"role": user.role, "operator": user.is_operator},
                now=now,
            )
    except RequestError as refused:
        raise click.ClickException(refused.message) from None
    kind = "operator" if operator else f"{role} of {creditor_id}"
    click.echo(f"user {user.id} {user.email} ({kind}): sign in at {settings().public_url.rstrip('/')}/portal/login")
