"""Answers to a debtor's message, from expert-written templates in `templates/messages/answers/`.

An answer goes back on the channel the debtor wrote on (the pay page's contact form is answered by
e-mail, to the debtor's address on file only) in the debtor's language, recorded in the claim's
messages like every contact. The country's contact hours hold: outside them the answer waits as `held`
until `send_held` (the worker, once a minute) finds the window open.
The weekly contact cap does not hold back an answer the debtor asked for, but the answer counts towards
it, so the engine's next reminder waits longer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage import i18n
from paypage.domain.contact_window import allowed
from paypage.domain.countries import Country, get_country_or_fallback
from paypage.domain.ids import new_id
from paypage.engine import messages
from paypage.engine.channels.protocol import Channel, ChannelName, ChannelUnavailable, Message
from paypage.services import claims, events, reply_address
from paypage.services.tenancy import Tenant
from paypage.store import models
from paypage.store.db import Database

TEMPLATES = (
    "question",
    "instalment",
    "pause",
    "already_paid",
    "address_change",
    "received",
    "hardship",
    "dispute",
)
"""Answer templates a person may send from the inbox; the first five are also sent automatically."""

PAGE_PATHS = {"instalment": "/plan", "already_paid": "/already-paid"}
"""Where on the pay page an answer points; the page itself otherwise."""


@dataclass(frozen=True)
class Outcome:
    message: models.ContactMessage | None
    problem: str | None = None
    """Why nothing was recorded (no channel to answer on, no pay link any more), in plain words."""


def _recipient(inbound: models.InboundMessage, debtor: models.Debtor) -> tuple[ChannelName, str] | None:
    if inbound.channel in ("email", "sms", "whatsapp"):
        return inbound.channel, inbound.sender  # type: ignore[return-value]
    # The pay page's form: only the address on file. A typed reply-to address would let anyone holding the
    # link make us mail a third party; a person answers there instead.
    return ("email", debtor.email) if debtor.email else None


def render(template: str, channel: str, values: dict[str, Any]) -> messages.Rendered:
    """Subject and text of an answer in `values["language"]` (needs an app context)."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown answer template {template!r}")
    i18n.activate(values["language"])
    environment = current_app.jinja_env
    body = environment.get_template(f"messages/answers/{template}.txt").render(m=values).strip()
    if channel != "email":
        return messages.Rendered(None, " ".join(body.split()), None, values["language"])
    subject = environment.get_template("messages/answers/subject.txt").render(m=values).strip()
    text = environment.get_template("messages/answers/email.txt").render(m=values, body=body)
    return messages.Rendered(subject, text.strip() + "\n", None, values["language"])


def values_for(
    row: claims.Row,
    creditor: models.Creditor,
    country: Country,
    template: str,
    links: claims.LinkMaker,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Template values, or None when the claim has no pay link any more (paid, closed)."""
    claim, debtor = row
    url = links.url(claim)
    if url is None:
        return None
    language = messages.language_for(debtor, country)
    values: dict[str, Any] = {
        "language": language,
        "debtor_name": debtor.name,
        "debtor_type": debtor.type,
        "creditor_short": creditor.name[:30],
        "sender": creditor.settings.get("sender_name") or creditor.name,
        "reference": claim.external_reference,
        "url": url + PAGE_PATHS.get(template, ""),
    }
    for key, value in (extra or {}).items():
        if isinstance(value, dt.date):
            value = format_date(value, format="long", locale=i18n.babel_locale(language, debtor.country))
        values[key] = value
    return values


def send_answer(
    session: Session,
    row: claims.Row,
    inbound: models.InboundMessage,
    template: str,
    now: dt.datetime,
    links: claims.LinkMaker,
    channels: Mapping[str, Channel],
    extra: Mapping[str, Any] | None = None,
) -> Outcome:
    """Record the answer and send it now, or hold it for the contact window. The caller holds the claim's
    row lock and commits."""
    claim, debtor = row
    creditor = session.get(models.Creditor, claim.creditor_id)
    assert creditor is not None  # noqa: S101 - a claim's creditor exists (foreign key)
    target = _recipient(inbound, debtor)
    if target is None:
        return Outcome(None, "The debtor left no address to answer to.")
    channel, recipient = target
    if channel not in channels:
        return Outcome(None, f"No {channel} channel is set up to answer on.")
    country = get_country_or_fallback(debtor.country, claim.currency)
    values = values_for(row, creditor, country, template, links, extra)
    if values is None:
        return Outcome(None, "The claim is closed; its pay page is gone.")
    rendered = render(template, channel, values)
    message_id = new_id("msg", now)
    record = models.ContactMessage(
        creditor_id=claim.creditor_id,
        id=message_id,
        livemode=claim.livemode,
        claim_id=claim.id,
        # One answer is not a strategy step: its own key keeps it apart from the steps and from other answers.
        step_key=f"answer_{message_id}",
        channel=channel,
        template=f"answer_{template}",
        tone="neutral",
        language=rendered.language,
        status="held",
        recipient=recipient,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=None,
        created_at=now,
        updated_at=now,
    )
    session.add(record)
    session.flush()
    if allowed(now, country):
        thread = inbound.provider_reference if inbound.channel == "email" else None
        _deliver(session, record, row, creditor, channels[channel], now, links, thread)
    else:
        record.detail = "held until the country's contact hours"
    return Outcome(record)


def _deliver(
    session: Session,
    record: models.ContactMessage,
    row: claims.Row,
    creditor: models.Creditor,
    channel: Channel,
    now: dt.datetime,
    links: claims.LinkMaker,
    in_reply_to: str | None = None,
) -> None:
    claim, _ = row
    headers: dict[str, str] = {}
    domain = str(current_app.extensions["inkasso.settings"].inbound_email_domain)
    if record.channel == "email" and domain:
        headers["Reply-To"] = reply_address.address(links.secret, claim.creditor_id, claim.id, domain)
    if record.channel == "email" and in_reply_to:
        # The debtor's mail client then shows the answer in the same conversation.
        headers["In-Reply-To"] = headers["References"] = in_reply_to
    message = Message(
        message_id=record.id,
        channel=record.channel,  # type: ignore[arg-type]
        language=record.language,
        to=record.recipient,
        subject=record.subject,
        text=record.body_text,
        sender_name=str(creditor.settings.get("sender_name") or creditor.name),
        headers=headers,
    )
    try:
        result = channel.send(message)
    except ChannelUnavailable as exc:
        record.status = "held"
        record.detail = f"held: {exc}"[:500]
        record.updated_at = now
        return
    record.status = result.status
    record.provider_reference = result.provider_reference
    record.detail = result.detail
    record.updated_at = now
    if result.status in ("sent", "delivered"):
        record.sent_at = now
        data = {**claims.snapshot(row), "channel": record.channel, "message_id": record.id}
        events.record(session, Tenant(claim.creditor_id, claim.livemode), "claim.contacted", now, claim.id, data)


def send_held(
    session: Session,
    creditor_id: str,
    now: dt.datetime,
    links: claims.LinkMaker,
    channels: Mapping[str, Channel],
    limit: int = 100,
    livemode: bool | None = None,
) -> int:
    """Send a creditor's held answers whose contact window is open now; returns how many were tried."""
    query = select(models.ContactMessage).where(
        models.ContactMessage.creditor_id == creditor_id, models.ContactMessage.status == "held"
    )
    if livemode is not None:
        query = query.where(models.ContactMessage.livemode == livemode)
    held = session.scalars(query.order_by(models.ContactMessage.id).limit(limit))
    creditor = session.get(models.Creditor, creditor_id)
    tried = 0
    for record in list(held):
        row = claims.get(session, Tenant(creditor_id, record.livemode), record.claim_id, for_update=True)
        claim, debtor = row
        if creditor is None or record.channel not in channels:
            continue
        if links.url(claim) is None:
            record.status = "cancelled"
            record.detail = f"not sent: the claim became {claim.state} before the contact hours"
            record.updated_at = now
            continue
        if allowed(now, get_country_or_fallback(debtor.country, claim.currency)):
            _deliver(session, record, row, creditor, channels[record.channel], now, links)
            tried += 1
    return tried


def send_all_held(
    db: Database,
    now: dt.datetime,
    links: claims.LinkMaker,
    channels_for: Callable[[models.Creditor, bool], Mapping[str, Channel]],
) -> int:
    """The worker's round over every creditor's held answers, one transaction per creditor and mode."""
    with db.transaction() as session:
        waiting = session.execute(
            select(models.ContactMessage.creditor_id, models.ContactMessage.livemode)
            .where(models.ContactMessage.status == "held")
            .distinct()
        ).all()
    tried = 0
    for creditor_id, livemode in waiting:
        with db.transaction() as session:
            creditor = session.get(models.Creditor, creditor_id)
            if creditor is not None:
                channels = channels_for(creditor, livemode)
                tried += send_held(session, creditor_id, now, links, channels, livemode=livemode)
    return tried
