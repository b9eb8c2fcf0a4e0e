"""What a creditor's people do to a claim in the portal: pause, resume, resolve a dispute, write off,
agree a plan, correct the debtor's data, send the pay link again.

Each one goes through the state table (`paypage.domain.states`) via `claims.transition`, so it records
the same timeline event, and queues the same webhooks, as the API and the engine do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from inkasso import types as wire
from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.domain.instalments import PlanRuleError, PlanRules, schedule
from paypage.domain.money import Money
from paypage.services import claims, plans
from paypage.services.errors import RequestError
from paypage.services.tenancy import Tenant
from paypage.store import models

RESUMABLE = ("open", "in_collection", "payment_plan")
MAX_PAUSE = dt.timedelta(days=180)
MAX_PLAN_MONTHS = 36


def _resume_target(claim: models.Claim) -> str:
    return claim.resume_state if claim.resume_state in RESUMABLE else "in_collection"


def pause(
    session: Session, tenant: Tenant, claim_id: str, until: dt.date, reason: str, actor: str, now: dt.datetime
) -> claims.Row:
    if until <= now.date():
        raise RequestError(400, "parameter_invalid", "until: the pause must end in the future", "until")
    if until - now.date() > MAX_PAUSE:
        raise RequestError(400, "parameter_invalid", "until: a pause lasts at most 180 days", "until")
    row = claims.get(session, tenant, claim_id, for_update=True)
    claim, _ = row
    previous = claim.state
    claims.transition(session, tenant, row, "paused", now, until=until.isoformat(), reason=reason, by=actor)
    claim.resume_state = previous
    # The engine resumes the claim by itself when this time comes (`dunning.prepare`).
    claim.next_action_at = dt.datetime.combine(until, dt.time(8), tzinfo=dt.UTC)
    return row


def resume(session: Session, tenant: Tenant, claim_id: str, actor: str, now: dt.datetime) -> claims.Row:
    row = claims.get(session, tenant, claim_id, for_update=True)
    claim, _ = row
    if claim.state != "paused":
        raise RequestError(409, "invalid_state", f"a claim in state '{claim.state}' is not paused")
    claims.transition(session, tenant, row, _resume_target(claim), now, event_type="claim.resumed", by=actor)
    claim.resume_state = None
    claim.next_action_at = now
    return row


def _close_dispute_requests(session: Session, claim: models.Claim, status: str) -> None:
    for request in session.scalars(
        select(models.DebtorRequest).where(
            models.DebtorRequest.creditor_id == claim.creditor_id,
            models.DebtorRequest.claim_id == claim.id,
            models.DebtorRequest.kind == "dispute",
            models.DebtorRequest.status == "open",
        )
    ):
        request.status = status


def resolve_dispute(
    session: Session, tenant: Tenant, claim_id: str, outcome: str, note: str, actor: str, now: dt.datetime
) -> claims.Row:
    """`continue`: the claim stands and collection goes on; `cancel`: the debtor was right, the claim is withdrawn."""
    if outcome not in ("continue", "cancel"):
        raise RequestError(400, "parameter_invalid", "outcome: 'continue' or 'cancel'", "outcome")
    row = claims.get(session, tenant, claim_id, for_update=True)
    claim, _ = row
    if claim.state != "disputed":
        raise RequestError(409, "invalid_state", f"a claim in state '{claim.state}' has no open dispute")
    if outcome == "cancel":
        claim.cancellation_reason = note or "dispute upheld"
        _close_dispute_requests(session, claim, "upheld")
        claims.transition(session, tenant, row, "cancelled", now, reason=claim.cancellation_reason, by=actor)
        return row
    _close_dispute_requests(session, claim, "rejected")
    claims.transition(
        session, tenant, row, _resume_target(claim), now, event_type="claim.dispute_resolved", note=note, by=actor
    )
    claim.resume_state = None
    claim.next_action_at = now
    return row


def _cancel_active_plan(session: Session, claim: models.Claim, now: dt.datetime) -> None:
    active = plans.active_plan(session, claim)
    if active is not None:
        active.status = "cancelled"
        active.updated_at = now


def cancel(session: Session, tenant: Tenant, claim_id: str, reason: str, actor: str, now: dt.datetime) -> claims.Row:
    if not reason.strip():
        raise RequestError(400, "parameter_invalid", "reason: say why the claim is withdrawn", "reason")
    row = claims.get(session, tenant, claim_id, for_update=True)
    row[0].cancellation_reason = reason.strip()[:500]
    claims.transition(session, tenant, row, "cancelled", now, reason=row[0].cancellation_reason, by=actor)
    _cancel_active_plan(session, row[0], now)
    return row


def write_off(session: Session, tenant: Tenant, claim_id: str, reason: str, actor: str, now: dt.datetime) -> claims.Row:
    if not reason.strip():
        raise RequestError(400, "parameter_invalid", "reason: say why the claim is written off", "reason")
    row = claims.get(session, tenant, claim_id, for_update=True)
    claim, _ = row
    claims.transition(
        session,
        tenant,
        row,
        "written_off",
        now,
        reason=reason.strip()[:500],
        amount=claims.outstanding(claim),
        by=actor,
    )
    _cancel_active_plan(session, claim, now)
    return row


def agree_plan(
    session: Session,
    tenant: Tenant,
    claim_id: str,
    months: int,
    first_due: dt.date,
    actor: str,
    now: dt.datetime,
) -> models.PaymentPlan:
    """A plan agreed with the debtor outside the pay page (on the phone, by letter). The creditor may go
    beyond the country's self-service limits; the instalments still sum exactly to what is owed."""
    if not 2 <= months <= MAX_PLAN_MONTHS:
        raise RequestError(400, "parameter_invalid", f"months: between 2 and {MAX_PLAN_MONTHS}", "months")
    if first_due < now.date():
        raise RequestError(
            400, "parameter_invalid", "first_due: the first instalment cannot be in the past", "first_due"
        )
    row = claims.get(session, tenant, claim_id, for_update=True)
    claim, _ = row
    if plans.active_plan(session, claim) is not None:
        raise RequestError(409, "plan_exists", "the claim has an active payment plan already")
    total = Money(claims.outstanding(claim), claim.currency)
    try:
        instalments = schedule(total, months, first_due, PlanRules(min_instalment=1, max_months=MAX_PLAN_MONTHS))
    except PlanRuleError as exc:
        raise RequestError(400, "parameter_invalid", f"months: {exc}", "months") from None
    return plans.create(session, tenant, row, instalments, "manual", now)


def correct_debtor(
    session: Session, tenant: Tenant, claim_id: str, changes: dict[str, Any], now: dt.datetime
) -> claims.Row:
    """Validated by the API's own model, so the portal accepts exactly what `PATCH /v1/claims/{id}` does."""
    params = wire.ClaimUpdateParams.model_validate({"debtor": changes})
    return claims.update(session, tenant, claim_id, params, now)


def resend_pay_link(session: Session, tenant: Tenant, claim_id: str, actor: str, now: dt.datetime) -> claims.Row:
    """Ask the engine to contact the debtor now with the pay link (its next step, at once).

    The engine keeps quiet hours and contact caps, so "now" means the next moment it may contact.
    """
    row = claims.get(session, tenant, claim_id, for_update=True)
    claim, _ = row
    if claim.state not in ("open", "in_collection"):
        raise RequestError(409, "invalid_state", f"a claim in state '{claim.state}' is not being collected")
    claim.next_action_at = now
    claim.updated_at = now
    return row
