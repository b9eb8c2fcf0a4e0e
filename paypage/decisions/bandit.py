"""Thompson sampling over (channel, send hour, tone), with Beta-Bernoulli arms pooled across segments.

The reward of a contact is 1 when the claim is paid (or a plan agreed) within the attribution window after
it, else 0. The choice is factored: first the channel, then the hour on that channel, then the tone for
the step's template, each from its own Beta posterior. A factored model needs far fewer contacts to learn
than one arm per full combination (7 hours x 6 tones x 4 channels), keeps the one interaction that is
strong in practice (the hour depends on the channel), and each dimension explains itself.

Pooling: a segment's arm borrows strength from the coarser segment above it. The posterior of an arm at
level l is Beta(m * mean(l-1) + successes(l), m * (1 - mean(l-1)) + failures(l)), from the creditor as a
whole down to the case's country, kind and last channel; `m` (POOLING) pseudo-contacts of the coarser
mean. A new segment therefore starts from what is known about similar cases, not from nothing.

Exploration: Thompson sampling explores by itself; an extra EPSILON of uniformly random choices keeps
every allowed option's probability away from zero, so the logs support off-policy evaluation of any
other policy.

Propensity: the probability that the policy picks the chosen option. For the Thompson part there is no
closed form, so it is estimated by resampling: RESAMPLES fresh posterior draws per dimension, the chosen
value's share of wins, and the product over the three dimensions. The dimensions are drawn independently,
so the product of the three unbiased shares is an unbiased estimate of the joint probability (an add-one
correction would not be: it inflates small probabilities and biases IPS low, which the simulator showed).
The exploration share keeps the mixed propensity at least EPSILON / |options| even when a share is zero.
With 1000 draws a share's standard error is at most 0.016. Mixed with the exploration part:
p = EPSILON / |options| + (1 - EPSILON) * p_thompson.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from paypage.decisions.guardrails import Action

PRIOR_MEAN = 0.1
"""Before any data: a contact leads to payment one time in ten."""
PRIOR_STRENGTH = 2.0
POOLING = 30.0
EPSILON = 0.05
RESAMPLES = 1000

ArmKey = tuple[str, str]
"""(segment, arm name)."""


def arm_names(action: Action, template: str) -> tuple[str, str, str]:
    return (f"c:{action.channel}", f"h:{action.channel}:{action.hour}", f"t:{template}:{action.tone}")


@dataclass
class Arms:
    """Successes and trials per (segment, arm): the whole state of the policy."""

    counts: dict[ArmKey, tuple[int, int]] = field(default_factory=dict)

    def add(self, segments: Iterable[str], names: Iterable[str], reward: int) -> None:
        names = tuple(names)
        for segment in segments:
            for name in names:
                successes, trials = self.counts.get((segment, name), (0, 0))
                self.counts[(segment, name)] = (successes + reward, trials + 1)

    def posterior(self, segments: Sequence[str], name: str) -> tuple[float, float]:
        """Beta parameters of `name` in the finest segment, each level's prior the level above's mean."""
        alpha, beta = PRIOR_MEAN * PRIOR_STRENGTH, (1 - PRIOR_MEAN) * PRIOR_STRENGTH
        for depth, segment in enumerate(segments):
            successes, trials = self.counts.get((segment, name), (0, 0))
            if depth:
                mean = alpha / (alpha + beta)
                alpha, beta = POOLING * mean, POOLING * (1 - mean)
            alpha, beta = alpha + successes, beta + trials - successes
        return alpha, beta


@dataclass(frozen=True)
class Choice:
    action: Action
    index: int
    """Position of the chosen option in the list offered."""
    propensity: float
    explored: bool
    channel_means: Mapping[str, float]
    """Posterior mean payment rate of each offered channel (for the explanation)."""
    chosen_mean: float
    """Posterior mean of the chosen channel-hour-tone, as the product model's expectation's proxy."""


def _winners(rng: np.random.Generator, params: Sequence[tuple[float, float]], samples: int) -> np.ndarray:
    """For each of `samples` joint posterior draws, the index of the value with the highest draw."""
    alpha = np.array([a for a, _ in params])[:, None]
    beta = np.array([b for _, b in params])[:, None]
    result: np.ndarray = rng.beta(alpha, beta, size=(len(params), samples)).argmax(axis=0)
    return result


def choose(
    arms: Arms,
    segments: Sequence[str],
    actions: Sequence[Action],
    template: str,
    rng: np.random.Generator,
    *,
    epsilon: float = EPSILON,
    samples: int = RESAMPLES,
) -> Choice:
    if not actions:
        raise ValueError("no action to choose from")
    channels = sorted({action.channel for action in actions})
    channel_params = [arms.posterior(segments, f"c:{channel}") for channel in channels]
    channel_means = {c: a / (a + b) for c, (a, b) in zip(channels, channel_params, strict=True)}
    explored = rng.random() < epsilon
    if explored:
        picked = actions[int(rng.integers(len(actions)))]
    else:
        channel = channels[int(_winners(rng, channel_params, 1)[0])]
        hours = sorted({a.hour for a in actions if a.channel == channel})
        hour = hours[int(_winners(rng, [arms.posterior(segments, f"h:{channel}:{h}") for h in hours], 1)[0])]
        tones = sorted({a.tone for a in actions if a.channel == channel and a.hour == hour})
        tone = tones[int(_winners(rng, [arms.posterior(segments, f"t:{template}:{t}") for t in tones], 1)[0])]
        picked = Action(channel, hour, tone)
    thompson = _thompson_probability(arms, segments, actions, template, picked, rng, samples)
    propensity = epsilon / len(actions) + (1 - epsilon) * thompson
    names = arm_names(picked, template)
    means = [a / (a + b) for a, b in (arms.posterior(segments, name) for name in names)]
    return Choice(
        action=picked,
        index=list(actions).index(picked),
        propensity=propensity,
        explored=explored,
        channel_means=channel_means,
        chosen_mean=float(np.mean(means)),
    )


def _thompson_probability(
    arms: Arms,
    segments: Sequence[str],
    actions: Sequence[Action],
    template: str,
    picked: Action,
    rng: np.random.Generator,
    samples: int,
) -> float:
    """P(Thompson sampling picks `picked`), by resampling each dimension (see the module docstring)."""
    channels = sorted({a.channel for a in actions})
    hours = sorted({a.hour for a in actions if a.channel == picked.channel})
    tones = sorted({a.tone for a in actions if a.channel == picked.channel and a.hour == picked.hour})
    probability = 1.0
    dimensions: tuple[tuple[list[str], str], ...] = (
        ([f"c:{c}" for c in channels], f"c:{picked.channel}"),
        ([f"h:{picked.channel}:{h}" for h in hours], f"h:{picked.channel}:{picked.hour}"),
        ([f"t:{template}:{t}" for t in tones], f"t:{template}:{picked.tone}"),
    )
    for names, wanted in dimensions:
        if len(names) == 1:
            continue
        winners = _winners(rng, [arms.posterior(segments, name) for name in names], samples)
        wins = int(np.count_nonzero(winners == names.index(wanted)))
        probability *= wins / samples
    return probability
