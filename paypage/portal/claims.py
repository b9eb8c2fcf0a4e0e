"""The claims list, the claim page with its timeline, and what agents and owners can do to a claim."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import abort, g, make_response, request, url_for
from pydantic import ValidationError
from sqlalchemy import select
from werkzeug.wrappers import Response

from paypage.domain.states import STATES, TRANSITIONS
from paypage.extensions import database, links, settings
from paypage.portal import NOTICES, bp, display, page, timeline
from paypage.portal.access import current_tenant, current_user, requires
from paypage.portal.audit_trail import record as audit
from paypage.portal.claim_search import PAGE_SIZE, parse, query
from paypage.portal.i18n import _
from paypage.services import claim_actions, claims, plans, portal_users
from paypage.services.errors import RequestError
from paypage.store import models

NOTICES.update(
    {
        "paused": lambda: _("Collection is paused."),
        "resumed": lambda: _("Collection is resumed."),
        "cancelled": lambda: _("The claim is cancelled."),
        "dispute_resolved": lambda: _("The dispute is resolved."),
        "written_off": lambda: _("The claim is written off."),
        "plan_agreed": lambda: _("The payment plan is agreed."),
        "debtor_corrected": lambda: _("The debtor's data is corrected."),
        "link_resent": lambda: _("The debtor will be contacted with the pay link at the next allowed time."),
    }
)


def _now() -> dt.datetime:
    return settings().clock()


def _actor() -> str:
    user = current_user()
    return f"user:{user.id}" if user else "anonymous"


@bp.route("/claims")
@requires("read_only")
def claims_list() -> Response:
    search, errors = parse(request.args)
    tenant = current_tenant()
    rows: list[tuple[models.Claim, models.Debtor]] = []
    more = False
    if not errors:
        with database().transaction() as session:
            found = session.execute(query(tenant, search, _now().date())).all()
        rows = [(claim, debtor) for claim, debtor in found[:PAGE_SIZE]]
        more = len(found) > PAGE_SIZE
    values: dict[str, Any] = {key: value for key, value in request.args.items() if key != "before" and value}
    older = url_for("portal.claims_list", **values, before=rows[-1][0].id) if more and rows else None
    first = url_for("portal.claims_list", **values) if search.before else None
    status = 400 if errors else 200
    return page(
        "portal/claims.html",
        status,
        rows=rows,
        search=search,
        errors=errors,
        states=sorted(STATES, key=lambda code: list(display.STATE_NAMES).index(code)),
        older_url=older,
        first_url=first,
        outstanding=claims.outstanding,
    )


def _claim_page(claim_id: str, status: int = 200, error: str | None = None, form: str | None = None) -> Response:
    tenant = current_tenant()
    with database().transaction() as session:
        claim, debtor = claims.get(session, tenant, claim_id)
        people = {user.id: user.name for user in portal_users.users_of(session, tenant.creditor_id)}
        entries = timeline.build(session, tenant, claim, display.minor, people)
        active_plan = plans.active_plan(session, claim)
        open_requests = list(
            session.scalars(
                select(models.DebtorRequest).where(
                    models.DebtorRequest.creditor_id == tenant.creditor_id,
                    models.DebtorRequest.claim_id == claim.id,
                    models.DebtorRequest.status == "open",
                )
            )
        )
    allowed = TRANSITIONS.get(claim.state, frozenset())
    actions = {
        "pause": "paused" in allowed,
        "resume": claim.state == "paused",
        "resolve_dispute": claim.state == "disputed",
        "cancel": "cancelled" in allowed,
        "write_off": "written_off" in allowed,
        "plan": "payment_plan" in allowed and active_plan is None and claims.outstanding(claim) > 1,
        "resend": claim.state in ("open", "in_collection"),
        "correct": claim.state not in ("paid", "cancelled", "written_off", "escalated"),
    }
    return page(
        "portal/claim.html",
        status,
        claim=claim,
        debtor=debtor,
        entries=entries,
        outstanding=claims.outstanding(claim),
        pay_url=links().url(claim),
        actions=actions,
        open_requests=open_requests,
        error=error,
        form=form,
        today=_now().date(),
    )


@bp.route("/claims/<claim_id>")
@requires("read_only")
def claim(claim_id: str) -> Response:
    try:
        return _claim_page(claim_id)
    except RequestError as missing:
        if missing.status == 404:
            abort(404)
        raise


@bp.route("/claims/<claim_id>/messages/<message_id>")
@requires("read_only")
def claim_message(claim_id: str, message_id: str) -> Response:
    """An e-mail's HTML body for the sandboxed frame of the claim page (no scripts, no same origin)."""
    tenant = current_tenant()
    with database().transaction() as session:
        claims.get(session, tenant, claim_id)
        message = session.get(models.ContactMessage, (tenant.creditor_id, message_id))
    if message is None or message.claim_id != claim_id or message.livemode != tenant.livemode or not message.body_html:
        abort(404)
    g.frame_ancestors = ["'self'"]
    response = make_response(message.body_html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


def _act(
    claim_id: str, form: str, notice: str, action: str, work: Callable[[Any, claims.Row | None], object]
) -> Response:
    """Run one action in a transaction with its audit record; on refusal show the claim page with the reason."""
    tenant = current_tenant()
    now = _now()
    try:
        with database().transaction() as session:
            claims.get(session, tenant, claim_id)  # 404 before anything else for another creditor's claim
            work(session, None)
            audit(
                session,
                creditor_id=tenant.creditor_id,
                actor=_actor(),
                action=action,
                subject=claim_id,
                detail={"livemode": tenant.livemode},
                now=now,
            )
    except RequestError as refused:
        if refused.status == 404:
            abort(404)
        return _claim_page(claim_id, refused.status, _explain(refused), form)
    except ValidationError as invalid:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'][1:])}: {item['msg']}" for item in invalid.errors()
        )
        return _claim_page(claim_id, 400, _("Please check the debtor's data: %(problems)s", problems=problems), form)
    return Response(status=303, headers={"Location": url_for("portal.claim", claim_id=claim_id, notice=notice)})


def _explain(refused: RequestError) -> str:
    if refused.code == "invalid_state":
        return _("This is not possible in the claim's current state.")
    if refused.code == "plan_exists":
        return _("The claim has an active payment plan already.")
    messages = {
        "until": _("Choose an end date in the future, at most 180 days ahead."),
        "reason": _("Please give a reason."),
        "months": _("Choose between 2 and 36 instalments; each must be at least one cent."),
        "first_due": _("The first instalment cannot be in the past."),
        "outcome": _("Choose how the dispute ends."),
    }
    return messages.get(refused.param or "", refused.message)


def _date_field(name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(request.form.get(name, ""))
    except ValueError:
        raise RequestError(400, "parameter_invalid", f"{name}: a date such as 2026-12-31", name) from None


def _int_field(name: str) -> int:
    raw = request.form.get(name, "").strip()
    if not raw.isdigit():
        raise RequestError(400, "parameter_invalid", f"{name}: a whole number", name)
    return int(raw)


@bp.route("/claims/<claim_id>/pause", methods=["POST"])
@requires("agent")
def pause_claim(claim_id: str) -> Response:
    def work(session: Any, _row: object) -> object:
        until = _date_field("until")
        return claim_actions.pause(
            session, current_tenant(), claim_id, until, request.form.get("reason", "")[:500], _actor(), _now()
        )

    return _act(claim_id, "pause", "paused", "claim.paused", work)


@bp.route("/claims/<claim_id>/resume", methods=["POST"])
@requires("agent")
def resume_claim(claim_id: str) -> Response:
    def work(session: Any, _row: object) -> object:
        return claim_actions.resume(session, current_tenant(), claim_id, _actor(), _now())

    return _act(claim_id, "resume", "resumed", "claim.resumed", work)


@bp.route("/claims/<claim_id>/resolve-dispute", methods=["POST"])
@requires("agent")
def resolve_dispute(claim_id: str) -> Response:
    def work(session: Any, _row: object) -> object:
        return claim_actions.resolve_dispute(
            session,
            current_tenant(),
            claim_id,
            request.form.get("outcome", ""),
            request.form.get("note", "")[:500],
            _actor(),
            _now(),
        )

    return _act(claim_id, "resolve_dispute", "dispute_resolved", "claim.dispute_resolved", work)


@bp.route("/claims/<claim_id>/cancel", methods=["POST"])
@requires("owner")
def cancel_claim(claim_id: str) -> Response:
    def work(session: Any, _row: object) -> object:
        return claim_actions.cancel(
            session, current_tenant(), claim_id, request.form.get("reason", ""), _actor(), _now()
        )

    return _act(claim_id, "cancel", "cancelled", "claim.cancelled", work)


@bp.route("/claims/<claim_id>/write-off", methods=["POST"])
@requires("owner")
def write_off_claim(claim_id: str) -> Response:
    def work(session: Any, _row: object) -> object:
        return claim_actions.write_off(
            session, current_tenant(), claim_id, request.form.get("reason", ""), _actor(), _now()
        )

    return _act(claim_id, "write_off", "written_off", "claim.written_off", work)


@bp.route("/claims/<claim_id>/plan", methods=["POST"])
@requires("agent")
def agree_plan(claim_id: str) -> Response:
    def work(session: Any, _row: object) -> object:
        return claim_actions.agree_plan(
            session, current_tenant(), claim_id, _int_field("months"), _date_field("first_due"), _actor(), _now()
        )

    return _act(claim_id, "plan", "plan_agreed", "claim.plan_agreed", work)


@bp.route("/claims/<claim_id>/debtor", methods=["POST"])
@requires("agent")
def correct_debtor(claim_id: str) -> Response:
    def work(session: Any, _row: object) -> object:
        changes: dict[str, Any] = {}
        for name in ("name", "email", "phone", "language"):
            if name in request.form:
                value = request.form[name].strip()
                changes[name] = value or None
        return claim_actions.correct_debtor(session, current_tenant(), claim_id, changes, _now())

    return _act(claim_id, "correct", "debtor_corrected", "claim.debtor_corrected", work)


@bp.route("/claims/<claim_id>/resend-link", methods=["POST"])
@requires("agent")
def resend_link(claim_id: str) -> Response:
    def work(session: Any, _row: object) -> object:
        return claim_actions.resend_pay_link(session, current_tenant(), claim_id, _actor(), _now())

    return _act(claim_id, "resend", "link_resent", "claim.pay_link_resent", work)
