"""Off-policy evaluation: what another policy would have earned, estimated from the logged decisions.

Each logged decision carries the probability the logging policy had of choosing what it chose (its
propensity). Re-weighting the observed rewards by target probability / logged probability gives an
unbiased estimate of the target policy's value per contact (inverse propensity scoring, IPS) as long
as the logging policy gave every option the target might choose a non-zero chance, which the contact
policy's exploration share guarantees. The self-normalised variant (SNIPS) trades a little bias for a
smaller variance; the doubly robust estimate (DR) adds a reward model's prediction and re-weights only
its error, so a good model shrinks the variance and a bad one does not bias it.

Confidence intervals are normal approximations (95 % by default). Decisions about the same claim are
not independent (one debtor, one history), so with `groups` (the claim of each decision) the standard
error is cluster-robust: the terms are summed per claim before their spread is taken.
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

from paypage.decisions.guardrails import Action
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


def _stderr(deviations: np.ndarray, groups: Sequence[object] | None) -> float:
    """Standard error of a mean whose per-decision deviations from it are given."""
    count = len(deviations)
    if count < 2:
        return math.inf
    if groups is None:
        return float(deviations.std(ddof=1) / math.sqrt(count))
    if len(groups) != count:
        raise ValueError("one group per decision")
    sums: dict[object, float] = {}
    for group, deviation in zip(groups, deviations.tolist(), strict=True):
        sums[group] = sums.get(group, 0.0) + deviation
    clusters = len(sums)
    if clusters < 2:
        return math.inf
    total = sum(value * value for value in sums.values())
    return math.sqrt(total * clusters / (clusters - 1)) / count


def _interval(method: str, terms: np.ndarray, z: float, groups: Sequence[object] | None) -> Estimate:
    value = float(terms.mean())
    stderr = _stderr(terms - value, groups)
    return Estimate(method, value, stderr, value - z * stderr, value + z * stderr, len(terms))


def ips(
    rewards: npt.ArrayLike,
    propensities: npt.ArrayLike,
    target_probabilities: npt.ArrayLike,
    z: float = Z_95,
    groups: Sequence[object] | None = None,
) -> Estimate:
    """`target_probabilities[i]`: the target policy's probability of the logged choice in decision i."""
    reward, logged, target = _arrays(rewards, propensities, target_probabilities)
    return _interval("IPS", target / logged * reward, z, groups)


def snips(
    rewards: npt.ArrayLike,
    propensities: npt.ArrayLike,
    target_probabilities: npt.ArrayLike,
    z: float = Z_95,
    groups: Sequence[object] | None = None,
) -> Estimate:
    reward, logged, target = _arrays(rewards, propensities, target_probabilities)
    weights = target / logged
    total = weights.sum()
    if total <= 0:
        raise ValueError("the target policy never chooses what was logged")
    value = float((weights * reward).sum() / total)
    # Delta method: the ratio estimate's variance from the weighted residuals.
    stderr = _stderr(weights * (reward - value) / weights.mean(), groups)
    return Estimate("SNIPS", value, stderr, value - z * stderr, value + z * stderr, len(reward))


def doubly_robust(
    rewards: npt.ArrayLike,
    propensities: npt.ArrayLike,
    target_probabilities: npt.ArrayLike,
    model_logged: npt.ArrayLike,
    model_target: npt.ArrayLike,
    z: float = Z_95,
    groups: Sequence[object] | None = None,
) -> Estimate:
    """`model_logged[i]`: the reward model's prediction for the logged choice; `model_target[i]`: its
    expectation under the target policy (sum over options of target probability x prediction)."""
    reward, logged, target, predicted, expected = _arrays(
        rewards, propensities, target_probabilities, model_logged, model_target
    )
    return _interval("DR", expected + target / logged * (reward - predicted), z, groups)


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
    claims: list[str] = []
    for row in rows:
        options = row.context.get("options", [])
        chosen = Action(row.channel, row.hour, row.tone).key()
        probabilities = target(row.context.get("features", {}), options, row.template)
        rewards.append(float(row.reward or 0))
        propensities.append(row.propensity)
        targets.append(float(probabilities.get(chosen, 0.0)))
        claims.append(row.claim_id)
    return ips(rewards, propensities, targets, groups=claims)
