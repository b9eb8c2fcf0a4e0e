"""The agent inbox: debtor messages and checks that wait for a person. List, assign, answer from a template
in the debtor's language, close. The work is `paypage.services.inbox`'s; this module parses the forms,
scopes every call to the creditor and mode the user acts for, and records each act in the audit log."""

from __future__ import annotations

from flask import redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from paypage.engine.channel_registry import channels_for
from paypage.extensions import database, links, settings
from paypage.portal import NOTICES, bp, page
from paypage.portal.access import current_livemode, current_tenant, current_user, requires
from paypage.portal.audit_trail import record as audit
from paypage.portal.i18n import _
from paypage.services import inbox as inbox_service
from paypage.services.errors import RequestError
from paypage.store import models

NOTICES.update(
    {
        "inbox_assigned": lambda: _("The item is assigned."),
        "inbox_released": lambda: _("The item is back in the shared inbox."),
        "inbox_answered": lambda: _("The answer was sent and the item closed."),
        "inbox_closed": lambda: _("The item is closed."),
    }
)
VIEWS = ("open", "unassigned", "mine", "closed")
PAGE_SIZE = 25


def _actor() -> str:
    user = current_user()
    return f"user:{user.id}" if user else "user:unknown"


def _names(session: Session, creditor_id: str) -> dict[str, str]:
    """Assignees are user ids; the page shows the colleague's name."""
    query = select(models.PortalUser.id, models.PortalUser.name).where(models.PortalUser.creditor_id == creditor_id)
    return {user_id: name for user_id, name in session.execute(query)}


def template_label(template: str) -> str:
    labels = {
        "question": _("Where to pay: the pay link and bank details"),
        "instalment": _("Instalments are possible: link to choose a plan"),
        "pause": _("Reminders are paused for a while"),
        "already_paid": _("Please upload proof of your payment"),
        "address_change": _("New address received"),
        "received": _("Message received, we will get back to you"),
        "hardship": _("Hardship: a solution together, debt advice"),
        "dispute": _("Objection received, we are checking it"),
    }
    return labels.get(template, template.replace("_", " ").capitalize())


def kind_label(kind: str, intent: str | None) -> str:
    labels = {
        "hardship": _("Hardship"),
        "dispute": _("Dispute"),
        "already_paid": _("Says already paid"),
        "instalment": _("Asks for instalments"),
        "pause": _("Asks for a pause"),
        "address_change": _("New address"),
        "question": _("Question"),
        "other": _("Unclear message"),
    }
    if kind == "verify_payment":
        return _("Payment to verify")
    if kind == "apply_address_change":
        return _("Address change to apply")
    return labels.get(intent or "other", _("Message"))


@bp.get("/inbox")
@requires("read_only")
def inbox() -> Response:
    tenant = current_tenant()
    user = current_user()
    view = request.args.get("view", "open")
    if view not in VIEWS:
        view = "open"
    assignee = {"unassigned": "", "mine": user.id if user else ""}.get(view)
    cursor = request.args.get("cursor") or None
    with database().transaction() as session:
        found = inbox_service.open_items(
            session,
            creditor_id=tenant.creditor_id,
            livemode=tenant.livemode,
            assignee=assignee,
            status="closed" if view == "closed" else "open",
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        names = _names(session, tenant.creditor_id)
    older = url_for("portal.inbox", view=view, cursor=found.next_cursor) if found.next_cursor else None
    return page(
        "portal/inbox/index.html",
        entries=found.entries,
        view=view,
        views=VIEWS,
        names=names,
        older=older,
        kind_label=kind_label,
    )


def _entry(session: Session, item_id: str) -> inbox_service.InboxEntry:
    tenant = current_tenant()
    entry = inbox_service.get_item(session, creditor_id=tenant.creditor_id, item_id=item_id)
    if entry.item.livemode != current_livemode():
        raise NotFound  # the other mode's items are not on this side of the switch
    return entry


def _item_page(item_id: str, status: int = 200, error: str | None = None) -> Response:
    tenant = current_tenant()
    with database().transaction() as session:
        entry = _entry(session, item_id)
        names = _names(session, tenant.creditor_id)
        reply = (
            session.get(models.ContactMessage, (tenant.creditor_id, entry.item.reply_message_id))
            if entry.item.reply_message_id
            else None
        )
    return page(
        "portal/inbox/item.html",
        status,
        entry=entry,
        item=entry.item,
        names=names,
        reply=reply,
        templates=inbox_service.ANSWER_TEMPLATES,
        template_label=template_label,
        kind_label=kind_label,
        error=error,
    )


@bp.get("/inbox/<item_id>")
@requires("read_only")
def inbox_item(item_id: str) -> Response:
    return _item_page(item_id)


@bp.post("/inbox/<item_id>/assign")
@requires("agent")
def inbox_assign(item_id: str) -> Response:
    tenant = current_tenant()
    user = current_user()
    to_me = request.form.get("to") != "pool"
    now = settings().clock()
    try:
        with database().transaction() as session:
            _entry(session, item_id)
            inbox_service.assign(
                session,
                creditor_id=tenant.creditor_id,
                item_id=item_id,
                assignee=user.id if to_me and user else None,
                actor=_actor(),
                now=now,
            )
            audit(
                session,
                creditor_id=tenant.creditor_id,
                actor=_actor(),
                action="inbox.assigned" if to_me else "inbox.released",
                subject=item_id,
                now=now,
            )
    except RequestError as exc:
        if exc.status != 409:
            raise
        return _item_page(item_id, 409, _("This item is closed."))
    notice = "inbox_assigned" if to_me else "inbox_released"
    return redirect(url_for("portal.inbox_item", item_id=item_id, notice=notice), 303)


@bp.post("/inbox/<item_id>/reply")
@requires("agent")
def inbox_reply(item_id: str) -> Response:
    tenant = current_tenant()
    template = request.form.get("template", "")
    if template not in inbox_service.ANSWER_TEMPLATES:
        return _item_page(item_id, 400, _("Choose one of the answers."))
    now = settings().clock()
    try:
        with database().transaction() as session:
            _entry(session, item_id)
            creditor = session.get(models.Creditor, tenant.creditor_id)
            if creditor is None:
                raise NotFound
            channels = channels_for(creditor, tenant.livemode, settings().outbox_file)
            message = inbox_service.reply(
                session,
                creditor_id=tenant.creditor_id,
                item_id=item_id,
                template=template,
                actor=_actor(),
                now=now,
                links=links(),
                channels=channels,
            )
            audit(
                session,
                creditor_id=tenant.creditor_id,
                actor=_actor(),
                action="inbox.answered",
                subject=item_id,
                detail={"template": template, "message": message.id},
                now=now,
            )
    except RequestError as exc:
        if exc.status != 409:
            raise
        reasons = {
            "inbox_item_closed": _("This item is closed."),
            "no_claim": _("This message matched no claim: answer it from your own mailbox."),
        }
        return _item_page(item_id, 409, reasons.get(exc.code, _("The answer could not be sent on any channel.")))
    return redirect(url_for("portal.inbox_item", item_id=item_id, notice="inbox_answered"), 303)


@bp.post("/inbox/<item_id>/close")
@requires("agent")
def inbox_close(item_id: str) -> Response:
    tenant = current_tenant()
    resolution = request.form.get("resolution", "").strip()
    if len(resolution) > 500:
        return _item_page(item_id, 400, _("The note may be at most 500 characters."))
    now = settings().clock()
    with database().transaction() as session:
        _entry(session, item_id)
        inbox_service.close(
            session, creditor_id=tenant.creditor_id, item_id=item_id, actor=_actor(), now=now, resolution=resolution
        )
        audit(session, creditor_id=tenant.creditor_id, actor=_actor(), action="inbox.closed", subject=item_id, now=now)
    return redirect(url_for("portal.inbox_item", item_id=item_id, notice="inbox_closed"), 303)
