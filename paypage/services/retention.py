"""The retention job: anonymise debtors whose personal data has been kept as long as the law asks.

A debtor is due when every one of its claims is final (paid, cancelled, escalated, written off) and the
last one closed before the cutoff of the debtor's country (`paypage/domain/retention/periods.toml`).
Each debtor is erased through `gdpr.erase_debtor` (booking records stay) with its own audit entry, a
batch per transaction. Erased debtors are skipped, so running it again, or in several workers at once,
erases nobody twice. Runs from `flask --app paypage retention run` and from the worker, once an hour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from paypage.domain.retention import RetentionRule, default_rule, listed_rules
from paypage.domain.states import FINAL_STATES
from paypage.services import gdpr
from paypage.store import models
from paypage.store.db import Database

ACTOR = "system"


@dataclass
class RetentionReport:
    erased: int = 0
    by_country: dict[str, int] = field(default_factory=dict)
    """Erased debtors per debtor country ("*" for those under the default rule)."""


def _country_filter(rule: RetentionRule) -> ColumnElement[bool]:
    if rule.country is not None:
        return models.Debtor.country == rule.country
    return models.Debtor.country.not_in(list(listed_rules()))


def due(session: Session, rule: RetentionRule, now: dt.datetime, limit: int) -> list[tuple[str, str]]:
    """(creditor id, debtor id) of up to `limit` debtors under `rule` whose retention has run out."""
    not_settled = func.sum(
        case((and_(models.Claim.state.in_(sorted(FINAL_STATES)), models.Claim.closed_at.is_not(None)), 0), else_=1)
    )
    query = (
        select(models.Debtor.creditor_id, models.Debtor.id)
        .join(
            models.Claim,
            and_(models.Claim.creditor_id == models.Debtor.creditor_id, models.Claim.debtor_id == models.Debtor.id),
        )
        .where(models.Debtor.erased_at.is_(None), _country_filter(rule))
        .group_by(models.Debtor.creditor_id, models.Debtor.id)
        .having(not_settled == 0, func.max(models.Claim.closed_at) < rule.personal_data_cutoff(now))
        .order_by(models.Debtor.creditor_id, models.Debtor.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def _claim(session: Session, creditor_id: str, debtor_id: str) -> bool:
    """Lock the debtor for this run; False when another worker has it or it was erased meanwhile."""
    query = (
        select(models.Debtor.id)
        .where(
            models.Debtor.creditor_id == creditor_id,
            models.Debtor.id == debtor_id,
            models.Debtor.erased_at.is_(None),
        )
        .with_for_update(skip_locked=True)
    )
    return session.execute(query).first() is not None


def run(database: Database, now: dt.datetime, batch_size: int = 100) -> RetentionReport:
    report = RetentionReport()
    for rule in [*listed_rules().values(), default_rule()]:
        label = rule.country or "*"
        while True:
            erased = 0
            with database.transaction() as session:
                batch = due(session, rule, now, batch_size)
                for creditor_id, debtor_id in batch:
                    if not _claim(session, creditor_id, debtor_id):
                        continue
                    gdpr.erase_debtor(
                        session,
                        creditor_id=creditor_id,
                        debtor_id=debtor_id,
                        actor=ACTOR,
                        now=now,
                        reason=f"retention:{label}:{rule.personal_years}y",
                    )
                    erased += 1
                    report.by_country[label] = report.by_country.get(label, 0) + 1
            report.erased += erased
            # A full batch that erased nobody is held by another worker: leave it to that one.
            if len(batch) < batch_size or not erased:
                break
    return report
