"""The contact policy inside the engine: choose channel, send hour and tone for a due strategy step.

Learning is off unless the creditor turns it on (`settings["decisions"]["learning"] = true`). Off is the
default because the fixed strategy is what a creditor has reviewed and agreed to, word for word and hour
for hour; learning changes what their customers receive, explores (up to 10 % of contacts, falling to
2 % as a kind of case gathers history, are deliberately random among the allowed options) and only pays
off with volume (a few hundred contacts per segment). So it is a choice a creditor makes knowingly,
and with it off the engine runs the fixed strategy exactly.

The state is per creditor and mode (`policy_weights`, the posterior of each weight of the model in
`bandit`): one creditor's outcomes never steer another's debtors, and no query reaches across tenants.
Each decision is stored with the features it was made on (what settlement learns from), its options
count, propensity and a plain-words explanation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.decisions import bandit, features, guardrails, logistic
from paypage.decisions.context import Context, amount_band, overdue_band
from paypage.domain.countries import Country
from paypage.domain.ids import new_id
from paypage.domain.money import Money
from paypage.domain.strategies import Step
from paypage.services import claims
from paypage.store import models

ATTRIBUTION = dt.timedelta(days=7)
"""A payment or plan within this time after a contact (and before the next one) counts for it."""

CHANNEL_WORDS = {"email": "e-mail", "sms": "SMS", "whatsapp": "WhatsApp", "letter": "letter"}
TONE_WORDS = {"loss_aversion": "loss-aversion", "social_proof": "social-proof"}
DELIVERED = ("sent", "delivered")


def learning_enabled(settings: dict[str, Any]) -> bool:
    section = settings.get("decisions")
    return isinstance(section, dict) and section.get("learning") is True


def context_for(
    session: Session, claim: models.Claim, debtor: models.Debtor, sent: Sequence[models.ContactMessage], today: dt.date
) -> Context:
    delivered = sorted(
        (m for m in sent if m.status in DELIVERED and m.sent_at), key=lambda m: m.sent_at or m.created_at
    )
    engaged = (
        session.scalar(
            select(models.DebtorRequest.id)
            .where(models.DebtorRequest.creditor_id == claim.creditor_id, models.DebtorRequest.claim_id == claim.id)
            .limit(1)
        )
        is not None
        or session.scalar(
            select(models.Payment.id)
            .where(models.Payment.creditor_id == claim.creditor_id, models.Payment.claim_id == claim.id)
            .limit(1)
        )
        is not None
    )
    return Context(
        country=claim.country,
        debtor_type=debtor.type,
        amount_band=amount_band(Money(claims.outstanding(claim), claim.currency)),
        overdue_band=overdue_band(claim.due_date, today),
        contacts=len(delivered),
        last_channel=delivered[-1].channel if delivered else None,
        engaged=engaged,
    )


def load_posterior(session: Session, creditor_id: str, livemode: bool, names: Iterable[str]) -> logistic.Posterior:
    """The weights `names` of the creditor's model in this mode (the rest stay at their prior)."""
    wanted = sorted(set(names))
    rows: dict[str, tuple[float, float, int]] = {}
    for start in range(0, len(wanted), 500):
        for row in session.scalars(
            select(models.PolicyWeight).where(
                models.PolicyWeight.creditor_id == creditor_id,
                models.PolicyWeight.livemode == livemode,
                models.PolicyWeight.feature.in_(wanted[start : start + 500]),
            )
        ):
            rows[row.feature] = (row.mean, row.precision, row.trials)
    return logistic.from_rows(rows)


def needed_features(
    context: Context, actions: Iterable[guardrails.Action], template: str, default: guardrails.Action | None
) -> set[str]:
    """Every weight a choice among `actions` reads."""
    attributes = features.context_attributes(context)
    names = {features.BIAS, *attributes}
    for action in actions:
        for part in features.option_parts(action, template, default):
            names.update(features.part_features(part, attributes))
    return names


def default_action(step: Step, country: Country, usable_channels: Sequence[str]) -> guardrails.Action | None:
    """What the fixed strategy would send: the step's first usable channel at the preferred hour, in the
    step's tone (None when the debtor cannot be reached on any of the step's channels)."""
    channel = next((c for c in step.channels if c in usable_channels), None)
    if channel is None:
        return None
    return guardrails.Action(channel, guardrails.preferred_hour(country), step.tone)


def _rng(claim_id: str, step_key: str, now: dt.datetime) -> np.random.Generator:
    """Seeded by what is decided and when: the same decision can be replayed for an audit."""
    seed = hashlib.sha256(f"{claim_id}|{step_key}|{now.isoformat()}".encode()).digest()
    return np.random.default_rng(int.from_bytes(seed[:8], "big"))


def explain(choice: bandit.Choice, context: Context, country: Country, options: int) -> str:
    action = choice.action
    head = f"{CHANNEL_WORDS.get(action.channel, action.channel)} at {action.hour:02d}:00, "
    head += TONE_WORDS.get(action.tone, action.tone)
    hours = country.contact_hours
    window = f"legal window {hours.start:%H:%M}-{hours.end:%H:%M}"
    mine = choice.chosen_mean
    others = {channel: mean for channel, mean in choice.channel_means.items() if channel != action.channel}
    own = " (the strategy's own choice)" if choice.default else ""
    if choice.explored:
        reason = f"exploring: a random choice among {options} allowed options, so every option keeps being measured"
    elif not others:
        reason = f"the only allowed channel for {context.describe()}; expected payment chance {mine:.0%}{own}"
    else:
        rival, rival_mean = max(others.items(), key=lambda item: item[1])
        rival_name = CHANNEL_WORDS.get(rival, rival)
        comparison = f"expected payment chance {mine:.0%} vs {rival_mean:.0%} for the best {rival_name} option"
        if mine >= rival_mean:
            reason = f"best expected payment chance for {context.describe()} ({comparison}){own}"
        else:
            reason = f"a Thompson draw for a less certain option for {context.describe()} ({comparison}){own}"
    return f"{head}: {reason}; {window}"


def pending(session: Session, claim: models.Claim, step_key: str) -> models.ContactDecision | None:
    return session.scalars(
        select(models.ContactDecision).where(
            models.ContactDecision.creditor_id == claim.creditor_id,
            models.ContactDecision.claim_id == claim.id,
            models.ContactDecision.step_key == step_key,
            models.ContactDecision.status == "pending",
        )
    ).first()


def decide(
    session: Session,
    row: claims.Row,
    step: Step,
    country: Country,
    usable_channels: Sequence[str],
    sent: Sequence[models.ContactMessage],
    cap: int,
    now: dt.datetime,
) -> models.ContactDecision | None:
    """Choose among the guardrails' options and record the decision as `pending` (the caller commits).
    None when no option is allowed (no hour left within the cap)."""
    claim, debtor = row
    sent_times = [m.sent_at or m.created_at for m in sent if m.status in (*DELIVERED, "sending", "unknown")]
    offered = guardrails.options(step, country, usable_channels, now, sent_times, cap)
    if not offered:
        return None
    context = context_for(session, claim, debtor, sent, now.date())
    actions = [o.action for o in offered]
    default = default_action(step, country, usable_channels)
    names = needed_features(context, actions, step.template, default)
    posterior = load_posterior(session, claim.creditor_id, claim.livemode, names)
    rng = _rng(claim.id, step.key, now)
    choice = bandit.choose(posterior, context, actions, step.template, rng, default=default)
    option = offered[choice.index]
    decision = models.ContactDecision(
        creditor_id=claim.creditor_id,
        id=new_id("dec", now),
        livemode=claim.livemode,
        claim_id=claim.id,
        step_key=step.key,
        template=step.template,
        channel=option.action.channel,
        hour=option.action.hour,
        tone=option.action.tone,
        send_at=option.send_at,
        propensity=choice.propensity,
        explored=choice.explored,
        explanation=explain(choice, context, country, len(offered)),
        context={
            "features": {
                "country": context.country,
                "debtor_type": context.debtor_type,
                "amount_band": context.amount_band,
                "overdue_band": context.overdue_band,
                "contacts": context.contacts,
                "last_channel": context.last_channel,
                "engaged": context.engaged,
            },
            "default": default.key() if default else None,
            "model_features": features.decision_features(context, option.action, step.template, default),
            "options": [o.action.key() for o in offered],
        },
        options=len(offered),
        status="pending",
        created_at=now,
    )
    session.add(decision)
    return decision


def mark_sent(session: Session, decision: models.ContactDecision, message_id: str, now: dt.datetime) -> None:
    """The decision's message is on its way: its attribution window opens, and that of the claim's previous
    contact closes (the last contact before a payment gets the credit)."""
    earlier = session.scalars(
        select(models.ContactDecision).where(
            models.ContactDecision.creditor_id == decision.creditor_id,
            models.ContactDecision.claim_id == decision.claim_id,
            models.ContactDecision.status == "sent",
        )
    )
    for previous in earlier:
        if previous.message_id == message_id:
            # The same message tried again after a passing channel failure: only the new decision counts.
            previous.status = "void"
            previous.settled_at = now
        elif previous.settle_after is None or previous.settle_after > now:
            previous.settle_after = now
    decision.status = "sent"
    decision.message_id = message_id
    decision.settle_after = now + ATTRIBUTION
