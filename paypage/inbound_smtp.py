"""Debtors' e-mail, received over SMTP: `flask --app paypage inbound-smtp --port 2525`.

Run it behind the MX of `INKASSO_INBOUND_EMAIL_DOMAIN` (or let the mail server forward to it). It accepts
mail for two kinds of address at that domain and refuses every other one at RCPT time (550), so it is never
an open relay and never accepts mail it cannot place:

    r-<claim>-<check>@domain    the reply address our answers carry (checked by its HMAC)
    <creditor id>@domain        a creditor's general inbox (cred_...), matched by sender or reference

Each accepted message is parsed (`inbound_email`), stored and handled (`inbound.receive`) before the
server answers 250, so a message is only acknowledged once it is safely in the database.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import click
from aiosmtpd.smtp import SMTP, Envelope, Session
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from paypage.decisions.intents.model import ready_model
from paypage.engine.channel_registry import channels_for
from paypage.extensions import database, links, settings
from paypage.services import inbound, inbound_email, reply_address
from paypage.store import models

log = logging.getLogger(__name__)


def creditor_for(local: str, secret: bytes) -> str | None:
    """The creditor an address at our domain belongs to, or None for an address we do not serve."""
    token = reply_address.claim_id_of(local)
    with database().transaction() as session:
        if token is not None:
            claim_id, check = token
            # Claim ids are unique across creditors; the HMAC then proves the address is ours for that creditor.
            for creditor_id in session.scalars(select(models.Claim.creditor_id).where(models.Claim.id == claim_id)):
                if reply_address.verify(secret, creditor_id, claim_id, check):
                    return str(creditor_id)
            return None
        if local.startswith("cred_") and session.get(models.Creditor, local) is not None:
            return local
    return None


class InboundHandler:
    """aiosmtpd handler; the database work runs in a thread so the event loop keeps serving."""

    def __init__(self, app: Flask, domain: str) -> None:
        self.app = app
        self.domain = domain.lower()

    def _local(self, address: str) -> str | None:
        local, _, domain = address.strip().lower().rpartition("@")
        return local if domain == self.domain and local else None

    def _resolve(self, address: str) -> str | None:
        local = self._local(address)
        if local is None:
            return None
        with self.app.app_context():
            return creditor_for(local, links().secret)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        creditor_id = await asyncio.get_running_loop().run_in_executor(None, self._resolve, address)
        if creditor_id is None:
            return "550 5.1.1 No such recipient here"
        if envelope.rcpt_tos:
            return "452 4.5.3 One recipient per message, please"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes) or not envelope.rcpt_tos:
            return "554 5.6.0 No message"
        return await asyncio.get_running_loop().run_in_executor(None, self.deliver, raw, envelope.rcpt_tos[0])

    def deliver(self, raw: bytes, recipient: str) -> str:
        try:
            parsed = inbound_email.parse(raw, (recipient,))
        except inbound_email.UnreadableEmail as exc:
            return f"554 5.6.0 {exc}"
        local = self._local(recipient) or ""
        with self.app.app_context():
            config = settings()
            creditor_id = creditor_for(local, links().secret)
            if creditor_id is None:
                return "550 5.1.1 No such recipient here"
            incoming = inbound.Incoming(
                channel="email",
                sender=parsed.sender,
                body=parsed.text,
                subject=parsed.subject,
                provider_reference=parsed.message_id,
                recipient=local,
            )
            with database().transaction() as db_session:
                handled = inbound.receive(
                    db_session,
                    creditor_id,
                    incoming,
                    config.clock(),
                    links(),
                    lambda creditor, livemode: channels_for(creditor, livemode, config.outbox_file),
                    ready_model(config.intent_model),
                )
        log.info("inbound e-mail %s: %s (%s)", handled.message.id, handled.message.outcome, handled.message.reason)
        return "250 OK: received"


def controller(app: Flask, host: str, port: int, domain: str) -> Any:
    from aiosmtpd.controller import Controller

    handler = InboundHandler(app, domain)
    return Controller(
        handler, hostname=host, port=port, server_hostname=domain, data_size_limit=inbound_email.MAX_MESSAGE_BYTES
    )


@click.command("inbound-smtp")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True, type=int)
@with_appcontext
def inbound_smtp(host: str, port: int) -> None:
    """Receive debtors' e-mail replies over SMTP for INKASSO_INBOUND_EMAIL_DOMAIN."""
    import signal
    import threading

    from paypage.decisions.intents.model import intent_model

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    domain = settings().inbound_email_domain
    if not domain:
        raise click.ClickException("set INKASSO_INBOUND_EMAIL_DOMAIN to the mail domain this server receives for")
    intent_model(settings().intent_model)  # train before the first message arrives, not while a sender waits
    server = controller(app, host, port, domain)
    server.start()
    click.echo(f"receiving mail for @{domain} on {host}:{port}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
