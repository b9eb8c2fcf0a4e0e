"""Thompson sampling over (channel, send hour, tone), with Beta-Bernoulli arms pooled across segments.

The reward of a contact is 1 when the claim is paid (or a plan agreed) within the attribution window after
it, else 0. The choice is factored: first the channel, then the hour on that channel, then the tone for
the step's template on that channel, each from its own Beta posterior. A factored model needs far fewer
contacts to learn than one arm per full combination (7 hours x 6 tones x 4 channels), keeps the
interactions that are strong in practice (the hour and the wording that work depend on the channel: a
firm letter is not a firm text), and each dimension explains itself.

Pooling: a segment's arm borrows strength from the coarser segment above it. The posterior of an arm at
level l is Beta(m * mean(l-1) + successes(l), m * (1 - mean(l-1)) + failures(l)), from the creditor as a
whole down to the kind of case and then the case's country and last channel; `m` (POOLING) pseudo-contacts
of the coarser mean. A new segment therefore starts from what is known about similar cases. The weight
is high on purpose: the differences worth learning are a few points of payment rate, and a prior of a
few dozen contacts would leave a fine segment's posteriors so wide that Thompson sampling chooses almost
at random there for hundreds of contacts; with POOLING a fine segment follows its kind of case until its
own evidence is strong enough to say otherwise.

Exploration: Thompson sampling explores by itself; an extra share of uniformly random choices
(`exploration`: EXPLORE_START for a kind of case without history, falling towards EXPLORE_FLOOR) keeps
every allowed option's probability away from zero, so the logs support off-policy evaluation of any
other policy, without paying a fixed 5 % forever.

Propensity: the probability that the policy picks the chosen option, computed, not estimated. The three
dimensions are drawn independently, so the Thompson part is the product of each dimension's chance that
the chosen value has the highest draw. For independent Beta posteriors that chance is
P(i wins) = integral of prod_{j != i} F_j(x) dF_i(x), evaluated by the midpoint rule on GRID intervals
spanning all the posteriors' mass (a test checks it against 200,000 joint draws). An estimate from a
few hundred posterior resamples would be noisy, and IPS divides by it: a rare option's share estimated
as zero falls to the exploration floor and its rewards are over-weighted. Mixed with the exploration
part: p = epsilon / |options| + (1 - epsilon) * p_thompson, so it is never below epsilon / |options|.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special  # type: ignore[import-untyped]

from paypage.decisions.guardrails import Action

PRIOR_MEAN = 0.1
"""Before any data: a contact leads to payment one time in ten."""
PRIOR_STRENGTH = 2.0
POOLING = 200.0
EXPLORE_START = 0.10
EXPLORE_FLOOR = 0.02
EXPLORE_HALF = 1000
GRID = 512
TAIL = 1e-7
"""The quadrature covers each posterior from its TAIL to its 1 - TAIL quantile."""

ArmKey = tuple[str, str]
"""(segment, arm name)."""


def arm_names(action: Action, template: str) -> tuple[str, str, str]:
    channel = action.channel
    return (_channel_arm(template, channel), f"h:{channel}:{action.hour}", _tone_arm(template, channel, action.tone))


def _channel_arm(template: str, channel: str) -> str:
    # Per template: channels are offered in different steps (a text only on some), and a channel's
    # payment rate pooled over steps would mostly measure which steps offer it, not what it does.
    return f"c:{template}:{channel}"


def _tone_arm(template: str, channel: str, tone: str) -> str:
    return f"t:{template}:{channel}:{tone}"


def exploration(arms: Arms, segments: Sequence[str], template: str, channels: Iterable[str]) -> float:
    """The share of uniformly random choices for a case: EXPLORE_START while its kind of case has no
    history, falling towards EXPLORE_FLOOR as contacts of that kind are settled (EXPLORE_HALF of them
    halve the distance). Early on, random choices spread the evidence over all options; later they
    would only cost payments, and the floor keeps the logs usable for off-policy evaluation."""
    kind = segments[1] if len(segments) > 1 else segments[0]
    trials = sum(arms.counts.get((kind, _channel_arm(template, channel)), (0, 0))[1] for channel in channels)
    return EXPLORE_FLOOR + (EXPLORE_START - EXPLORE_FLOOR) * EXPLORE_HALF / (EXPLORE_HALF + trials)


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
    epsilon: float | None = None,
) -> Choice:
    """`epsilon`: the share of uniformly random choices; by default `exploration(...)` for the case."""
    if not actions:
        raise ValueError("no action to choose from")
    channels = sorted({action.channel for action in actions})
    if epsilon is None:
        epsilon = exploration(arms, segments, template, channels)
    channel_params = [arms.posterior(segments, _channel_arm(template, channel)) for channel in channels]
    channel_means = {c: a / (a + b) for c, (a, b) in zip(channels, channel_params, strict=True)}
    explored = rng.random() < epsilon
    if explored:
        picked = actions[int(rng.integers(len(actions)))]
    else:
        channel = channels[int(_winners(rng, channel_params, 1)[0])]
        hours = sorted({a.hour for a in actions if a.channel == channel})
        hour = hours[int(_winners(rng, [arms.posterior(segments, f"h:{channel}:{h}") for h in hours], 1)[0])]
        tones = sorted({a.tone for a in actions if a.channel == channel and a.hour == hour})
        tone_params = [arms.posterior(segments, _tone_arm(template, channel, t)) for t in tones]
        tone = tones[int(_winners(rng, tone_params, 1)[0])]
        picked = Action(channel, hour, tone)
    thompson = _thompson_probability(arms, segments, actions, template, picked)
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


def win_probabilities(params: Sequence[tuple[float, float]]) -> np.ndarray:
    """For independent Beta(alpha, beta) posteriors, each one's chance of the highest draw."""
    if len(params) == 1:
        return np.ones(1)
    alpha = np.array([a for a, _ in params], dtype=float)
    beta = np.array([b for _, b in params], dtype=float)
    low = float(np.min(special.betaincinv(alpha, beta, TAIL)))
    high = float(np.max(special.betaincinv(alpha, beta, 1 - TAIL)))
    edges = np.linspace(low, high, GRID + 1)
    middles = np.clip((edges[1:] + edges[:-1]) / 2, 1e-12, 1 - 1e-12)
    # Each posterior's mass per interval: density x width (midpoint rule), or from the CDF itself where
    # the density is unbounded at 0 or 1 (a parameter below one).
    log_density = (
        (alpha[:, None] - 1) * np.log(middles)[None, :]
        + (beta[:, None] - 1) * np.log1p(-middles)[None, :]
        - special.betaln(alpha, beta)[:, None]
    )
    mass = np.exp(log_density) * (edges[1] - edges[0])
    unbounded = (alpha < 1) | (beta < 1)
    if unbounded.any():
        cdf = special.betainc(alpha[unbounded, None], beta[unbounded, None], edges[None, :])
        mass[unbounded] = np.diff(np.asarray(cdf, dtype=float), axis=1)
    mass /= mass.sum(axis=1, keepdims=True)
    below = np.cumsum(mass, axis=1) - mass / 2  # each CDF at each interval's middle
    logs = np.log(np.maximum(below, 1e-300))
    others = np.exp(logs.sum(axis=0)[None, :] - logs)
    wins = (mass * others).sum(axis=1)
    result: np.ndarray = wins / wins.sum()
    return result


def _thompson_probability(
    arms: Arms, segments: Sequence[str], actions: Sequence[Action], template: str, picked: Action
) -> float:
    """P(Thompson sampling picks `picked`): the product of the three dimensions' win chances."""
    channels = sorted({a.channel for a in actions})
    hours = sorted({a.hour for a in actions if a.channel == picked.channel})
    tones = sorted({a.tone for a in actions if a.channel == picked.channel and a.hour == picked.hour})
    probability = 1.0
    dimensions: tuple[tuple[list[str], str], ...] = (
        ([_channel_arm(template, c) for c in channels], _channel_arm(template, picked.channel)),
        ([f"h:{picked.channel}:{h}" for h in hours], f"h:{picked.channel}:{picked.hour}"),
        ([_tone_arm(template, picked.channel, t) for t in tones], _tone_arm(template, picked.channel, picked.tone)),
    )
    for names, wanted in dimensions:
        if len(names) > 1:
            wins = win_probabilities([arms.posterior(segments, name) for name in names])
            probability *= float(wins[names.index(wanted)])
    return probability
