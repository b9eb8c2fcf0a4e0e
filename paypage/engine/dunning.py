"""The collection engine's step: take a due claim, run its next strategy step, schedule the one after.

Exactly once, and never after a payment:
1. A short transaction leases due claims (`next_action_at` pushed past the lease; `SKIP LOCKED`).
2. For each claim, a transaction decides the step, renders the message and records it as `sending`, and
   commits, so the step is on record before anything leaves.
3. A second transaction locks the claim row, checks the claim still owes money, calls the channel while
   holding the lock, and records the result. A payment being booked meanwhile waits for that lock, or,
   if it came first, the message is cancelled: no "you have not paid" goes out after a booked payment.
A worker that dies inside step 3 leaves the message in `sending`; the next visit settles it as `unknown`
(possibly sent), moves on, and leaves a notice for a person: the step is never sent twice, never skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage import i18n
from paypage.decisions import guardrails, policy
from paypage.decisions.experiments import strategy_for_claim
from paypage.domain.contact_window import allowed, next_allowed, scheduled
from paypage.domain.countries import Country, get_country_or_fallback
from paypage.domain.ids import new_id
from paypage.domain.money import Money
from paypage.domain.strategies import Step, Strategy
from paypage.engine import messages
from paypage.engine.channels.protocol import Attachment, Channel, ChannelUnavailable, Message, PostalAddress
from paypage.engine.charges import accrue_interest, announced_costs, apply_collection_fee, interest_note
from paypage.services import claims, creditor_settings, events
from paypage.services.tenancy import Tenant
from paypage.store import models
from paypage.store.db import Database

log = logging.getLogger(__name__)

ACTIVE_STATES = ("open", "in_collection", "payment_plan", "paused")
DUNNABLE_STATES = ("open", "in_collection")
LEASE = dt.timedelta(minutes=5)
RETRY_AFTER_UNAVAILABLE = dt.timedelta(minutes=15)
WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Due:
    creditor_id: str
    claim_id: str
    livemode: bool


def lease(db: Database, now: dt.datetime, limit: int, lease_for: dt.timedelta = LEASE) -> list[Due]:
    query = (
        select(models.Claim)
        .where(models.Claim.next_action_at <= now, models.Claim.state.in_(ACTIVE_STATES))
        .order_by(models.Claim.next_action_at)
        .limit(limit)
    )
    with db.transaction() as session:
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        found = list(session.scalars(query))
        for claim in found:
            claim.next_action_at = now + lease_for
        return [Due(claim.creditor_id, claim.id, claim.livemode) for claim in found]


def start(claim: models.Claim, now: dt.datetime) -> None:
    """Put a new claim on the engine's schedule (called when it is handed over)."""
    claim.strategy_step = 0
    claim.next_action_at = now


# ------------------------------------------------------------------------------------------------ decide


@dataclass(frozen=True)
class Prepared:
    message_id: str
    channel: str
    stage: str
    strategy_step: bool
    """True for a step of the strategy (the strategy moves on once it is sent); False for a plan reminder."""


def _reachable(channel: str, debtor: models.Debtor) -> bool:
    if channel == "email":
        return debtor.email is not None
    if channel in ("sms", "whatsapp"):
        return debtor.phone is not None
    return debtor.address_line1 is not None


def _messages(session: Session, claim: models.Claim) -> list[models.ContactMessage]:
    return list(
        session.scalars(
            select(models.ContactMessage).where(
                models.ContactMessage.creditor_id == claim.creditor_id,
                models.ContactMessage.claim_id == claim.id,
            )
        )
    )


def _settle_interrupted(
    session: Session, claim: models.Claim, sent: list[models.ContactMessage], now: dt.datetime
) -> bool:
    """A message left in `sending` means a worker died while sending it: maybe it went out. Count the step
    as done, never send it again, and ask a person to check. True when the strategy moved on."""
    moved = False
    for message in sent:
        if message.status == "sending":
            message.status = "unknown"
            message.detail = "the worker stopped while sending; it may have gone out"
            message.updated_at = now
            session.add(
                models.Notice(
                    creditor_id=claim.creditor_id,
                    id=new_id("ntc", now),
                    livemode=claim.livemode,
                    kind="message.unknown",
                    message=f"A {message.channel} message for claim {claim.external_reference} may or may not "
                    "have been sent (the sender stopped while sending). It is not sent again.",
                    subject_id=claim.id,
                    created_at=now,
                )
            )
            claim.strategy_step += 1
            moved = True
    return moved


def _week_count(sent: list[models.ContactMessage], now: dt.datetime) -> list[dt.datetime]:
    return sorted(
        m.sent_at or m.created_at
        for m in sent
        if m.status in ("sent", "delivered", "sending", "unknown") and (m.sent_at or m.created_at) > now - WEEK
    )


def prepare(
    session: Session,
    due: Due,
    now: dt.datetime,
    links: claims.LinkMaker,
    channels: dict[str, Channel],
) -> Prepared | None:
    """Decide what the claim needs now; record a message as `sending` when one must go out."""
    tenant = Tenant(due.creditor_id, due.livemode)
    claim, debtor = claims.get(session, tenant, due.claim_id, for_update=True)
    creditor = session.get(models.Creditor, claim.creditor_id)
    assert creditor is not None  # noqa: S101 - a claim's creditor exists (foreign key)
    country = get_country_or_fallback(debtor.country, claim.currency)
    channels = creditor_settings.allowed_channels(channels, creditor.settings, country.code)
    if claim.state == "paused":
        _resume(session, tenant, (claim, debtor), now)
        return None
    if claim.state == "payment_plan":
        from paypage.engine import plan_monitor

        reminder: Prepared | None = plan_monitor.check(
            session, tenant, (claim, debtor), creditor, country, now, links, channels
        )
        return reminder
    if claim.state not in DUNNABLE_STATES:
        claim.next_action_at = None
        return None
    accrue_interest(claim, country, now.date())
    strategy = strategy_for_claim(session, claim, debtor.type, country.code, creditor.settings, now)
    sent = _messages(session, claim)
    if _settle_interrupted(session, claim, sent, now):
        claim.next_action_at = now
        return None
    if claim.strategy_step >= len(strategy.steps):
        _finish(session, tenant, (claim, debtor), strategy, country, now)
        return None
    step = strategy.steps[claim.strategy_step]
    learning = policy.learning_enabled(creditor.settings)
    due_at = _step_at(claim.created_at, step.day, country, learning)
    if due_at > now:
        claim.next_action_at = due_at
        return None
    if not allowed(now, country):
        claim.next_action_at = next_allowed(now, country)
        return None
    recent = _week_count(sent, now)
    if len(recent) >= strategy.max_messages_per_week:
        claim.next_action_at = next_allowed(recent[0] + WEEK, country)
        return None
    tried = {m.channel: m for m in sent if m.step_key == step.key}
    if learning:
        return _prepare_learned(session, (claim, debtor), creditor, country, strategy, step, sent, channels, now, links)
    channel = pick_channel(step, debtor, channels, tried)
    if channel is None:
        # Nobody to reach on this step's channels (or all bounced): on record as skipped, then move on.
        _advance(claim, strategy, country, now)
        log.info("claim %s step %s: no reachable channel", claim.id, step.key)
        return None
    if step.fee and creditor_settings.fee_wanted(creditor.settings, country.code):
        apply_collection_fee(claim, debtor, country, now.date(), _warning_received(sent, country))
    announced = announced_costs(claim, debtor, country) if step.template == "cost_warning" else None
    return record_message(
        session, (claim, debtor), creditor, country, step, channel, tried.get(channel), now, links, announced
    )


def _prepare_learned(
    session: Session,
    row: claims.Row,
    creditor: models.Creditor,
    country: Country,
    strategy: Strategy,
    step: Step,
    sent: list[models.ContactMessage],
    channels: dict[str, Channel],
    now: dt.datetime,
    links: claims.LinkMaker,
) -> Prepared | None:
    """The step with the contact policy: it chooses channel, hour and tone among what the guardrails allow
    (the step's channels, the contact hours, the weekly cap), then waits for the chosen hour."""
    claim, debtor = row
    tried = {m.channel: m for m in sent if m.step_key == step.key}
    decision = policy.pending(session, claim, step.key)
    if decision is None:
        usable = [
            name
            for name in step.channels
            if name in channels and _reachable(name, debtor) and (name not in tried or tried[name].status == "retry")
        ]
        decision = policy.decide(session, row, step, country, usable, sent, strategy.max_messages_per_week, now)
        if decision is None:
            _advance(claim, strategy, country, now, learning=True)
            log.info("claim %s step %s: no allowed option", claim.id, step.key)
            return None
    if decision.send_at > now:
        claim.next_action_at = decision.send_at
        return None
    sent_times = [m.sent_at or m.created_at for m in sent if m.status in ("sent", "delivered", "sending", "unknown")]
    option = guardrails.Option(guardrails.Action(decision.channel, decision.hour, decision.tone), now)
    try:
        guardrails.check(option, step, country, sent_times, strategy.max_messages_per_week)
    except guardrails.GuardrailViolation as exc:
        # The hour passed unused (a late worker, a long outage): choose again rather than break a rule.
        decision.status = "void"
        decision.settled_at = now
        claim.next_action_at = now
        log.info("claim %s step %s: decision %s voided (%s)", claim.id, step.key, decision.id, exc)
        return None
    if step.fee and creditor_settings.fee_wanted(creditor.settings, country.code):
        apply_collection_fee(claim, debtor, country, now.date(), _warning_received(sent, country))
    announced = announced_costs(claim, debtor, country) if step.template == "cost_warning" else None
    toned = step.model_copy(update={"tone": decision.tone})
    prepared = record_message(
        session, row, creditor, country, toned, decision.channel, tried.get(decision.channel), now, links, announced
    )
    policy.mark_sent(session, decision, prepared.message_id, now)
    return prepared


POSTAL_DAYS = 2
"""Days a letter is taken to be on its way before it counts as received."""


def _warning_received(sent: list[models.ContactMessage], country: Country) -> dt.date | None:
    """When the debtor received the cost warning (the 14-day letter), if one went out."""
    for message in sent:
        if message.template == "cost_warning" and message.status in ("sent", "delivered") and message.sent_at:
            day = message.sent_at.astimezone(ZoneInfo(country.timezone)).date()
            return day + dt.timedelta(days=POSTAL_DAYS if message.channel == "letter" else 0)
    return None


def pick_channel(
    step: Step, debtor: models.Debtor, channels: dict[str, Channel], tried: dict[str, models.ContactMessage]
) -> str | None:
    """The first of the step's channels the creditor has, the debtor can be reached on, and that has not
    been tried for this step yet (or only failed for a passing reason)."""
    for name in step.channels:
        if name in channels and _reachable(name, debtor) and (name not in tried or tried[name].status == "retry"):
            return name
    return None


def record_message(
    session: Session,
    row: claims.Row,
    creditor: models.Creditor,
    country: Country,
    step: Step,
    channel: str,
    record: models.ContactMessage | None,
    now: dt.datetime,
    links: claims.LinkMaker,
    announced: Money | None = None,
    strategy_step: bool = True,
) -> Prepared:
    """Render the step's message for `channel` and record it as `sending` (the caller commits)."""
    claim, debtor = row
    language = messages.language_for(debtor, country)
    values = messages.context(
        claim,
        debtor,
        creditor,
        country,
        step,
        links.url(claim) or "",
        now.date(),
        language,
        announced_costs=announced,
        interest_note=interest_note(claim, country, language),
    )
    rendered = messages.render(channel, values)
    if record is None:
        record = models.ContactMessage(
            creditor_id=claim.creditor_id,
            id=new_id("msg", now),
            livemode=claim.livemode,
            claim_id=claim.id,
            step_key=step.key,
            channel=channel,
            created_at=now,
        )
        session.add(record)
    record.template = step.template
    record.tone = step.tone
    record.language = rendered.language
    record.status = "sending"
    record.recipient = _recipient(channel, debtor)
    record.subject = rendered.subject
    record.body_text = rendered.text
    record.body_html = rendered.html
    record.updated_at = now
    session.flush()
    return Prepared(record.id, channel, step.stage, strategy_step)


def _recipient(channel: str, debtor: models.Debtor) -> str:
    if channel == "email":
        return debtor.email or ""
    if channel in ("sms", "whatsapp"):
        return debtor.phone or ""
    parts = [
        debtor.name,
        debtor.address_line1,
        debtor.address_line2,
        f"{debtor.address_postal_code} {debtor.address_city}",
        debtor.address_country,
    ]
    return "\n".join(part for part in parts if part)


def _resume(session: Session, tenant: Tenant, row: claims.Row, now: dt.datetime) -> None:
    claim, _ = row
    target = claim.resume_state if claim.resume_state in ("open", "in_collection", "payment_plan") else "in_collection"
    claims.transition(session, tenant, row, target, now, event_type="claim.resumed")
    claim.resume_state = None
    claim.next_action_at = now


def _step_at(handover: dt.datetime, day: int, country: Country, learning: bool) -> dt.datetime:
    """When a step comes due: at the preferred hour, or with the contact policy at the opening of the
    contact hours, so the policy can still choose any allowed hour of that day."""
    return guardrails.step_opens(handover, day, country) if learning else scheduled(handover, day, country)


def _advance(
    claim: models.Claim, strategy: Strategy, country: Country, now: dt.datetime, learning: bool = False
) -> None:
    claim.strategy_step += 1
    claim.last_step_at = now
    if claim.strategy_step < len(strategy.steps):
        upcoming = strategy.steps[claim.strategy_step]
        claim.next_action_at = max(now, _step_at(claim.created_at, upcoming.day, country, learning))
    else:
        claim.next_action_at = max(now, scheduled(claim.created_at, strategy.final_day, country))


def _finish(
    session: Session, tenant: Tenant, row: claims.Row, strategy: Strategy, country: Country, now: dt.datetime
) -> None:
    claim, _ = row
    final_at = scheduled(claim.created_at, strategy.final_day, country)
    if final_at > now:
        claim.next_action_at = final_at
        return
    claims.transition(session, tenant, row, strategy.final_action, now)


# -------------------------------------------------------------------------------------------------- send


def send(
    session: Session,
    due: Due,
    prepared: Prepared,
    now: dt.datetime,
    channels: dict[str, Channel],
) -> str:
    """Send the recorded message while holding the claim's row lock; returns the message's new status."""
    tenant = Tenant(due.creditor_id, due.livemode)
    claim, debtor = claims.get(session, tenant, due.claim_id, for_update=True)
    record = session.get(models.ContactMessage, (due.creditor_id, prepared.message_id))
    assert record is not None  # noqa: S101 - recorded by prepare() in a committed transaction
    if claim.state not in (DUNNABLE_STATES if prepared.strategy_step else ("payment_plan",)):
        record.status = "cancelled"
        record.detail = f"not sent: the claim became {claim.state} before sending"
        record.updated_at = now
        return record.status
    country = get_country_or_fallback(debtor.country, claim.currency)
    creditor = session.get(models.Creditor, claim.creditor_id)
    assert creditor is not None  # noqa: S101
    message = Message(
        message_id=record.id,
        channel=record.channel,  # type: ignore[arg-type]
        language=record.language,
        to=_address(debtor) if record.channel == "letter" else record.recipient,
        subject=record.subject,
        text=record.body_text,
        html=record.body_html,
        sender_name=str(creditor.settings.get("sender_name") or creditor.name),
        attachments=_letter_qr(creditor, claim, country, record.language) if record.channel == "letter" else (),
    )
    try:
        result = channels[record.channel].send(message)
    except ChannelUnavailable as exc:
        record.status = "retry"
        record.detail = str(exc)[:500]
        record.updated_at = now
        claim.next_action_at = now + RETRY_AFTER_UNAVAILABLE
        return record.status
    record.status = result.status
    record.provider_reference = result.provider_reference
    record.detail = result.detail
    record.updated_at = now
    if result.status in ("sent", "delivered"):
        record.sent_at = now
        if prepared.stage == "collection" and claim.state == "open":
            claims.transition(session, tenant, (claim, debtor), "in_collection", now)
        data = {**claims.snapshot((claim, debtor)), "channel": record.channel, "message_id": record.id}
        events.record(session, tenant, "claim.contacted", now, claim.id, data)
        if prepared.strategy_step:
            learning = policy.learning_enabled(creditor.settings)
            strategy = strategy_for_claim(session, claim, debtor.type, country.code, creditor.settings, now)
            _advance(claim, strategy, country, now, learning)
    else:
        claim.next_action_at = now  # the next channel of the same step, at once
    return record.status


def _letter_qr(
    creditor: models.Creditor, claim: models.Claim, country: Country, language: str
) -> tuple[Attachment, ...]:
    """The bank-transfer QR code, printed on the letter so the debtor can scan it with the banking app."""
    from paypage.pay.bank import transfer_qr

    outstanding = Money(claims.outstanding(claim), claim.currency)
    i18n.activate(language)
    svg = transfer_qr(creditor, claim, country, outstanding, language)
    return (Attachment("transfer-qr.svg", "image/svg+xml", svg.encode()),) if svg else ()


def _address(debtor: models.Debtor) -> PostalAddress:
    return PostalAddress(
        name=debtor.name,
        line1=debtor.address_line1 or "",
        line2=debtor.address_line2,
        postal_code=debtor.address_postal_code or "",
        city=debtor.address_city or "",
        country=debtor.address_country or debtor.country,
    )
