"""Thompson sampling over (channel, send hour, tone) with a Bayesian logistic model of the context.

The reward of a contact is 1 when the claim is paid (or a plan agreed) within the attribution window after
it, else 0. Its chance is modelled by `logistic.Posterior` over `features`: the option's parts (channel,
hour, tone, tone on that channel) and each part crossed with the case's context. One model for all
cases of a creditor: what one kind of case teaches about an option carries over, through the shared
weights, to every case that shares a part of that context, where a separate table per segment would
need hundreds of contacts in each segment before it knew anything. This is the contextual bandit with
quadratic (context x action) interactions that the standard libraries build; it is written here in a
few lines of numpy because its state must live in the database, per creditor, updated by the worker
from settled decisions, and be explained in words; a library's model file would be an opaque blob.

Choosing: each option's score is the sum of its parts' weights (the case's own base rate is the same for
every option and drops out). The weights of one part in one context sum to a Gaussian, so DRAWS joint
posterior draws of every part's score are cheap; each draw names a winning option, and their shares are
the Thompson sampling probabilities pi. The policy draws from
p = epsilon / |options| + (1 - epsilon) * pi: the propensity it logs is exactly the probability with
which the option was drawn, not an estimate, which is what off-policy evaluation divides by.

Exploration: Thompson sampling explores by itself; the extra uniform share `epsilon` (EXPLORE_START for
a kind of case without history, falling towards EXPLORE_FLOOR) keeps every allowed option's probability
away from zero, so the logs support off-policy evaluation of any other policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from paypage.decisions import features, logistic
from paypage.decisions.context import Context
from paypage.decisions.guardrails import Action
from paypage.decisions.logistic import Posterior

DRAWS = 128
EXPLORE_START = 0.10
EXPLORE_FLOOR = 0.02
EXPLORE_HALF = 1000


def exploration(posterior: Posterior, context: Context) -> float:
    """The share of uniformly random choices for a case: EXPLORE_START while its kind of case has no
    history, falling towards EXPLORE_FLOOR as contacts of that kind are settled (EXPLORE_HALF of them
    halve the distance). Early on, random choices spread the evidence over all options; later they
    would only cost payments, and the floor keeps the logs usable for off-policy evaluation."""
    kind = features.context_attributes(context)[-1]
    trials = posterior.trials(kind)
    return EXPLORE_FLOOR + (EXPLORE_START - EXPLORE_FLOOR) * EXPLORE_HALF / (EXPLORE_HALF + trials)


@dataclass(frozen=True)
class Choice:
    action: Action
    index: int
    """Position of the chosen option in the list offered."""
    propensity: float
    explored: bool
    channel_means: Mapping[str, float]
    """Best posterior-mean payment chance among each offered channel's options (for the explanation)."""
    chosen_mean: float
    """Posterior-mean payment chance of the chosen option."""
    thompson: Sequence[float]
    """Each option's probability under Thompson sampling alone (before the uniform share)."""
    default: bool
    """The chosen option is the fixed strategy's own."""


def choose(
    posterior: Posterior,
    context: Context,
    actions: Sequence[Action],
    template: str,
    rng: np.random.Generator,
    *,
    default: Action | None = None,
    epsilon: float | None = None,
) -> Choice:
    """`epsilon`: the share of uniformly random choices; by default `exploration(...)` for the case."""
    if not actions:
        raise ValueError("no action to choose from")
    attributes = features.context_attributes(context)
    parts: dict[str, int] = {}
    incidence_rows = []
    for action in actions:
        row = [parts.setdefault(part, len(parts)) for part in features.option_parts(action, template, default)]
        incidence_rows.append(row)
    incidence = np.zeros((len(actions), len(parts)))
    for position, row in enumerate(incidence_rows):
        incidence[position, row] = 1.0
    moments = np.array([posterior.moments(features.part_features(part, attributes)) for part in parts])
    means, spreads = moments[:, 0], np.sqrt(moments[:, 1])
    draws = means[:, None] + spreads[:, None] * rng.standard_normal((len(parts), DRAWS))
    winners = (incidence @ draws).argmax(axis=0)
    thompson = np.bincount(winners, minlength=len(actions)) / DRAWS
    if epsilon is None:
        epsilon = exploration(posterior, context)
    explored = bool(rng.random() < epsilon)
    index = int(rng.integers(len(actions))) if explored else int(rng.choice(len(actions), p=thompson))
    propensity = epsilon / len(actions) + (1 - epsilon) * float(thompson[index])
    base, _ = posterior.moments([features.BIAS, *attributes])
    expected = logistic.sigmoid(base + incidence @ means)
    channel_means: dict[str, float] = {}
    for action, chance in zip(actions, expected, strict=True):
        channel_means[action.channel] = max(channel_means.get(action.channel, 0.0), float(chance))
    return Choice(
        action=actions[index],
        index=index,
        propensity=propensity,
        explored=explored,
        channel_means=channel_means,
        chosen_mean=float(expected[index]),
        thompson=[float(share) for share in thompson],
        default=actions[index] == default,
    )
