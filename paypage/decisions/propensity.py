"""Payment propensity: the probability that a claim is paid in full within 30 and 90 days, and the amount
it is expected to bring in within 90 days.

Model. Calibrated logistic regression (`CalibratedClassifierCV`, isotonic calibration from 1,000 training
samples on, sigmoid below, 3 folds), one head per horizon. A linear model was chosen over gradient
boosting because its fitted state is a handful of numbers: coefficients, standardisation and the
calibration map are stored as JSON in `propensity_models`, so a stored model is data, never code, and
nothing is unpickled. `predict` recomputes the calibrated ensemble from those numbers exactly as
scikit-learn does (a test checks both agree).

Samples. Each claim of the history is scored as it was every 14 days after its hand-over, while it was
still open, using only the events recorded before that moment (no leakage), and labelled with whether
`claim.paid` followed within 30 and 90 days. Only moments at least 90 days before the training date
are used, so every label is complete. The holdout is by time: the latest 20 % of moments are scored
by a model trained on the moments whose 90-day window closed before the holdout begins.

Expected amount within 90 days = outstanding × (p90 + (1 − p90) × r), with r the share of the balance
that claims which did not pay in full still paid within 90 days in the history. A regressor on amounts
was not chosen: a few large claims dominate its loss, while this decomposition stays calibrated
wherever p90 is, and stays in integer minor units per claim.

Features, no protected attributes: amount band, currency, country, debtor type (person/company), days
overdue, days since hand-over, contacts so far in total and per channel, pay-page visits, the debtor's
requests and messages, partial payments, payment-plan status, and (in the pooled model) the creditor.

Cold start: fewer than `MIN_SAMPLES` moments, or fewer than `MIN_PER_CLASS` paid or unpaid ones for a
horizon, trains no model. Scoring then takes the creditor's own model, else the pooled model of all
creditors, else the `PRIOR` table of base rates by amount band, lowered as the claim ages.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.decisions import claim_history
from paypage.decisions.claim_history import ClaimHistory
from paypage.domain.ids import new_id
from paypage.domain.money import Money
from paypage.store import models

FORMAT_VERSION = 1
HORIZONS = (30, 90)
SNAPSHOT_EVERY = dt.timedelta(days=14)
HOLDOUT_SHARE = 0.2
MIN_SAMPLES = 200
MIN_PER_CLASS = 20
ISOTONIC_FROM = 1000
CHANNELS = ("email", "sms", "whatsapp", "letter")
ACTIVE_STATES = ("open", "in_collection", "payment_plan", "paused", "disputed")

AMOUNT_BANDS: tuple[tuple[int, str], ...] = ((50, "lt50"), (250, "50-250"), (1000, "250-1000"))
"""Upper bounds in major units of the claim's currency; above the last one the band is `1000+`."""

PRIOR: dict[str, tuple[float, float]] = {
    "lt50": (0.40, 0.65),
    "50-250": (0.32, 0.56),
    "250-1000": (0.22, 0.43),
    "1000+": (0.12, 0.28),
}
"""Cold-start base rates (paid in full within 30, within 90 days) for a fresh claim, by amount band.
Deliberately modest starting assumptions for consumer claims in their first dunning months: smaller
claims are paid more often and sooner. They apply in every country alike until history replaces them."""
PRIOR_PARTIAL_SHARE = 0.10
PRIOR_HALF_LIFE_DAYS = 120.0
"""The prior's odds of payment halve for every this many days a claim is overdue."""


def amount_band(amount: int, currency: str) -> str:
    major = amount / 10 ** Money(0, currency).digits
    for bound, name in AMOUNT_BANDS:
        if major < bound:
            return name
    return "1000+"


# ---------------------------------------------------------------------------------------------- features


def features(history: ClaimHistory, at: dt.datetime, pooled: bool = False) -> dict[str, float]:
    """The claim as it stood at `at`, from what had happened before `at` only."""
    past = history.before(at)
    paid = sum(entry.amount for entry in past)
    outstanding = max(history.principal - paid, 0)
    digits = Money(0, history.currency).digits
    overdue = max((at.date() - history.due_date).days, 0)
    since = max((at - history.created_at).days, 0)
    counts: dict[str, int] = {}
    for entry in past:
        counts[entry.type] = counts.get(entry.type, 0) + 1
        if entry.channel:
            counts[f"channel:{entry.channel}"] = counts.get(f"channel:{entry.channel}", 0) + 1
    plan = "none"
    for entry in past:
        if entry.type == "claim.plan_created":
            plan = "active"
        elif entry.type == "claim.plan_defaulted":
            plan = "defaulted"
    values: dict[str, float] = {
        f"amount_band={amount_band(history.principal, history.currency)}": 1.0,
        f"currency={history.currency}": 1.0,
        f"country={history.country}": 1.0,
        f"debtor_type={history.debtor_type}": 1.0,
        f"plan={plan}": 1.0,
        "log_outstanding": math.log1p(outstanding / 10**digits),
        "days_overdue": overdue / 30.0,
        "log_days_overdue": math.log1p(overdue),
        "days_since_handover": since / 30.0,
        "contacts": math.log1p(counts.get("claim.contacted", 0)),
        "viewed": math.log1p(counts.get("claim.viewed", 0)),
        "viewed_any": 1.0 if counts.get("claim.viewed") else 0.0,
        "requests": float(
            counts.get("debtor.message_received", 0) + counts.get("claim.paused", 0) + counts.get("claim.disputed", 0)
        ),
        "disputed": 1.0 if counts.get("claim.disputed") else 0.0,
        "partial_share": min(paid / history.principal, 1.0) if history.principal > 0 and paid > 0 else 0.0,
    }
    for channel in CHANNELS:
        values[f"contacts_{channel}"] = float(counts.get(f"channel:{channel}", 0))
    if pooled:
        values[f"creditor={history.creditor_id}"] = 1.0
    return values


@dataclass(frozen=True)
class Sample:
    at: dt.datetime
    values: dict[str, float]
    paid_within: tuple[bool, bool]
    """Paid in full within 30, within 90 days after `at`."""
    share_paid_90: float
    """Share of the outstanding balance at `at` paid within 90 days."""
    claim_id: str = ""


def samples(histories: Iterable[ClaimHistory], until: dt.datetime, pooled: bool = False) -> list[Sample]:
    """Moments every 14 days after each hand-over, while the claim was open, with complete labels."""
    found: list[Sample] = []
    last = until - dt.timedelta(days=max(HORIZONS))
    for history in histories:
        closed = history.closed_at()
        paid_at = history.paid_at()
        at = history.created_at
        while at <= last and (closed is None or at < closed):
            outstanding = history.principal - sum(entry.amount for entry in history.before(at))
            if outstanding > 0:
                labels = tuple(
                    paid_at is not None and at < paid_at <= at + dt.timedelta(days=days) for days in HORIZONS
                )
                share = history.paid_between(at, at + dt.timedelta(days=90)) / outstanding
                found.append(
                    Sample(
                        at,
                        features(history, at, pooled),
                        (labels[0], labels[1]),
                        min(max(share, 0.0), 1.0),
                        history.claim_id,
                    )
                )
            at += SNAPSHOT_EVERY
    found.sort(key=lambda sample: sample.at)
    return found


# ------------------------------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Model:
    """A fitted model as plain numbers (what `propensity_models.parameters` holds)."""

    vocabulary: tuple[str, ...]
    means: NDArray[np.float64]
    scales: NDArray[np.float64]
    heads: dict[int, list[dict[str, Any]]]
    """Per horizon, the calibrated folds: `coef`, `intercept`, and `isotonic` (x, y) or `sigmoid` (a, b)."""
    partial_share: float
    pooled: bool

    def matrix(self, rows: Sequence[dict[str, float]]) -> NDArray[np.float64]:
        index = {name: i for i, name in enumerate(self.vocabulary)}
        raw = np.zeros((len(rows), len(self.vocabulary)))
        for r, values in enumerate(rows):
            for name, value in values.items():
                column = index.get(name)
                if column is not None:
                    raw[r, column] = value
        return (raw - self.means) / self.scales

    def predict(self, rows: Sequence[dict[str, float]], horizon: int) -> NDArray[np.float64]:
        x = self.matrix(rows)
        total = np.zeros(len(rows))
        for fold in self.heads[horizon]:
            decision = x @ np.asarray(fold["coef"]) + float(fold["intercept"])
            if "isotonic" in fold:
                xs, ys = fold["isotonic"]
                total += np.interp(decision, np.asarray(xs), np.asarray(ys))
            else:
                a, b = fold["sigmoid"]
                total += 1.0 / (1.0 + np.exp(a * decision + b))
        result: NDArray[np.float64] = np.clip(total / len(self.heads[horizon]), 0.0, 1.0)
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "vocabulary": list(self.vocabulary),
            "means": self.means.tolist(),
            "scales": self.scales.tolist(),
            "heads": {str(h): folds for h, folds in self.heads.items()},
            "partial_share": self.partial_share,
            "pooled": self.pooled,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        return cls(
            vocabulary=tuple(str(name) for name in data["vocabulary"]),
            means=np.asarray(data["means"], dtype=float),
            scales=np.asarray(data["scales"], dtype=float),
            heads={int(h): list(folds) for h, folds in data["heads"].items()},
            partial_share=float(data["partial_share"]),
            pooled=bool(data["pooled"]),
        )


def _head(x: NDArray[np.float64], y: NDArray[np.int_]) -> list[dict[str, Any]]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    method = "isotonic" if len(y) >= ISOTONIC_FROM else "sigmoid"
    # One BLAS thread: for a few dozen columns, threads only contend with the server's other work.
    with threadpool_limits(1):
        fitted = CalibratedClassifierCV(LogisticRegression(C=1.0, max_iter=2000), method=method, cv=3).fit(x, y)
    folds: list[dict[str, Any]] = []
    for calibrated in fitted.calibrated_classifiers_:
        estimator = calibrated.estimator
        fold: dict[str, Any] = {"coef": estimator.coef_[0].tolist(), "intercept": float(estimator.intercept_[0])}
        calibrator = calibrated.calibrators[0]
        if method == "isotonic":
            fold["isotonic"] = [calibrator.X_thresholds_.tolist(), calibrator.y_thresholds_.tolist()]
        else:
            fold["sigmoid"] = [float(calibrator.a_), float(calibrator.b_)]
        folds.append(fold)
    return folds


def enough(found: Sequence[Sample]) -> bool:
    if len(found) < MIN_SAMPLES:
        return False
    for index in range(len(HORIZONS)):
        positives = sum(1 for sample in found if sample.paid_within[index])
        if min(positives, len(found) - positives) < MIN_PER_CLASS:
            return False
    return True


def fit(found: Sequence[Sample], pooled: bool = False) -> Model:
    vocabulary = tuple(sorted({name for sample in found for name in sample.values}))
    index = {name: i for i, name in enumerate(vocabulary)}
    raw = np.zeros((len(found), len(vocabulary)))
    for r, sample in enumerate(found):
        for name, value in sample.values.items():
            raw[r, index[name]] = value
    means = raw.mean(axis=0)
    scales = raw.std(axis=0)
    scales[scales == 0] = 1.0
    x = (raw - means) / scales
    heads = {
        days: _head(x, np.asarray([int(sample.paid_within[i]) for sample in found])) for i, days in enumerate(HORIZONS)
    }
    unpaid = [sample.share_paid_90 for sample in found if not sample.paid_within[1]]
    partial = float(np.mean(unpaid)) if unpaid else PRIOR_PARTIAL_SHARE
    return Model(vocabulary, means, scales, heads, partial, pooled)


def _auc(y: NDArray[np.int_], p: NDArray[np.float64]) -> float | None:
    from sklearn.metrics import roc_auc_score

    return None if len(set(y.tolist())) < 2 else round(float(roc_auc_score(y, p)), 4)


def evaluate(found: Sequence[Sample], pooled: bool = False) -> dict[str, Any]:
    """Time-based holdout: train on moments whose 90-day window closed before the latest 20 % begin."""
    cut = found[int(len(found) * (1 - HOLDOUT_SHARE))].at
    train = [s for s in found if s.at + dt.timedelta(days=max(HORIZONS)) <= cut]
    test = [s for s in found if s.at >= cut]
    metrics: dict[str, Any] = {"holdout_from": cut.isoformat(), "n_train": len(train), "n_test": len(test)}
    if not enough(train) or not test:
        metrics["note"] = "too little history before the holdout to measure"
        return metrics
    model = fit(train, pooled)
    from sklearn.metrics import brier_score_loss

    for i, days in enumerate(HORIZONS):
        y = np.asarray([int(s.paid_within[i]) for s in test])
        p = model.predict([s.values for s in test], days)
        metrics[f"auc_{days}"] = _auc(y, p)
        metrics[f"brier_{days}"] = round(float(brier_score_loss(y, p)), 4)
        metrics[f"base_rate_{days}"] = round(float(y.mean()), 4)
    return metrics


# --------------------------------------------------------------------------------------------- storage


@dataclass(frozen=True)
class Trained:
    model_id: str | None
    """None when there was too little history: scoring keeps using the pooled model or the prior."""
    samples: int
    metrics: dict[str, Any]


def train(session: Session, *, creditor_id: str | None, livemode: bool, now: dt.datetime) -> Trained:
    """Fit on the creditor's history (or every creditor's, pooled, for `creditor_id=None`) and store it."""
    pooled = creditor_id is None
    owners = claim_history.creditor_ids(session) if creditor_id is None else [creditor_id]
    histories = [h for owner in owners for h in claim_history.load(session, owner, livemode)]
    found = samples(histories, now, pooled)
    if not enough(found):
        return Trained(None, len(found), {"note": f"too little history: {len(found)} samples"})
    metrics = evaluate(found, pooled)
    model = fit(found, pooled)
    metrics["n_samples"] = len(found)
    metrics["partial_share_90"] = round(model.partial_share, 4)
    row = models.PropensityModel(
        id=new_id("pmd", now),
        creditor_id=creditor_id,
        livemode=livemode,
        format_version=FORMAT_VERSION,
        parameters=model.to_json(),
        metrics=metrics,
        trained_at=now,
    )
    session.add(row)
    session.flush()
    return Trained(row.id, len(found), metrics)


def latest_model(session: Session, creditor_id: str, livemode: bool) -> tuple[str, Model] | None:
    """The creditor's newest model, else the newest pooled one; None means the prior applies."""
    for owner in (models.PropensityModel.creditor_id == creditor_id, models.PropensityModel.creditor_id.is_(None)):
        row = session.scalars(
            select(models.PropensityModel)
            .where(
                owner,
                models.PropensityModel.livemode == livemode,
                models.PropensityModel.format_version == FORMAT_VERSION,
            )
            .order_by(models.PropensityModel.trained_at.desc(), models.PropensityModel.id.desc())
            .limit(1)
        ).first()
        if row is not None:
            return row.id, Model.from_json(row.parameters)
    return None


# --------------------------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Propensity:
    p_paid_30: float
    p_paid_90: float
    expected_90: int
    """Minor units of `currency`."""
    currency: str
    outstanding: int
    model_id: str | None


def prior(history: ClaimHistory, at: dt.datetime) -> tuple[float, float]:
    return prior_from(amount_band(history.principal, history.currency), history.due_date, at)


def prior_from(band: str, due_date: dt.date, at: dt.datetime) -> tuple[float, float]:
    """The prior from the claim's own columns only: the forecast computes it for claims not scored yet."""
    p30, p90 = PRIOR[band]
    overdue = max((at.date() - due_date).days, 0)
    factor = math.pow(0.5, overdue / PRIOR_HALF_LIFE_DAYS)

    def aged(p: float) -> float:
        odds = p / (1 - p) * factor
        return odds / (1 + odds)

    return aged(p30), aged(p90)


def expected_amount(outstanding: int, p90: float, partial_share: float) -> int:
    return max(0, min(outstanding, round(outstanding * (p90 + (1 - p90) * partial_share))))


def score(
    session: Session,
    *,
    creditor_id: str,
    livemode: bool,
    now: dt.datetime,
    claim_ids: Iterable[str] | None = None,
) -> dict[str, Propensity]:
    """Propensities of the creditor's active claims (or of the given ones), as of `now`."""
    query = select(models.Claim).where(
        models.Claim.creditor_id == creditor_id,
        models.Claim.livemode == livemode,
        models.Claim.state.in_(ACTIVE_STATES),
    )
    if claim_ids is not None:
        query = query.where(models.Claim.id.in_(list(claim_ids)))
    claims = {claim.id: claim for claim in session.scalars(query)}
    if claim_ids is None:
        histories = claim_history.load(session, creditor_id, livemode, states=ACTIVE_STATES)
        histories = [history for history in histories if history.claim_id in claims]
    else:
        histories = claim_history.load(session, creditor_id, livemode, claims)
    loaded = latest_model(session, creditor_id, livemode)
    results: dict[str, Propensity] = {}
    if loaded is not None:
        model_id, model = loaded
        rows = [features(history, now, model.pooled) for history in histories]
        p30s = model.predict(rows, 30) if rows else np.zeros(0)
        p90s = model.predict(rows, 90) if rows else np.zeros(0)
        for history, p30, p90 in zip(histories, p30s, p90s, strict=True):
            # Paid within 30 days implies paid within 90: keep the two heads consistent.
            p90 = max(float(p90), float(p30))
            outstanding = _outstanding(claims[history.claim_id])
            expected = expected_amount(outstanding, p90, model.partial_share)
            results[history.claim_id] = Propensity(float(p30), p90, expected, history.currency, outstanding, model_id)
        return results
    for history in histories:
        p30, p90 = prior(history, now)
        outstanding = _outstanding(claims[history.claim_id])
        expected = expected_amount(outstanding, p90, PRIOR_PARTIAL_SHARE)
        results[history.claim_id] = Propensity(p30, p90, expected, history.currency, outstanding, None)
    return results


def _outstanding(claim: models.Claim) -> int:
    return max(claim.principal + claim.interest + claim.fees_total - claim.paid, 0)


def priority(expected: int, currency: str) -> int:
    """The expected amount in hundredths of the major unit: comparable across currencies' minor units."""
    digits = Money(0, currency).digits
    scale: int = 10 ** abs(2 - digits)
    return expected * scale if digits <= 2 else expected // scale


def refresh_scores(session: Session, *, creditor_id: str, livemode: bool, now: dt.datetime) -> int:
    """Store the current propensity of every active claim; the work queue reads `claim_scores`."""
    scored = score(session, creditor_id=creditor_id, livemode=livemode, now=now)
    existing = {
        row.claim_id: row
        for row in session.scalars(
            select(models.ClaimScore).where(
                models.ClaimScore.creditor_id == creditor_id, models.ClaimScore.livemode == livemode
            )
        )
    }
    for claim_id, found in scored.items():
        row = existing.get(claim_id)
        if row is None:
            row = models.ClaimScore(creditor_id=creditor_id, claim_id=claim_id, livemode=livemode)
            session.add(row)
        row.p_paid_30 = found.p_paid_30
        row.p_paid_90 = found.p_paid_90
        row.expected_90 = found.expected_90
        row.currency = found.currency
        row.priority = priority(found.expected_90, found.currency)
        row.model_id = found.model_id
        row.scored_at = now
    for claim_id, row in existing.items():
        if claim_id not in scored:
            session.delete(row)
    return len(scored)
