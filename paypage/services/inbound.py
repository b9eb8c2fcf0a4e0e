"""A debtor's message, from any channel: store it, find its claim, classify it, answer it or hand it to a person.

Matching, most certain first:

1. `token`: the per-claim reply address of an answer we sent (`reply_address`), checked by its HMAC;
2. `pay_page`: the contact form of the pay page already knows its claim;
3. `sender`: the sender's e-mail address or phone number is the debtor's on one of the creditor's claims
   (the newest claim that is still being collected wins);
4. `reference`: the claim's reference appears in the subject or text.

A template answers only a sender we know is the debtor: matched by token, pay page or sender. A stranger
who quotes a reference gets no pay link (it shows the debtor's name and debt); a person reads it.

What each answerable intent does, when the model is confident (`paypage.decisions.intents`):

- question: the pay page's link (methods and bank details are there).
- instalment: the link to the instalment chooser, with the most months the country's and the creditor's
  rules allow for this balance; no plan possible (balance too small, claim paused or disputed): a person.
- pause: collection pauses for `PAUSE_DAYS` (or the shorter pause the rules allow) exactly as the pay
  page's pause button does, and the answer gives the date; where no pause is allowed: a person.
  The requested length is not read from the text: the debtor can pick another date on the page.
- already paid: the answer asks for proof through the page's upload, and a `verify_payment` item always
  goes to a person, who checks the bank account; collection is not stopped on a debtor's word alone.
- address change: the answer confirms receipt; an `apply_address_change` item goes to a person, because
  a new postal address changes where letters and legal notices go and must be checked, not parsed.

Hardship and dispute never get a template answer (see `labels.ANSWERABLE`); they open a high-priority
item. A suspected dispute does not change the claim's state either: the person decides, with one click.
Every message, answered or not, becomes a `debtor.message_received` event in the claim's timeline.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.decisions.intents.model import IntentModel, Verdict
from paypage.domain.countries import get_country_or_fallback
from paypage.domain.ids import new_id
from paypage.domain.instalments import max_months
from paypage.domain.money import Money
from paypage.domain.states import is_final
from paypage.engine import messages
from paypage.engine.channels.protocol import Channel
from paypage.services import answers, claims, debtor_requests, events, inbox, plans, reply_address
from paypage.services.tenancy import Tenant
from paypage.store import models

CHANNELS = ("email", "sms", "whatsapp", "pay_page")
PAUSE_DAYS = 14
OPEN_STATES = ("open", "in_collection", "payment_plan", "paused", "disputed")
"""Claims a message can be about (a debtor may still write about a claim that is paused or disputed)."""
MAX_BODY = 20_000
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]{2,63}")

ChannelsFor = Callable[[models.Creditor, bool], Mapping[str, Channel]]


@dataclass(frozen=True)
class Incoming:
    channel: str
    sender: str
    """E-mail address or E.164 number; for the pay page the reply-to address the debtor gave (may be empty)."""
    body: str
    """The new text of the message (an e-mail's quoted history already cut off)."""
    subject: str | None = None
    provider_reference: str | None = None
    recipient: str | None = None
    """The local part of the address the e-mail was sent to: a reply token, if any."""
    claim_id: str | None = None
    """Set by the pay page, which knows its claim."""


@dataclass
class Handled:
    message: models.InboundMessage
    duplicate: bool = False
    answer: models.ContactMessage | None = None
    items: list[models.InboxItem] = field(default_factory=list)
    verdict: Verdict | None = None


@dataclass(frozen=True)
class _Match:
    row: claims.Row | None
    matched_by: str
    verified: bool


def _normal_email(value: str | None) -> str:
    return (value or "").strip().lower()


def _normal_phone(value: str | None) -> str:
    return re.sub(r"[^\d+]", "", (value or "").removeprefix("whatsapp:"))


def _rows(session: Session, creditor_id: str) -> list[claims.Row]:
    query = (
        select(models.Claim, models.Debtor)
        .join(
            models.Debtor,
            (models.Debtor.creditor_id == models.Claim.creditor_id) & (models.Debtor.id == models.Claim.debtor_id),
        )
        .where(models.Claim.creditor_id == creditor_id, models.Claim.state.in_(OPEN_STATES))
        .order_by(models.Claim.livemode.desc(), models.Claim.id.desc())
    )
    return [(claim, debtor) for claim, debtor in session.execute(query)]


def _is_sender(debtor: models.Debtor, channel: str, sender: str) -> bool:
    if channel == "email":
        return bool(sender) and _normal_email(debtor.email) == _normal_email(sender)
    if channel in ("sms", "whatsapp"):
        return bool(sender) and _normal_phone(debtor.phone) == _normal_phone(sender)
    return False


def _by_id(session: Session, creditor_id: str, claim_id: str) -> claims.Row | None:
    found = session.get(models.Claim, (creditor_id, claim_id), with_for_update=True)
    if found is None:
        return None
    debtor = session.get(models.Debtor, (creditor_id, found.debtor_id))
    return (found, debtor) if debtor is not None else None


def match(session: Session, creditor_id: str, incoming: Incoming, secret: bytes) -> _Match:
    if incoming.channel == "pay_page" and incoming.claim_id:
        row = _by_id(session, creditor_id, incoming.claim_id)
        return _Match(row, "pay_page", row is not None)
    token = reply_address.claim_id_of(incoming.recipient or "")
    if token is not None:
        claim_id, check = token
        if reply_address.verify(secret, creditor_id, claim_id, check):
            row = _by_id(session, creditor_id, claim_id)
            if row is not None:
                return _Match(row, "token", True)
    # Debtors' contact details are encrypted at rest, so they are compared here rather than in SQL.
    rows = _rows(session, creditor_id)
    for row in rows:
        if _is_sender(row[1], incoming.channel, incoming.sender):
            return _Match(_by_id(session, creditor_id, row[0].id), "sender", True)
    words = set(_WORD.findall(f"{incoming.subject or ''}\n{incoming.body}"))
    for row in rows:
        if row[0].external_reference in words:
            return _Match(_by_id(session, creditor_id, row[0].id), "reference", False)
    return _Match(None, "none", False)


def receive(
    session: Session,
    creditor_id: str,
    incoming: Incoming,
    now: dt.datetime,
    links: claims.LinkMaker,
    channels_for: ChannelsFor,
    model: IntentModel | None,
) -> Handled:
    """Store, match, classify and act on one message, in the caller's transaction.

    `model` is None while the process's model is still training (`model.ready_model`): the message is
    stored and goes to a person."""
    if incoming.channel not in CHANNELS:
        raise ValueError(f"unknown inbound channel {incoming.channel!r}")
    if incoming.provider_reference:
        seen = session.scalars(
            select(models.InboundMessage).where(
                models.InboundMessage.creditor_id == creditor_id,
                models.InboundMessage.channel == incoming.channel,
                models.InboundMessage.provider_reference == incoming.provider_reference,
            )
        ).first()
        if seen is not None:
            return Handled(seen, duplicate=True)
    found = match(session, creditor_id, incoming, links.secret)
    body = incoming.body.strip()[:MAX_BODY]
    verdict = model.classify(body or incoming.subject or "") if model is not None else None
    claim = found.row[0] if found.row else None
    language = None
    if found.row is not None:
        language = messages.language_for(
            found.row[1], get_country_or_fallback(found.row[1].country, found.row[0].currency)
        )
    record = models.InboundMessage(
        creditor_id=creditor_id,
        id=new_id("inm", now),
        livemode=claim.livemode if claim else True,
        claim_id=claim.id if claim else None,
        channel=incoming.channel,
        provider_reference=incoming.provider_reference,
        sender=incoming.sender[:320],
        subject=incoming.subject[:500] if incoming.subject else None,
        body=body,
        language=language,
        matched_by=found.matched_by,
        intent=verdict.intent if verdict else None,
        confidence=verdict.confidence if verdict else None,
        outcome="human",
        reason=verdict.reason if verdict else "model_not_ready",
        received_at=now,
    )
    session.add(record)
    session.flush()
    handled = Handled(record, verdict=verdict)
    if found.row is None:
        _to_person(session, handled, "unmatched", now)
        return handled
    row = found.row
    if incoming.channel != "pay_page":
        # The pay page's form records its own event (debtor_requests.contact).
        data = {**claims.snapshot(row), "channel": incoming.channel, "intent": record.intent, "message_id": record.id}
        events.record(session, Tenant(creditor_id, row[0].livemode), "debtor.message_received", now, row[0].id, data)
    if verdict is None or not verdict.auto:
        _to_person(session, handled, record.reason, now)
    elif not found.verified:
        _to_person(session, handled, "sender_unverified", now)
    else:
        _answer(session, handled, row, verdict, now, links, channels_for)
    return handled


def _to_person(session: Session, handled: Handled, reason: str, now: dt.datetime, kind: str = "message") -> None:
    handled.message.outcome = "human"
    handled.message.reason = reason
    _route(session, handled, kind, reason, now)


def _route(session: Session, handled: Handled, kind: str, reason: str, now: dt.datetime) -> None:
    """Put an inbox item for the message in front of a person: the message itself, or a follow-up."""
    record = handled.message
    handled.items.append(
        inbox.route_to_human(
            session,
            creditor_id=record.creditor_id,
            livemode=record.livemode,
            kind=kind,
            reason=reason,
            now=now,
            claim_id=record.claim_id,
            intent=record.intent,
            inbound_message_id=record.id,
        )
    )


def _answer(
    session: Session,
    handled: Handled,
    row: claims.Row,
    verdict: Verdict,
    now: dt.datetime,
    links: claims.LinkMaker,
    channels_for: ChannelsFor,
) -> None:
    claim, debtor = row
    creditor = session.get(models.Creditor, claim.creditor_id)
    assert creditor is not None  # noqa: S101 - a claim's creditor exists (foreign key)
    country = get_country_or_fallback(debtor.country, claim.currency)
    intent = verdict.intent
    if is_final(claim.state):
        _to_person(session, handled, "claim_closed", now)
        return
    extra: dict[str, object] = {}
    if intent == "instalment":
        balance = Money(claims.outstanding(claim), claim.currency)
        months = max_months(balance, plans.rules_for(country, creditor.settings))
        if claim.state not in ("open", "in_collection") or months < 2:
            _to_person(session, handled, "no_plan_possible", now)
            return
        extra["months"] = months
    if intent == "pause":
        limit = min(PAUSE_DAYS, country.pause_max_days, int(creditor.settings.get("pause_max_days", PAUSE_DAYS)))
        if claim.state not in ("open", "in_collection", "payment_plan") or limit < 1:
            _to_person(session, handled, "no_pause_possible", now)
            return
        extra["until"] = now.date() + dt.timedelta(days=limit)
    channels = channels_for(creditor, claim.livemode)
    outcome = answers.send_answer(session, row, handled.message, intent, now, links, channels, extra)
    if outcome.message is None:
        _to_person(session, handled, "no_answer_channel", now)
        return
    handled.answer = outcome.message
    handled.message.outcome = "answered"
    handled.message.reason = "confident"
    handled.message.answer_message_id = outcome.message.id
    tenant = Tenant(claim.creditor_id, claim.livemode)
    if intent == "pause":
        until = extra["until"]
        assert isinstance(until, dt.date)  # noqa: S101 - set above
        debtor_requests.pause(session, tenant, row, until, "asked for by message", now)
    elif intent == "already_paid":
        _route(session, handled, "verify_payment", "confident", now)
    elif intent == "address_change":
        _route(session, handled, "apply_address_change", "confident", now)


def from_pay_page(
    session: Session,
    row: claims.Row,
    request: models.DebtorRequest,
    message: str,
    reply_to: str,
    now: dt.datetime,
    links: claims.LinkMaker,
    channels_for: ChannelsFor,
    model: IntentModel | None,
) -> Handled:
    """The pay page's contact form, after `debtor_requests.contact` stored it: the same pipeline as a reply."""
    incoming = Incoming(
        channel="pay_page", sender=reply_to, body=message, provider_reference=request.id, claim_id=row[0].id
    )
    return receive(session, row[0].creditor_id, incoming, now, links, channels_for, model)
