"""Watching instalment plans: charge each instalment on its due date where a mandate or stored method
allows it, remind the debtor when one is missed, and end the plan when it stays unpaid.

    due date            charge the stored method (SEPA mandate, card) if the plan has one
    due + 3 days        unpaid: `claim.plan_instalment_missed` and a friendly reminder
    due + 14 days       still unpaid: `claim.plan_defaulted`; collection resumes on what is left
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session

from paypage.domain.countries import Country
from paypage.domain.money import Money
from paypage.domain.strategies import Step
from paypage.engine.channels.protocol import Channel
from paypage.payments.protocol import ProviderError
from paypage.payments.registry import provider_for, provider_name
from paypage.services import claims, events, payments, plans
from paypage.services.tenancy import Tenant
from paypage.store import models

log = logging.getLogger(__name__)

REMIND_AFTER = dt.timedelta(days=3)
DEFAULT_AFTER = dt.timedelta(days=14)
CHECK_HOUR = dt.time(7, 0)

MISSED_REMINDER = Step(
    key="plan_reminder",
    day=0,
    channels=("email", "sms", "letter"),
    template="notice",
    tone="friendly",
    stage="collection",
)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, CHECK_HOUR, dt.UTC)


def check(
    session: Session,
    tenant: Tenant,
    row: claims.Row,
    creditor: models.Creditor,
    country: Country,
    now: dt.datetime,
    links: claims.LinkMaker,
    channels: dict[str, Channel],
) -> Any:
    """Act on the plan's next open instalment; returns a prepared reminder message, or None."""
    from paypage.engine import dunning

    claim, _ = row
    plan = plans.active_plan(session, claim)
    if plan is None:
        claims.transition(session, tenant, row, "in_collection", now)
        claim.next_action_at = now
        return None
    today = now.date()
    schedule = [dict(item) for item in plan.schedule]
    open_items = [item for item in schedule if item["status"] != "paid"]
    if not open_items:
        plan.status = "completed"
        claim.next_action_at = None
        return None
    item = open_items[0]
    due = dt.date.fromisoformat(item["due_date"])
    prepared = None
    if today < due:
        claim.next_action_at = _at(due)
    elif plan.recurring_token and not item.get("charge_payment_id"):
        item["charge_payment_id"] = _charge(session, row, creditor, plan, item, now)
        claim.next_action_at = _at(due + REMIND_AFTER)
    elif today >= due + DEFAULT_AFTER:
        _default(session, tenant, row, plan, int(item["number"]), now)
    elif today >= due + REMIND_AFTER and item["status"] != "missed":
        item["status"] = "missed"
        data = {**claims.snapshot(row), "plan": plans.plan_summary(plan), "instalment_number": item["number"]}
        events.record(session, tenant, "claim.plan_instalment_missed", now, claim.id, data)
        step = MISSED_REMINDER.model_copy(update={"key": f"plan_{plan.id[-8:]}_{item['number']}"})
        sent = {m.channel: m for m in dunning._messages(session, claim) if m.step_key == step.key}
        channel = dunning.pick_channel(step, row[1], channels, sent)
        if channel is not None:
            prepared = dunning.record_message(
                session, row, creditor, country, step, channel, sent.get(channel), now, links, strategy_step=False
            )
        claim.next_action_at = _at(due + DEFAULT_AFTER)
    else:
        claim.next_action_at = _at(due + (DEFAULT_AFTER if item["status"] == "missed" else REMIND_AFTER))
    plan.schedule = schedule  # a new list: JSON columns are not change-tracked in place
    plan.updated_at = now
    return prepared


def _charge(
    session: Session,
    row: claims.Row,
    creditor: models.Creditor,
    plan: models.PaymentPlan,
    item: dict[str, Any],
    now: dt.datetime,
) -> str | None:
    amount = Money(int(item["amount"]), plan.currency)
    payment = payments.start(
        session,
        row,
        provider_name(creditor),
        plan.method,
        amount,
        now,
        plan_id=plan.id,
        instalment_number=int(item["number"]),
    )
    try:
        charge = provider_for(creditor).charge_recurring(
            plan.recurring_token or "", amount, payment.id, f"{creditor.name} {row[0].external_reference}"
        )
    except ProviderError:
        log.warning("instalment charge for plan %s could not be started", plan.id)
        payment.status = "failed"
        return payment.id
    payment.provider_payment_id = charge.provider_payment_id
    if charge.status == "failed":
        payment.status = "failed"
        payment.failure_reason = charge.failure_reason
    return payment.id


def _default(
    session: Session, tenant: Tenant, row: claims.Row, plan: models.PaymentPlan, number: int, now: dt.datetime
) -> None:
    claim, _ = row
    plan.status = "defaulted"
    data = {**claims.snapshot(row), "plan": plans.plan_summary(plan), "instalment_number": number}
    events.record(session, tenant, "claim.plan_defaulted", now, claim.id, data)
    claims.transition(session, tenant, row, "in_collection", now)
    claim.next_action_at = now  # collection resumes where the strategy stood, on what is left
