"""The bandit: it learns the better option, its propensities match how often it really chooses, what
one kind of case teaches reaches a kind never seen, the fixed strategy's option keeps its place until
evidence says otherwise, and the context holds no protected attribute."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np

from paypage.decisions import bandit, features, logistic
from paypage.decisions.context import PROTECTED, Context, amount_band, overdue_band
from paypage.decisions.guardrails import Action
from paypage.decisions.policy import learning_enabled
from paypage.domain.money import Money

ACTIONS = [
    Action(channel, hour, tone)
    for channel in ("email", "sms")
    for hour in (10, 18)
    for tone in ("neutral", "empathetic")
]
CONTEXT = Context("DE", "person", "small", "15-30", 1, "email", False)


def taught(rates: dict[Action, float], contacts: int, seed: int = 1, context: Context = CONTEXT) -> logistic.Posterior:
    """The model after `contacts` uniformly random contacts with the given true payment rates, learned in
    daily batches of 100 as the worker does."""
    rng = np.random.default_rng(seed)
    posterior = logistic.Posterior()
    batch: list[tuple[list[str], int]] = []
    for _ in range(contacts):
        action = ACTIONS[int(rng.integers(len(ACTIONS)))]
        batch.append((features.decision_features(context, action, "notice"), int(rng.random() < rates[action])))
        if len(batch) == 100:
            posterior.learn(batch)
            batch = []
    posterior.learn(batch)
    return posterior


def test_after_enough_evidence_the_best_option_is_chosen_almost_always() -> None:
    best = Action("sms", 18, "empathetic")
    rates = {
        a: 0.05 + 0.10 * (a.channel == "sms") + 0.08 * (a.hour == 18) + 0.08 * (a.tone == "empathetic") for a in ACTIONS
    }
    posterior = taught(rates, 6000)
    rng = np.random.default_rng(7)
    picks = Counter(bandit.choose(posterior, CONTEXT, ACTIONS, "notice", rng).action for _ in range(100))
    assert picks[best] / 100 > 0.8


def test_the_propensity_is_the_frequency_of_the_choice() -> None:
    rates = {a: 0.10 + 0.03 * (a.channel == "sms") + 0.02 * (a.tone == "empathetic") for a in ACTIONS}
    posterior = taught(rates, 300)  # a posterior still uncertain: the policy spreads its choices
    rng = np.random.default_rng(11)
    choices = [bandit.choose(posterior, CONTEXT, ACTIONS, "notice", rng) for _ in range(600)]
    counts = Counter(c.action for c in choices)
    assert len(counts) > 2
    mean_propensity: dict[Action, list[float]] = {}
    for choice in choices:
        mean_propensity.setdefault(choice.action, []).append(choice.propensity)
    for action, count in counts.items():
        if count >= 60:
            observed = count / len(choices)
            assert abs(float(np.mean(mean_propensity[action])) - observed) < 0.06, action
    assert all(0 < c.propensity <= 1 for c in choices)
    expected = bandit.exploration(posterior, CONTEXT)
    assert 0.02 < expected < 0.10
    assert abs(sum(c.explored for c in choices) / len(choices) - expected) < 0.04


def test_exploration_falls_with_the_history_of_the_kind_of_case() -> None:
    fresh = bandit.exploration(logistic.Posterior(), CONTEXT)
    some = bandit.exploration(taught({a: 0.1 for a in ACTIONS}, 1000), CONTEXT)
    much = bandit.exploration(taught({a: 0.1 for a in ACTIONS}, 20_000), CONTEXT)
    assert fresh == bandit.EXPLORE_START
    assert fresh > some > much > bandit.EXPLORE_FLOOR
    assert much < 1.3 * bandit.EXPLORE_FLOOR


def test_what_one_kind_of_case_taught_reaches_a_kind_never_seen() -> None:
    """SMS beat e-mail for small amounts; for a medium amount, never seen, the policy already leans to SMS,
    because the weight of `ch=sms` (and its cross with the debtor type) is shared."""
    rates = {a: 0.20 if a.channel == "sms" else 0.05 for a in ACTIONS}
    posterior = taught(rates, 2000)
    unseen = dataclasses.replace(CONTEXT, amount_band="medium", country="AT", overdue_band="31-60")
    rng = np.random.default_rng(5)
    picks = Counter(bandit.choose(posterior, unseen, ACTIONS, "notice", rng).action.channel for _ in range(200))
    assert picks["sms"] > 170


def test_the_strategys_own_option_is_preferred_until_the_evidence_says_otherwise() -> None:
    own = Action("email", 10, "neutral")
    fresh = Counter(
        bandit.choose(logistic.Posterior(), CONTEXT, ACTIONS, "notice", np.random.default_rng(i), default=own).action
        for i in range(300)
    )
    # No data: what the creditor reviewed is the likeliest choice by far (uniform would be 1 in 8).
    assert fresh.most_common(1)[0][0] == own and fresh[own] > 2 * 300 / len(ACTIONS)
    rates = {a: 0.25 if a == Action("sms", 18, "empathetic") else 0.05 for a in ACTIONS}
    posterior = taught(rates, 4000)
    later = Counter(
        bandit.choose(posterior, CONTEXT, ACTIONS, "notice", np.random.default_rng(i), default=own).action
        for i in range(300)
    )
    assert later[Action("sms", 18, "empathetic")] > 0.7 * 300


def test_learning_in_batches_matches_learning_at_once() -> None:
    """The state is a table of weights updated batch by batch; the result stays close to one fit on all."""
    rates = {a: 0.08 + 0.06 * (a.channel == "sms") for a in ACTIONS}
    batched = taught(rates, 2000)
    rng = np.random.default_rng(1)
    rows = []
    for _ in range(2000):
        action = ACTIONS[int(rng.integers(len(ACTIONS)))]
        rows.append((features.decision_features(CONTEXT, action, "notice"), int(rng.random() < rates[action])))
    once = logistic.Posterior()
    once.learn(rows)
    for action in ACTIONS:
        names = features.decision_features(CONTEXT, action, "notice")
        assert abs(logistic.probability(batched, names) - logistic.probability(once, names)) < 0.02
        assert abs(logistic.probability(once, names) - rates[action]) < 0.03


def test_the_context_has_no_protected_attribute_and_bands_are_right() -> None:
    fields = {field.name for field in dataclasses.fields(Context)}
    assert not fields & PROTECTED
    assert [amount_band(Money(a, "EUR")) for a in (9_999, 10_000, 99_999, 100_000)] == [
        "small",
        "medium",
        "medium",
        "large",
    ]
    assert amount_band(Money(50_000, "JPY")) == "large"  # no minor units: 50,000 yen
    import datetime as dt

    due = dt.date(2026, 3, 1)
    assert [overdue_band(due, due + dt.timedelta(days=d)) for d in (0, 14, 15, 30, 31, 60, 61)] == [
        "0-14",
        "0-14",
        "15-30",
        "15-30",
        "31-60",
        "31-60",
        "61+",
    ]


def test_learning_is_off_unless_the_creditor_turns_it_on() -> None:
    assert not learning_enabled({})
    assert not learning_enabled({"decisions": {}})
    assert not learning_enabled({"decisions": {"learning": "yes"}})
    assert learning_enabled({"decisions": {"learning": True}})
