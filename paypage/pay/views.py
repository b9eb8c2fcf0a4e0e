"""The pay page's views: show the claim, start a payment, choose instalments, send a request."""

from __future__ import annotations

import datetime as dt
import logging
from typing import cast

from flask import Response, g, make_response, redirect, render_template, request, url_for
from inkasso.types import DebtorType
from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage import i18n
from paypage.domain.countries import Method, methods_for
from paypage.domain.instalments import PlanRuleError, max_months, next_business_day
from paypage.domain.money import Money
from paypage.engine.charges import accrue_interest
from paypage.extensions import database, settings
from paypage.pay import bp
from paypage.pay.bank import bank_details
from paypage.pay.context import LANGUAGE_COOKIE, PayContext, load
from paypage.pay.csrf import check_csrf
from paypage.pay.forms import FormErrors, parse_amount, parse_date, required_text
from paypage.payments.protocol import Checkout, CheckoutRequest, PaymentProvider, ProviderError
from paypage.payments.registry import provider_for, provider_name
from paypage.services import claims, debtor_requests, events, payments, plans
from paypage.store import models

log = logging.getLogger(__name__)

VIEWED_EVERY = dt.timedelta(hours=24)
_REQUEST_KINDS = ("already-paid", "pause", "dispute", "contact")


def _render(ctx: PayContext, template: str, status: int = 200, **values: object) -> Response:
    embed = request.args.get("embed") == "1"
    if embed:
        g.frame_ancestors = [str(origin) for origin in ctx.settings.get("embed_origins", [])]
    response = make_response(
        render_template(
            template,
            ctx=ctx,
            claim=ctx.view,
            language=ctx.language,
            languages=i18n.LANGUAGE_NAMES,
            embed=embed,
            **values,
        ),
        status,
    )
    if request.args.get("lang") and i18n.normalise(request.args["lang"]):
        response.set_cookie(
            LANGUAGE_COOKIE, ctx.language, max_age=365 * 86400, samesite="Lax", httponly=True, secure=request.is_secure
        )
    return response


def _methods(ctx: PayContext) -> list[Method]:
    """What the debtor can pay with online: country, currency, debtor type, the creditor's choice and
    what the creditor's provider supports. Bank transfer has its own box on the page."""
    allowed = ctx.settings.get("methods")
    provider = provider_name(ctx.creditor)
    offered = methods_for(
        ctx.country, ctx.claim.currency, cast(DebtorType, ctx.debtor.type), set(allowed) if allowed else None
    )
    return [
        method
        for method in offered
        if method.kind != "bank_transfer" and (provider == "sandbox" or getattr(method, provider) is not None)
    ]


def _record_view(session: Session, ctx: PayContext, now: dt.datetime) -> None:
    """One `claim.viewed` a day is enough for the timeline and the creditor."""
    last = session.scalars(
        select(models.Event.created_at)
        .where(
            models.Event.creditor_id == ctx.claim.creditor_id,
            models.Event.claim_id == ctx.claim.id,
            models.Event.type == "claim.viewed",
        )
        .order_by(models.Event.id.desc())
        .limit(1)
    ).first()
    if last is None or now - last > VIEWED_EVERY:
        events.record(session, ctx.tenant, "claim.viewed", now, ctx.claim.id, claims.snapshot(ctx.row))


@bp.get("/<token>")
def show(token: str) -> Response:
    now = settings().clock()
    with database().transaction() as session:
        ctx = load(session, token, now, for_update=True)
        if ctx.claim.state == "paid":
            return _render(ctx, "pay/paid.html")
        if ctx.claim.state in ("open", "in_collection", "paused", "disputed"):
            # Interest accrues by the day; the debtor sees today's amount, not the last reminder's.
            accrue_interest(ctx.claim, ctx.country, now.date())
            ctx.view = claims.render(ctx.row, None)
        _record_view(session, ctx, now)
        plan = plans.active_plan(session, ctx.claim)
        rules = plans.rules_for(ctx.country, ctx.settings)
        return _render(
            ctx,
            "pay/page.html",
            methods=_methods(ctx),
            bank=bank_details(ctx),
            plan=plan,
            plan_months=max_months(ctx.outstanding, rules),
            today=now.astimezone(dt.UTC).date(),
        )


@bp.post("/<token>/pay")
def pay(token: str) -> Response:
    check_csrf()
    now = settings().clock()
    with database().transaction() as session:
        ctx = load(session, token, now, for_update=True)
        if ctx.claim.state in ("paid",) or ctx.outstanding.amount <= 0:
            return redirect(url_for("pay.show", token=token), code=303)  # type: ignore[return-value]
        chosen = request.form.get("method", "")
        method = next((m for m in _methods(ctx) if m.id == chosen), None)
        if method is None:
            return redirect(url_for("pay.show", token=token), code=303)  # type: ignore[return-value]
        amount = ctx.outstanding
        instalment = None
        plan = plans.active_plan(session, ctx.claim)
        if plan is not None:
            instalment = next((i for i in plan.schedule if i["status"] == "due"), None)
            if instalment is not None:
                amount = Money(int(instalment["amount"]), ctx.claim.currency)
        provider = provider_for(ctx.creditor)
        payment = payments.start(
            session,
            ctx.row,
            provider_name(ctx.creditor),
            method.id,
            amount,
            now,
            plan_id=plan.id if plan else None,
            instalment_number=int(instalment["number"]) if instalment else None,
        )
        checkout = _checkout(ctx, provider, payment, method, amount, recurring=False)
        payment.provider_reference = checkout.provider_reference
    return redirect(checkout.redirect_url, code=303)  # type: ignore[return-value]


def _checkout(
    ctx: PayContext, provider: PaymentProvider, payment: models.Payment, method: Method, amount: Money, recurring: bool
) -> Checkout:
    base = settings().public_url.rstrip("/")
    request_ = CheckoutRequest(
        payment_id=payment.id,
        amount=amount,
        method=method.id,
        provider_method=getattr(method, provider_name(ctx.creditor), None) or method.id,
        country=ctx.debtor.country,
        locale=ctx.locale,
        description=f"{ctx.creditor.name} {ctx.claim.external_reference}",
        return_url=f"{base}{url_for('pay.returned', token=ctx.token, payment=payment.id)}",
        cancel_url=f"{base}{url_for('pay.show', token=ctx.token)}",
        customer_email=ctx.debtor.email,
        customer_name=ctx.debtor.name,
        setup_recurring=recurring,
    )
    try:
        return provider.create_checkout(request_)
    except ProviderError:
        log.warning("checkout could not be created for payment %s", payment.id)
        raise


@bp.get("/<token>/return")
def returned(token: str) -> Response:
    """Where the provider sends the debtor back: the webhook, not this visit, books the payment."""
    now = settings().clock()
    with database().transaction() as session:
        ctx = load(session, token, now)
        payment = session.get(models.Payment, (ctx.claim.creditor_id, request.args.get("payment", "")))
        if payment is None or payment.claim_id != ctx.claim.id:
            return redirect(url_for("pay.show", token=token), code=303)  # type: ignore[return-value]
        return _render(ctx, "pay/returned.html", payment=payment, amount=ctx.money(payment.amount))


@bp.route("/<token>/plan", methods=["GET", "POST"])
def plan(token: str) -> Response:
    now = settings().clock()
    today = now.date()
    with database().transaction() as session:
        ctx = load(session, token, now, for_update=request.method == "POST")
        if ctx.claim.state not in ("open", "in_collection"):
            return redirect(url_for("pay.show", token=token), code=303)  # type: ignore[return-value]
        rules = plans.rules_for(ctx.country, ctx.settings)
        limit = max_months(ctx.outstanding, rules)
        recurring = [m for m in _methods(ctx) if m.recurring]
        source = request.form if request.method == "POST" else request.args
        errors = FormErrors()
        months = _months(source.get("months"), limit, errors)
        first_due = next_business_day(today)
        schedule = []
        if months and not errors:
            try:
                schedule = plans.preview(ctx.outstanding, months, first_due, rules)
            except PlanRuleError:
                errors.add("months", "months")
        if request.method == "POST":
            check_csrf()
            chosen = next((m for m in recurring if m.id == request.form.get("method")), None)
            if chosen is None:
                errors.add("method", "required")
            if not errors and schedule and chosen is not None:
                record = plans.create(session, ctx.tenant, ctx.row, schedule, chosen.id, now)
                first = schedule[0]
                provider = provider_for(ctx.creditor)
                payment = payments.start(
                    session,
                    ctx.row,
                    provider_name(ctx.creditor),
                    chosen.id,
                    first.amount,
                    now,
                    plan_id=record.id,
                    instalment_number=1,
                )
                checkout = _checkout(ctx, provider, payment, chosen, first.amount, recurring=True)
                payment.provider_reference = checkout.provider_reference
                return redirect(checkout.redirect_url, code=303)  # type: ignore[return-value]
        return _render(
            ctx,
            "pay/plan.html",
            status=400 if errors and request.method == "POST" else 200,
            limit=limit,
            months=months,
            schedule=schedule,
            methods=recurring,
            errors=errors,
        )


def _months(raw: str | None, limit: int, errors: FormErrors) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not 2 <= int(raw) <= max(limit, 2):
        errors.add("months", "months")
        return None
    return int(raw)


@bp.route("/<token>/<any('already-paid', pause, dispute, contact):kind>", methods=["GET", "POST"])
def debtor_request(token: str, kind: str) -> Response:
    now = settings().clock()
    with database().transaction() as session:
        ctx = load(session, token, now, for_update=request.method == "POST")
        if ctx.claim.state == "paid":
            return _render(ctx, "pay/paid.html")
        errors = FormErrors()
        pause_limit = min(ctx.country.pause_max_days, int(ctx.settings.get("pause_max_days", 10**6)))
        if request.method == "POST":
            check_csrf()
            done = _handle_request(session, ctx, kind, errors, now, pause_limit)
            if done:
                return _render(ctx, "pay/request_done.html", kind=kind)
        return _render(
            ctx,
            f"pay/request_{kind.replace('-', '_')}.html",
            status=400 if errors else 200,
            kind=kind,
            errors=errors,
            form=request.form,
            pause_limit=pause_limit,
            today=now.date(),
            outstanding=ctx.money(ctx.outstanding.amount),
        )


def _handle_request(
    session: Session, ctx: PayContext, kind: str, errors: FormErrors, now: dt.datetime, pause_limit: int
) -> bool:
    form = request.form
    today = now.date()
    if kind == "already-paid":
        paid_on = parse_date(form.get("paid_on"), errors, "paid_on", latest=today)
        amount = parse_amount(form.get("amount"), ctx.claim.currency, errors, "amount")
        note = form.get("note", "").strip()[:1000]
        proof = None
        upload = request.files.get("proof")
        if upload is not None and upload.filename:
            content = upload.read(debtor_requests.MAX_UPLOAD_BYTES + 1)
            try:
                proof = (content, debtor_requests.check_upload(content, upload.mimetype))
            except debtor_requests.UploadRejected as exc:
                errors.add("proof", str(exc))
        if errors or paid_on is None or amount is None:
            return False
        debtor_requests.already_paid(session, ctx.tenant, ctx.row, paid_on, amount, note, proof, now)
        return True
    if kind == "pause":
        until = parse_date(
            form.get("until"),
            errors,
            "until",
            earliest=today + dt.timedelta(days=1),
            latest=today + dt.timedelta(days=pause_limit),
        )
        reason = form.get("reason", "").strip()[:1000]
        if errors or until is None:
            return False
        if ctx.claim.state not in ("open", "in_collection", "payment_plan"):
            errors.add("until", "not_possible")
            return False
        debtor_requests.pause(session, ctx.tenant, ctx.row, until, reason, now)
        return True
    if kind == "dispute":
        grounds = required_text(form.get("reason"), errors, "reason", 2000)
        if errors or grounds is None:
            return False
        if ctx.claim.state == "disputed":
            return True
        debtor_requests.dispute(session, ctx.tenant, ctx.row, grounds, now)
        return True
    message = required_text(form.get("message"), errors, "message", 2000)
    reply_to = form.get("reply_to", "").strip()[:254]
    if errors or message is None:
        return False
    stored = debtor_requests.contact(session, ctx.tenant, ctx.row, message, reply_to, now)
    _classify_contact(session, ctx, stored, message, reply_to, now)
    return True


def _classify_contact(
    session: Session, ctx: PayContext, stored: models.DebtorRequest, message: str, reply_to: str, now: dt.datetime
) -> None:
    """The form's message goes through the same intent pipeline as an e-mail or SMS reply."""
    from paypage.decisions.intents.model import ready_model
    from paypage.engine.channel_registry import channels_for
    from paypage.extensions import links
    from paypage.services import inbound

    config = settings()
    inbound.from_pay_page(
        session,
        ctx.row,
        stored,
        message,
        reply_to,
        now,
        links(),
        lambda c, live: channels_for(c, live, config.outbox_file),
        ready_model(config.intent_model),
    )
