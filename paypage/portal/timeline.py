"""A claim's whole story in one list: events, messages and contact attempts, payments, the debtor's
requests, plans, and the explanations of the decisions the engine took."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.portal.i18n import _
from paypage.services.tenancy import Tenant
from paypage.store import models

EVENT_TITLES: dict[str, Callable[[], str]] = {
    "claim.created": lambda: _("Claim handed over"),
    "claim.updated": lambda: _("Claim data changed"),
    "claim.contacted": lambda: _("Debtor contacted"),
    "claim.viewed": lambda: _("Debtor opened the pay page"),
    "claim.payment_succeeded": lambda: _("Payment received"),
    "claim.payment_failed": lambda: _("Payment failed"),
    "claim.payment_refunded": lambda: _("Payment refunded"),
    "claim.paid": lambda: _("Claim paid in full"),
    "claim.plan_created": lambda: _("Payment plan agreed"),
    "claim.plan_instalment_missed": lambda: _("Instalment missed"),
    "claim.plan_defaulted": lambda: _("Payment plan failed"),
    "claim.paused": lambda: _("Collection paused"),
    "claim.resumed": lambda: _("Collection resumed"),
    "claim.disputed": lambda: _("Debtor disputes the claim"),
    "claim.dispute_resolved": lambda: _("Dispute resolved"),
    "claim.cancelled": lambda: _("Claim cancelled"),
    "claim.escalated": lambda: _("Claim escalated"),
    "claim.written_off": lambda: _("Claim written off"),
    "debtor.message_received": lambda: _("Message from the debtor"),
}

# Events whose story a richer entry tells already (the message itself, the payment itself).
_SHOWN_ELSEWHERE = frozenset({"claim.contacted", "claim.payment_succeeded", "claim.payment_failed"})


@dataclass
class Entry:
    at: dt.datetime
    kind: str
    """event, message, payment, request, plan, decision."""
    title: str
    details: list[tuple[str, str]] = field(default_factory=list)
    body: str | None = None
    html_message_id: str | None = None
    sort_key: str = ""


def _event_details(event: models.Event, people: dict[str, str]) -> list[tuple[str, str]]:
    data = event.data
    found: list[tuple[str, str]] = []
    if data.get("previous_state"):
        found.append((_("Previous state"), str(data["previous_state"])))
    for key, label in (("reason", _("Reason")), ("until", _("Until")), ("note", _("Note"))):
        if data.get(key):
            found.append((label, str(data[key])))
    if data.get("by"):
        actor = str(data["by"])
        found.append((_("By"), people.get(actor.removeprefix("user:"), actor)))
    if data.get("changed"):
        found.append((_("Changed"), ", ".join(str(item) for item in data["changed"])))
    return found


def decisions_for(session: Session, tenant: Tenant, claim_id: str) -> list[Any]:
    """The engine's decisions with their explanations, when the decisions module is part of this build."""
    try:
        module = importlib.import_module("paypage.decisions.log")
    except ModuleNotFoundError:
        return []
    finder = getattr(module, "decisions_for_claim", None)
    if finder is None:
        return []
    return list(finder(session, creditor_id=tenant.creditor_id, claim_id=claim_id))


def build(
    session: Session,
    tenant: Tenant,
    claim: models.Claim,
    money: Callable[[int, str], str],
    people: dict[str, str] | None = None,
) -> list[Entry]:
    """`people`: user id -> name, to say who acted instead of showing an id."""
    creditor_id = tenant.creditor_id
    people = people or {}
    entries: list[Entry] = []
    for event in session.scalars(
        select(models.Event).where(
            models.Event.creditor_id == creditor_id,
            models.Event.livemode == tenant.livemode,
            models.Event.claim_id == claim.id,
        )
    ):
        if event.type in _SHOWN_ELSEWHERE:
            continue
        named = EVENT_TITLES.get(event.type)
        title = named() if named else event.type
        entries.append(Entry(event.created_at, "event", title, _event_details(event, people), sort_key=event.id))
    for message in session.scalars(
        select(models.ContactMessage).where(
            models.ContactMessage.creditor_id == creditor_id, models.ContactMessage.claim_id == claim.id
        )
    ):
        details = [
            (_("Channel"), message.channel),
            (_("Status"), message.status),
            (_("To"), message.recipient),
            (_("Tone"), message.tone),
            (_("Language"), message.language),
        ]
        if message.subject:
            details.insert(0, (_("Subject"), message.subject))
        if message.detail:
            details.append((_("Detail"), message.detail))
        entries.append(
            Entry(
                message.sent_at or message.created_at,
                "message",
                _("Message sent") if message.status in ("sent", "delivered") else _("Contact attempt"),
                details,
                body=message.body_text,
                html_message_id=message.id if message.body_html else None,
                sort_key=message.id,
            )
        )
    for payment in session.scalars(
        select(models.Payment).where(models.Payment.creditor_id == creditor_id, models.Payment.claim_id == claim.id)
    ):
        title = {
            "succeeded": _("Payment received"),
            "failed": _("Payment failed"),
            "pending": _("Payment started"),
            "refunded": _("Payment refunded"),
            "abandoned": _("Payment abandoned"),
        }.get(payment.status, payment.status)
        details = [(_("Amount"), money(payment.amount, payment.currency)), (_("Provider"), payment.provider)]
        if payment.method:
            details.append((_("Method"), payment.method))
        if payment.failure_reason:
            details.append((_("Reason"), payment.failure_reason))
        entries.append(
            Entry(payment.succeeded_at or payment.created_at, "payment", title, details, sort_key=payment.id)
        )
    for request in session.scalars(
        select(models.DebtorRequest).where(
            models.DebtorRequest.creditor_id == creditor_id, models.DebtorRequest.claim_id == claim.id
        )
    ):
        title = {
            "already_paid": _("Debtor says it is paid already"),
            "pause": _("Debtor asked for a pause"),
            "dispute": _("Debtor disputes the claim"),
            "contact": _("Debtor wrote a message"),
        }.get(request.kind, request.kind)
        details = [(_("Status"), request.status)]
        for key, value in sorted(request.data.items()):
            if key == "amount" and isinstance(value, int):
                value = money(value, str(request.data.get("currency", claim.currency)))
            if key != "currency" and value not in (None, ""):
                details.append((key.replace("_", " ").capitalize(), str(value)))
        entries.append(Entry(request.created_at, "request", title, details, sort_key=request.id))
    for plan in session.scalars(
        select(models.PaymentPlan).where(
            models.PaymentPlan.creditor_id == creditor_id, models.PaymentPlan.claim_id == claim.id
        )
    ):
        details = [(_("Status"), plan.status), (_("Total"), money(plan.total, plan.currency))]
        for item in plan.schedule:
            details.append(
                (
                    _("Instalment %(number)s", number=item["number"]),
                    f"{item['due_date']} · {money(int(item['amount']), plan.currency)} · {item.get('status', '')}",
                )
            )
        entries.append(Entry(plan.created_at, "plan", _("Payment plan"), details, sort_key=plan.id))
    for decision in decisions_for(session, tenant, claim.id):
        choice = getattr(decision, "choice", None)
        details = []
        if choice is not None:
            for name in ("channel", "hour", "tone"):
                value = getattr(choice, name, None) if not isinstance(choice, dict) else choice.get(name)
                if value is not None:
                    details.append((name.capitalize(), str(value)))
        entries.append(
            Entry(
                decision.created_at,
                "decision",
                _("Decision"),
                details,
                body=str(decision.explanation),
                sort_key=str(getattr(decision, "id", "")),
            )
        )
    entries.sort(key=lambda entry: (entry.at, entry.sort_key))
    return entries
