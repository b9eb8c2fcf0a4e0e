"""Off-policy evaluation: what another policy would have earned, estimated from the logged decisions.

Each logged decision carries the probability the logging policy had of choosing what it chose (its
propensity). Re-weighting the observed rewards by target probability / logged probability gives an
unbiased estimate of the target policy's value per contact (inverse propensity scoring, IPS) as long
as the logging policy gave every option the target might choose a non-zero chance, which the contact
policy's exploration share guarantees. The self-normalised variant (SNIPS) trades a little bias for a
smaller variance; the doubly robust estimate (DR) adds a reward model's prediction and re-weights only
its error, so a good model shrinks the variance and a bad one does not bias it.

Confidence intervals are normal approximations over the per-decision terms (95 % by default).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from paypage.store import models

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    method: str
    value: float
    stderr: float
    low: float
    high: float
    n: int

    def covers(self, truth: float) -> bool:
        return self.low <= truth <= self.high


def _arrays(*columns: npt.ArrayLike) -> list[np.ndarray]:
    arrays = [np.asarray(column, dtype=float) for column in columns]
    if len({len(a) for a in arrays}) != 1 or not len(arrays[0]):
        raise ValueError("the columns must be non-empty and of equal length")
    if np.any(arrays[1] <= 0) or np.any(arrays[1] > 1):
        raise ValueError("propensities must be in (0, 1]")
    return arrays


def _interval(method: str, terms: np.ndarray, z: float) -> Estimate:
    value = float(terms.mean())
    stderr = float(terms.std(ddof=1) / math.sqrt(len(terms))) if len(terms) > 1 else math.inf
    return Estimate(method, value, stderr, value - z * stderr, value + z * stderr, len(terms))


def ips(
    rewards: npt.ArrayLike, propensities: npt.ArrayLike, target_probabilities: npt.ArrayLike, z: float = Z_95
) -> Estimate:
    """`target_probabilities[i]`: the target policy's probability of the logged choice in decision i."""
    reward, logged, target = _arrays(rewards, propensities, target_probabilities)
    return _interval("IPS", target / logged * reward, z)


def snips(
    rewards: npt.ArrayLike, propensities: npt.ArrayLike, target_probabilities: npt.ArrayLike, z: float = Z_95
) -> Estimate:
    reward, logged, target = _arrays(rewards, propensities, target_probabilities)
    weights = target / logged
    total = weights.sum()
    if total <= 0:
        raise ValueError("the target policy never chooses what was logged")
    value = float((weights * reward).sum() / total)
    # Delta method: the ratio estimate's variance from the weighted residuals.
    residual = weights * (reward - value) / weights.mean()
    stderr = float(residual.std(ddof=1) / math.sqrt(len(reward)))
    return Estimate("SNIPS", value, stderr, value - z * stderr, value + z * stderr, len(reward))


def doubly_robust(
    rewards: npt.ArrayLike,
    propensities: npt.ArrayLike,
    target_probabilities: npt.ArrayLike,
    model_logged: npt.ArrayLike,
    model_target: npt.ArrayLike,
    z: float = Z_95,
) -> Estimate:
    """`model_logged[i]`: the reward model's prediction for the logged choice; `model_target[i]`: its
    expectation under the target policy (sum over options of target probability x prediction)."""
    reward, logged, target, predicted, expected = _arrays(
        rewards, propensities, target_probabilities, model_logged, model_target
    )
    return _interval("DR", expected + target / logged * (reward - predicted), z)


Target = Callable[[Mapping[str, Any], Sequence[str], str], Mapping[str, float]]
"""(features, option keys, template) -> probability of each option key under the target policy."""


def evaluate_logged(session: Session, *, creditor_id: str, livemode: bool, target: Target) -> Estimate:
    """IPS estimate of `target`'s payment rate per contact from a creditor's settled decisions."""
    rows = session.scalars(
        select(models.ContactDecision).where(
            models.ContactDecision.creditor_id == creditor_id,
            models.ContactDecision.livemode == livemode,
            models.ContactDecision.status == "settled",
        )
    )
    rewards: list[float] = []
    propensities: list[float] = []
    targets: list[float] = []
    for row in rows:
        options = row.context.get("options", [])
        chosen = f"{row.channel}@{row.hour:02d}/{row.tone}"
        probabilities = target(row.context.get("features", {}), options, row.template)
        rewards.append(float(row.reward or 0))
        propensities.append(row.propensity)
        targets.append(float(probabilities.get(chosen, 0.0)))
    return ips(rewards, propensities, targets)
