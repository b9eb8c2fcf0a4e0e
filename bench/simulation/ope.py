"""Off-policy evaluation on simulated logs: the estimate of a target policy's payment rate per contact
from another policy's logged decisions, next to its true value (known only in the simulator)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bench.simulation.run import Logged
from paypage.decisions import offpolicy

TargetProbabilities = Callable[[Logged], Sequence[float]]
"""For one logged situation: the target policy's probability of each offered option."""


def fixed_target(entry: Logged) -> list[float]:
    return [1.0 if index == entry.fixed else 0.0 for index in range(len(entry.options))]


def uniform_target(entry: Logged) -> list[float]:
    return [1.0 / len(entry.options)] * len(entry.options)


@dataclass(frozen=True)
class Evaluation:
    truth: float
    estimates: tuple[offpolicy.Estimate, ...]


def _reward_model(train: Sequence[Logged]) -> Callable[[Logged, int], float]:
    """Mean reward per (kind of case, template, channel, tone), shrunk towards the overall mean: a simple
    model on purpose; DR stays unbiased when it is wrong."""
    overall = float(np.mean([e.reward for e in train])) if train else 0.0
    sums: dict[tuple[str, str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for entry in train:
        action = entry.options[entry.chosen]
        cell = sums[(entry.segment, entry.template, action.channel, action.tone)]
        cell[0] += entry.reward
        cell[1] += 1

    def predict(entry: Logged, index: int) -> float:
        action = entry.options[index]
        total, count = sums.get((entry.segment, entry.template, action.channel, action.tone), (0.0, 0.0))
        return (total + 20 * overall) / (count + 20)

    return predict


def evaluate(log: Sequence[Logged], target: TargetProbabilities) -> Evaluation:
    if not log:
        raise ValueError("no logged decisions")
    rewards = [float(e.reward) for e in log]
    propensities = [e.propensity for e in log]
    probabilities = [target(e) for e in log]
    chosen = [p[e.chosen] for e, p in zip(log, probabilities, strict=True)]
    truth = float(np.mean([np.dot(p, e.truth) for e, p in zip(log, probabilities, strict=True)]))
    # Cross-fitting: the reward model for each half is fitted on the other half.
    halves = (log[0::2], log[1::2])
    models = (_reward_model(halves[1]), _reward_model(halves[0]))
    predicted_logged: list[float] = []
    predicted_target: list[float] = []
    for position, entry in enumerate(log):
        model = models[position % 2]
        predicted_logged.append(model(entry, entry.chosen))
        predicted_target.append(sum(p * model(entry, i) for i, p in enumerate(probabilities[position]) if p))
    claims = [entry.claim for entry in log]
    return Evaluation(
        truth,
        (
            offpolicy.ips(rewards, propensities, chosen, groups=claims),
            offpolicy.snips(rewards, propensities, chosen, groups=claims),
            offpolicy.doubly_robust(rewards, propensities, chosen, predicted_logged, predicted_target, groups=claims),
        ),
    )
