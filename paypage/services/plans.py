"""Instalment plans chosen on the pay page: rules per country and creditor, storage, the first payment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from paypage.domain.countries import Country
from paypage.domain.ids import new_id
from paypage.domain.instalments import Instalment, PlanRules, schedule
from paypage.domain.money import Money
from paypage.services import claims, events
from paypage.services.tenancy import Tenant
from paypage.store import models


def rules_for(country: Country, creditor_settings: dict[str, Any]) -> PlanRules:
    """The country's rules, narrowed (never widened) by the creditor's own."""
    own = creditor_settings.get("instalments", {})
    minimum = max(country.instalments.min_instalment, int(own.get("min_instalment", 0)))
    months = min(country.instalments.max_months, int(own.get("max_months", country.instalments.max_months)))
    if not country.instalments.allowed or own.get("allowed") is False:
        months = 0
    return PlanRules(min_instalment=minimum, max_months=months)


def create(
    session: Session,
    tenant: Tenant,
    row: claims.Row,
    plan: list[Instalment],
    method: str,
    now: dt.datetime,
) -> models.PaymentPlan:
    claim, _ = row
    record = models.PaymentPlan(
        creditor_id=tenant.creditor_id,
        id=new_id("pln", now),
        claim_id=claim.id,
        status="active",
        currency=claim.currency,
        total=sum(item.amount.amount for item in plan),
        schedule=[
            {"number": i.number, "due_date": i.due_date.isoformat(), "amount": i.amount.amount, "status": "due"}
            for i in plan
        ],
        method=method,
        created_at=now,
        updated_at=now,
    )
    session.add(record)
    session.flush()
    summary = plan_summary(record)
    claims.transition(session, tenant, row, "payment_plan", now)
    claim.next_action_at = now  # the plan monitor takes over from the collection strategy
    events.record(session, tenant, "claim.plan_created", now, claim.id, {**claims.snapshot(row), "plan": summary})
    return record


def plan_summary(plan: models.PaymentPlan) -> dict[str, Any]:
    """The plan as events carry it (`PlanSummary` on the wire)."""
    first = plan.schedule[0]["amount"] if plan.schedule else 0
    return {"id": plan.id, "instalments": len(plan.schedule), "instalment_amount": first, "currency": plan.currency}


def active_plan(session: Session, claim: models.Claim) -> models.PaymentPlan | None:
    from sqlalchemy import select

    return session.scalars(
        select(models.PaymentPlan).where(
            models.PaymentPlan.creditor_id == claim.creditor_id,
            models.PaymentPlan.claim_id == claim.id,
            models.PaymentPlan.status == "active",
        )
    ).first()


def preview(total: Money, months: int, today: dt.date, rules: PlanRules) -> list[Instalment]:
    return schedule(total, months, today, rules)
