"""Champion/challenger experiments between two whole dunning strategies, per creditor or segment.

Assignment. A claim handed over while an experiment runs, and inside its segment (countries, debtor
types, amount bands), gets an arm the first time the engine looks at it: the first 8 bytes of
SHA-256(experiment id + ":" + claim id), modulo 10,000, below `challenger_percent` × 100 mean challenger.
So the arm is random with respect to everything about the claim, reproducible from the two IDs alone, and
stored (`experiment_assignments`), so it survives restarts and a changed percentage. A claim takes part in
one experiment at most (the oldest running one that matches); claims handed over before the experiment
started, or whose first step has run, keep their strategy, so no claim switches strategies midway. The
claim remembers the outcome in `strategy_id` (the experiment's id, or `country`), so later visits of the
engine cost one primary-key read at most. Stopping an experiment assigns no
new claims; assigned claims finish on their arm's strategy.

The report and the stop rule are described in `experiment_stats`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
from importlib import resources
from typing import Any

from inkasso import types as wire
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.decisions import claim_history, experiment_stats
from paypage.decisions.propensity import amount_band
from paypage.domain.ids import new_id
from paypage.domain.strategies import Strategy, strategy_for, strategy_for_country
from paypage.services.errors import RequestError, not_found
from paypage.services.tenancy import Tenant
from paypage.services.validation import describe
from paypage.store import models

BUCKETS = 10_000


def shipped_strategies() -> set[str]:
    """Names of the strategies that ship with the service (`default`, and countries' by code)."""
    folder = resources.files("paypage.domain.strategies")
    return {entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml")}


def arm_for(experiment_id: str, claim_id: str, challenger_percent: int) -> str:
    digest = hashlib.sha256(f"{experiment_id}:{claim_id}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % BUCKETS
    return "challenger" if bucket < challenger_percent * BUCKETS // 100 else "champion"


def _in_segment(segment: dict[str, Any], claim: models.Claim, debtor_type: str) -> bool:
    countries = segment.get("countries")
    types = segment.get("debtor_types")
    bands = segment.get("amount_bands")
    return (
        (not countries or claim.country in countries)
        and (not types or debtor_type in types)
        and (not bands or amount_band(claim.principal, claim.currency) in bands)
    )


def strategy_of(arm: dict[str, Any], country: str, creditor_settings: dict[str, Any]) -> Strategy:
    if arm.get("definition") is not None:
        return Strategy.model_validate(arm["definition"])
    name = arm.get("strategy") or "country"
    if name == "country":
        return strategy_for(country, creditor_settings)
    return strategy_for_country(name)


NOT_IN_EXPERIMENT = "country"
"""`claims.strategy_id` of a claim the engine has looked at that takes part in no experiment."""


def strategy_for_claim(
    session: Session,
    claim: models.Claim,
    debtor_type: str,
    country: str,
    creditor_settings: dict[str, Any],
    now: dt.datetime | None = None,
) -> Strategy:
    """The strategy the engine runs for this claim: its experiment arm's, or the usual one.

    The answer is remembered on the claim (`strategy_id`: an experiment id, or `country`), so only the
    engine's first look at a claim searches for a running experiment, and a claim whose first step has
    run never changes strategy.
    """
    marker = claim.strategy_id
    if marker is not None and not marker.startswith("exp_"):
        return strategy_for(country, creditor_settings)
    experiment: models.Experiment | None = None
    assignment: models.ExperimentAssignment | None = None
    if marker is not None:
        assignment = session.get(models.ExperimentAssignment, (claim.creditor_id, claim.id))
        experiment = session.get(models.Experiment, (claim.creditor_id, marker))
    elif claim.strategy_step == 0:
        experiment = _matching(session, claim, debtor_type)
        if experiment is not None:
            assignment = models.ExperimentAssignment(
                creditor_id=claim.creditor_id,
                claim_id=claim.id,
                experiment_id=experiment.id,
                arm=arm_for(experiment.id, claim.id, experiment.challenger_percent),
                assigned_at=now or claim.created_at,
            )
            session.add(assignment)
            session.flush()
    if experiment is None or assignment is None:
        claim.strategy_id = NOT_IN_EXPERIMENT
        return strategy_for(country, creditor_settings)
    claim.strategy_id = experiment.id
    arm = experiment.challenger if assignment.arm == "challenger" else experiment.champion
    return strategy_of(arm, country, creditor_settings)


def _matching(session: Session, claim: models.Claim, debtor_type: str) -> models.Experiment | None:
    running = session.scalars(
        select(models.Experiment)
        .where(
            models.Experiment.creditor_id == claim.creditor_id,
            models.Experiment.livemode == claim.livemode,
            models.Experiment.status == "running",
            models.Experiment.created_at < claim.created_at,
        )
        .order_by(models.Experiment.id)
    )
    return next((e for e in running if _in_segment(e.segment, claim, debtor_type)), None)


# --------------------------------------------------------------------------------------------- service


def _arm_json(params: wire.ExperimentArmParams, param: str) -> dict[str, Any]:
    if params.definition is not None:
        try:
            Strategy.model_validate(params.definition)
        except ValidationError as exc:
            code, where, message = describe(exc.errors()[0], f"{param}.definition")
            raise RequestError(400, code, message, where) from None
        return {"strategy": None, "definition": params.definition}
    name = params.strategy or "country"
    known = {"country", *shipped_strategies()}
    if name not in known:
        raise RequestError(
            400,
            "parameter_invalid",
            f"{param}.strategy: '{name}' is not a strategy; use one of {', '.join(sorted(known))} or a definition",
            f"{param}.strategy",
        )
    return {"strategy": name, "definition": None}


def create(
    session: Session, tenant: Tenant, params: wire.ExperimentCreateParams, now: dt.datetime
) -> models.Experiment:
    champion = _arm_json(params.champion, "champion")
    challenger = _arm_json(params.challenger, "challenger")
    if champion == challenger:
        raise RequestError(400, "parameter_invalid", "challenger: must differ from the champion", "challenger")
    required = experiment_stats.sample_size(params.baseline_rate, params.minimum_detectable_effect)
    experiment = models.Experiment(
        creditor_id=tenant.creditor_id,
        id=new_id("exp", now),
        livemode=tenant.livemode,
        name=params.name,
        status="running",
        segment=params.segment.model_dump(mode="json"),
        champion=champion,
        challenger=challenger,
        challenger_percent=params.challenger_percent,
        plan={
            "minimum_detectable_effect": params.minimum_detectable_effect,
            "baseline_rate": params.baseline_rate,
            "horizon_days": params.horizon_days,
            "alpha": experiment_stats.ALPHA,
            "power": experiment_stats.POWER,
            "sample_size_per_arm": required,
        },
        created_at=now,
    )
    session.add(experiment)
    session.flush()
    return experiment


def get(session: Session, tenant: Tenant, experiment_id: str) -> models.Experiment:
    experiment = session.scalars(
        select(models.Experiment).where(
            models.Experiment.creditor_id == tenant.creditor_id,
            models.Experiment.livemode == tenant.livemode,
            models.Experiment.id == experiment_id,
        )
    ).first()
    if experiment is None:
        raise not_found("experiment", experiment_id)
    return experiment


def list_page(
    session: Session, tenant: Tenant, limit: int, before: str | None, status: str | None = None
) -> tuple[list[models.Experiment], bool]:
    query = (
        select(models.Experiment)
        .where(models.Experiment.creditor_id == tenant.creditor_id, models.Experiment.livemode == tenant.livemode)
        .order_by(models.Experiment.id.desc())
        .limit(limit + 1)
    )
    if status is not None:
        query = query.where(models.Experiment.status == status)
    if before is not None:
        query = query.where(models.Experiment.id < before)
    rows = list(session.scalars(query))
    return rows[:limit], len(rows) > limit


def stop(
    session: Session, tenant: Tenant, experiment_id: str, reason: str | None, now: dt.datetime
) -> models.Experiment:
    experiment = get(session, tenant, experiment_id)
    if experiment.status == "stopped":
        raise RequestError(409, "experiment_stopped", f"Experiment '{experiment_id}' is already stopped")
    experiment.status = "stopped"
    experiment.stopped_at = now
    experiment.stop_reason = reason
    return experiment


# ---------------------------------------------------------------------------------------------- report


def report(session: Session, experiment: models.Experiment, now: dt.datetime) -> wire.ExperimentReport:
    assignments = list(
        session.scalars(
            select(models.ExperimentAssignment).where(
                models.ExperimentAssignment.creditor_id == experiment.creditor_id,
                models.ExperimentAssignment.experiment_id == experiment.id,
            )
        )
    )
    arm_of = {a.claim_id: a.arm for a in assignments}
    histories = claim_history.load(session, experiment.creditor_id, experiment.livemode, list(arm_of))
    horizon = dt.timedelta(days=int(experiment.plan["horizon_days"]))
    outcomes: dict[str, dict[str, Any]] = {
        arm: {"claims": 0, "decided": 0, "paid": 0, "shares": [], "days": [], "money": {}}
        for arm in ("champion", "challenger")
    }
    for history in histories:
        outcome = outcomes[arm_of[history.claim_id]]
        outcome["claims"] += 1
        end = history.created_at + horizon
        paid_at = history.paid_at()
        closed_at = history.closed_at()
        if end > now and (closed_at is None or closed_at > end):
            continue  # the outcome is not known yet
        outcome["decided"] += 1
        recovered = max(history.paid_between(history.created_at - dt.timedelta(seconds=1), end), 0)
        if paid_at is not None and paid_at <= end:
            outcome["paid"] += 1
            outcome["days"].append((paid_at - history.created_at).total_seconds() / 86_400)
        outcome["shares"].append(min(recovered / history.principal, 1.0) if history.principal else 0.0)
        handed, got = outcome["money"].get(history.currency, (0, 0))
        outcome["money"][history.currency] = (handed + history.principal, got + recovered)

    arms = [_arm_report(arm, outcomes[arm]) for arm in ("champion", "challenger")]
    champion, challenger = outcomes["champion"], outcomes["challenger"]
    difference = wire.ExperimentDifference()
    if champion["decided"] and challenger["decided"]:
        share_ch = challenger["paid"] / challenger["decided"]
        share_cp = champion["paid"] / champion["decided"]
        seed = int.from_bytes(hashlib.sha256(experiment.id.encode()).digest()[:4], "big")
        mean_ch = statistics.fmean(challenger["shares"])
        mean_cp = statistics.fmean(champion["shares"])
        difference = wire.ExperimentDifference(
            share_paid=round(share_ch - share_cp, 4),
            share_paid_ci=_rounded(
                experiment_stats.newcombe(
                    challenger["paid"], challenger["decided"], champion["paid"], champion["decided"]
                )
            ),
            mean_recovered_share=round(mean_ch - mean_cp, 4),
            mean_recovered_share_ci=_rounded_or_none(
                experiment_stats.bootstrap_difference(challenger["shares"], champion["shares"], seed)
            ),
        )
    required = int(experiment.plan["sample_size_per_arm"])
    decision, explanation = experiment_stats.decide(
        (challenger["paid"], challenger["decided"]), (champion["paid"], champion["decided"]), required
    )
    return wire.ExperimentReport(
        as_of=now,
        arms=arms,
        difference=difference,
        sample_size_per_arm=required,
        decision=decision,
        explanation=explanation,
    )


def _rounded(interval: tuple[float, float]) -> tuple[float, float]:
    return round(interval[0], 4), round(interval[1], 4)


def _rounded_or_none(interval: tuple[float, float] | None) -> tuple[float, float] | None:
    return None if interval is None else _rounded(interval)


def _arm_report(arm: str, outcome: dict[str, Any]) -> wire.ExperimentArmReport:
    decided, paid = outcome["decided"], outcome["paid"]
    return wire.ExperimentArmReport(
        arm=arm,
        claims=outcome["claims"],
        decided=decided,
        paid=paid,
        share_paid=round(paid / decided, 4) if decided else None,
        share_paid_ci=_rounded(experiment_stats.wilson(paid, decided)) if decided else None,
        mean_recovered_share=round(statistics.fmean(outcome["shares"]), 4) if outcome["shares"] else None,
        median_days_to_pay=round(statistics.median(outcome["days"]), 1) if outcome["days"] else None,
        by_currency=[
            wire.CurrencyRecovery(
                currency=currency,
                handed_over=handed,
                recovered=got,
                recovery_rate=round(got / handed, 4) if handed else None,
            )
            for currency, (handed, got) in sorted(outcome["money"].items())
        ],
    )


def render(
    experiment: models.Experiment, session: Session | None = None, now: dt.datetime | None = None
) -> wire.Experiment:
    """The wire form; with a session and a time, the report too."""
    plan = experiment.plan
    return wire.Experiment(
        id=experiment.id,
        livemode=experiment.livemode,
        name=experiment.name,
        status=experiment.status,
        champion=wire.ExperimentArm.model_validate(experiment.champion),
        challenger=wire.ExperimentArm.model_validate(experiment.challenger),
        segment=wire.ExperimentSegment.model_validate(experiment.segment),
        challenger_percent=experiment.challenger_percent,
        minimum_detectable_effect=float(plan["minimum_detectable_effect"]),
        baseline_rate=float(plan["baseline_rate"]),
        horizon_days=int(plan["horizon_days"]),
        created_at=experiment.created_at,
        stopped_at=experiment.stopped_at,
        stop_reason=experiment.stop_reason,
        report=report(session, experiment, now) if session is not None and now is not None else None,
    )
