"""Applying a channel's delivery report to the message it is about, and to the claim's strategy."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.decisions.experiments import strategy_for_claim
from paypage.domain.countries import get_country_or_fallback
from paypage.engine.channels.protocol import StatusUpdate
from paypage.store import models

_FINAL = {"delivered", "bounced", "failed"}


def apply(session: Session, creditor_id: str, update: StatusUpdate, now: dt.datetime) -> bool:
    """True when the report changed a message. A late or repeated report never moves a status backwards."""
    query = select(models.ContactMessage).where(models.ContactMessage.creditor_id == creditor_id)
    if update.message_id:
        query = query.where(models.ContactMessage.id == update.message_id)
    else:
        query = query.where(models.ContactMessage.provider_reference == update.provider_reference)
    message = session.scalars(query).first()
    if message is None or message.status in _FINAL or message.status == update.status:
        return False
    message.status = update.status
    message.detail = update.detail
    message.updated_at = now
    if update.status in ("bounced", "failed"):
        _try_next_channel(session, message, now)
    return True


def _try_next_channel(session: Session, message: models.ContactMessage, now: dt.datetime) -> None:
    claim = session.get(models.Claim, (message.creditor_id, message.claim_id), with_for_update=True)
    if claim is None or claim.state not in ("open", "in_collection"):
        return
    creditor = session.get(models.Creditor, claim.creditor_id)
    debtor = session.get(models.Debtor, (claim.creditor_id, claim.debtor_id))
    if creditor is None or debtor is None:
        return
    country = get_country_or_fallback(debtor.country, claim.currency)
    strategy = strategy_for_claim(session, claim, debtor.type, country.code, creditor.settings, now)
    keys = [step.key for step in strategy.steps]
    if message.step_key in keys and keys.index(message.step_key) == claim.strategy_step - 1:
        # The strategy had moved on after "sent"; step back so the engine tries the step's next channel.
        claim.strategy_step -= 1
        claim.next_action_at = now
