"""The human inbox: debtor messages and checks that a person at the creditor has to handle.

Items come from `paypage.services.inbound` (a message no template may answer, a payment to verify, an
address to apply). The portal lists and works them through these functions only; their signatures are
kept stable:

    route_to_human(session, *, creditor_id, livemode, kind, reason, now, claim_id=None, intent=None,
                   inbound_message_id=None) -> models.InboxItem
        Open an item. Hardship and dispute get priority "high".
    open_items(session, *, creditor_id, livemode, assignee=None, status="open", limit=20, cursor=None)
        -> InboxPage
        Items of one creditor and mode, newest first, with the message text and the claim's reference.
        `assignee=""` lists the unassigned ones. `cursor` is `InboxPage.next_cursor` of the page before.
    get_item(session, *, creditor_id, item_id) -> InboxEntry
    assign(session, *, creditor_id, item_id, assignee, actor, now) -> models.InboxItem
        `assignee=None` returns the item to the pool.
    reply(session, *, creditor_id, item_id, template, actor, now, links, channels, close=True)
        -> models.ContactMessage
        Send one of `ANSWER_TEMPLATES` in the debtor's language on the channel the debtor wrote on (the
        pay page's form by e-mail to the address on file), through the same contact rules as the engine;
        closes the item unless `close=False`.
    close(session, *, creditor_id, item_id, actor, now, resolution="") -> models.InboxItem

Another creditor's item is "not found" (`RequestError` 404), never "forbidden". `actor` is the portal
user's id; it is recorded on the item (assignee, resolution) and never logged with message content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.domain.ids import new_id
from paypage.engine.channels.protocol import Channel
from paypage.services import answers, claims
from paypage.services.errors import RequestError, not_found
from paypage.services.pagination import decode_cursor, encode_cursor
from paypage.services.tenancy import Tenant
from paypage.store import models

ANSWER_TEMPLATES = answers.TEMPLATES
KINDS = ("message", "verify_payment", "apply_address_change")
STATUSES = ("open", "closed")
HIGH_PRIORITY_INTENTS = ("hardship", "dispute")


@dataclass(frozen=True)
class InboxEntry:
    item: models.InboxItem
    message: models.InboundMessage | None
    claim_reference: str | None
    """The claim's external reference, for display; None when the message matched no claim."""


@dataclass(frozen=True)
class InboxPage:
    entries: list[InboxEntry]
    next_cursor: str | None


def route_to_human(
    session: Session,
    *,
    creditor_id: str,
    livemode: bool,
    kind: str,
    reason: str,
    now: dt.datetime,
    claim_id: str | None = None,
    intent: str | None = None,
    inbound_message_id: str | None = None,
) -> models.InboxItem:
    if kind not in KINDS:
        raise ValueError(f"unknown inbox item kind {kind!r}")
    item = models.InboxItem(
        creditor_id=creditor_id,
        id=new_id("ibx", now),
        livemode=livemode,
        claim_id=claim_id,
        inbound_message_id=inbound_message_id,
        kind=kind,
        intent=intent,
        priority="high" if intent in HIGH_PRIORITY_INTENTS else "normal",
        reason=reason,
        status="open",
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    session.flush()
    return item


def open_items(
    session: Session,
    *,
    creditor_id: str,
    livemode: bool,
    assignee: str | None = None,
    status: str = "open",
    limit: int = 20,
    cursor: str | None = None,
) -> InboxPage:
    if status not in STATUSES:
        raise RequestError(400, "parameter_invalid", f"status: must be one of {', '.join(STATUSES)}", "status")
    if not 1 <= limit <= 100:
        raise RequestError(400, "parameter_invalid", "limit: must be an integer from 1 to 100", "limit")
    query = select(models.InboxItem).where(
        models.InboxItem.creditor_id == creditor_id,
        models.InboxItem.livemode == livemode,
        models.InboxItem.status == status,
    )
    if assignee == "":
        query = query.where(models.InboxItem.assignee.is_(None))
    elif assignee is not None:
        query = query.where(models.InboxItem.assignee == assignee)
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(models.InboxItem.id < after)
    items = list(session.scalars(query.order_by(models.InboxItem.id.desc()).limit(limit + 1)))
    more = len(items) > limit
    items = items[:limit]
    entries = _entries(session, creditor_id, items)
    return InboxPage(entries, encode_cursor(items[-1].id) if more else None)


def _entries(session: Session, creditor_id: str, items: list[models.InboxItem]) -> list[InboxEntry]:
    message_ids = [item.inbound_message_id for item in items if item.inbound_message_id]
    claim_ids = [item.claim_id for item in items if item.claim_id]
    found_messages = {
        message.id: message
        for message in session.scalars(
            select(models.InboundMessage).where(
                models.InboundMessage.creditor_id == creditor_id, models.InboundMessage.id.in_(message_ids)
            )
        )
    }
    references = dict(
        session.execute(
            select(models.Claim.id, models.Claim.external_reference).where(
                models.Claim.creditor_id == creditor_id, models.Claim.id.in_(claim_ids)
            )
        ).all()
    )
    return [
        InboxEntry(
            item,
            found_messages.get(item.inbound_message_id or ""),
            references.get(item.claim_id or ""),
        )
        for item in items
    ]


def _item(session: Session, creditor_id: str, item_id: str, for_update: bool = False) -> models.InboxItem:
    item = session.get(models.InboxItem, (creditor_id, item_id), with_for_update=for_update)
    if item is None:
        raise not_found("inbox item", item_id)
    return item


def get_item(session: Session, *, creditor_id: str, item_id: str) -> InboxEntry:
    return _entries(session, creditor_id, [_item(session, creditor_id, item_id)])[0]


def assign(
    session: Session, *, creditor_id: str, item_id: str, assignee: str | None, actor: str, now: dt.datetime
) -> models.InboxItem:
    item = _item(session, creditor_id, item_id, for_update=True)
    if item.status != "open":
        raise RequestError(409, "inbox_item_closed", "This item is closed; reopening is not possible.")
    if assignee is not None and not 1 <= len(assignee) <= 64:
        raise RequestError(400, "parameter_invalid", "assignee: must be 1 to 64 characters", "assignee")
    item.assignee = assignee
    item.updated_at = now
    return item


def close(
    session: Session, *, creditor_id: str, item_id: str, actor: str, now: dt.datetime, resolution: str = ""
) -> models.InboxItem:
    return _close(_item(session, creditor_id, item_id, for_update=True), actor, now, resolution)


def _close(item: models.InboxItem, actor: str, now: dt.datetime, resolution: str) -> models.InboxItem:
    if item.status == "closed":
        return item
    item.status = "closed"
    item.resolution = (resolution.strip() or f"closed by {actor}")[:500]
    item.assignee = item.assignee or actor
    item.closed_at = now
    item.updated_at = now
    return item


def reply(
    session: Session,
    *,
    creditor_id: str,
    item_id: str,
    template: str,
    actor: str,
    now: dt.datetime,
    links: claims.LinkMaker,
    channels: Mapping[str, Channel],
    close: bool = True,
) -> models.ContactMessage:
    item = _item(session, creditor_id, item_id, for_update=True)
    if template not in ANSWER_TEMPLATES:
        raise RequestError(
            400, "parameter_invalid", f"template: must be one of {', '.join(ANSWER_TEMPLATES)}", "template"
        )
    if item.status != "open":
        raise RequestError(409, "inbox_item_closed", "This item is closed; it cannot be answered any more.")
    if item.claim_id is None or item.inbound_message_id is None:
        raise RequestError(409, "no_claim", "This message matched no claim; answer it from your own mailbox.")
    inbound = session.get(models.InboundMessage, (creditor_id, item.inbound_message_id))
    assert inbound is not None  # noqa: S101 - items point at messages of the same creditor
    row = claims.get(session, Tenant(creditor_id, item.livemode), item.claim_id, for_update=True)
    outcome = answers.send_answer(session, row, inbound, template, now, links, channels)
    if outcome.message is None:
        raise RequestError(409, "not_sendable", outcome.problem or "The answer could not be sent.")
    item.reply_message_id = outcome.message.id
    item.updated_at = now
    if close:
        _close(item, actor, now, f"answered: {template}")
    return outcome.message
