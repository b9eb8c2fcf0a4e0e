"""The bandit: it learns the better option, its propensities match how often it really chooses, pooling
lends a new segment what similar cases taught, and the context holds no protected attribute."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pytest

from paypage.decisions import bandit
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
SEGMENTS = ("*", "person|small|15-30|silent", "DE|person|small|15-30|silent|email")


def taught(rates: dict[Action, float], contacts: int, seed: int = 1) -> bandit.Arms:
    """Arms after `contacts` uniformly random contacts with the given true payment rates."""
    rng = np.random.default_rng(seed)
    arms = bandit.Arms()
    for _ in range(contacts):
        action = ACTIONS[int(rng.integers(len(ACTIONS)))]
        arms.add(SEGMENTS, bandit.arm_names(action, "notice"), int(rng.random() < rates[action]))
    return arms


def test_after_enough_evidence_the_best_option_is_chosen_almost_always() -> None:
    best = Action("sms", 18, "empathetic")
    rates = {
        a: 0.05 + 0.10 * (a.channel == "sms") + 0.08 * (a.hour == 18) + 0.08 * (a.tone == "empathetic") for a in ACTIONS
    }
    arms = taught(rates, 3000)
    rng = np.random.default_rng(7)
    picks = Counter(bandit.choose(arms, SEGMENTS, ACTIONS, "notice", rng).action for _ in range(100))
    assert picks[best] / 100 > 0.8


def test_the_propensity_is_the_frequency_of_the_choice() -> None:
    rates = {a: 0.10 + 0.03 * (a.channel == "sms") + 0.02 * (a.tone == "empathetic") for a in ACTIONS}
    arms = taught(rates, 300)  # a posterior still uncertain: the policy spreads its choices
    rng = np.random.default_rng(11)
    choices = [bandit.choose(arms, SEGMENTS, ACTIONS, "notice", rng) for _ in range(600)]
    counts = Counter(c.action for c in choices)
    mean_propensity: dict[Action, list[float]] = {}
    for choice in choices:
        mean_propensity.setdefault(choice.action, []).append(choice.propensity)
    for action, count in counts.items():
        if count >= 60:
            observed = count / len(choices)
            assert abs(float(np.mean(mean_propensity[action])) - observed) < 0.06, action
    assert all(0 < c.propensity <= 1 for c in choices)
    expected = bandit.exploration(arms, SEGMENTS, "notice", ("email", "sms"))
    assert 0.02 < expected < 0.10
    assert abs(sum(c.explored for c in choices) / len(choices) - expected) < 0.04


def test_exploration_falls_with_the_history_of_the_kind_of_case() -> None:
    fresh = bandit.exploration(bandit.Arms(), SEGMENTS, "notice", ("email", "sms"))
    some = bandit.exploration(taught({a: 0.1 for a in ACTIONS}, 1000), SEGMENTS, "notice", ("email", "sms"))
    much = bandit.exploration(taught({a: 0.1 for a in ACTIONS}, 20_000), SEGMENTS, "notice", ("email", "sms"))
    assert fresh == bandit.EXPLORE_START
    assert fresh > some > much > bandit.EXPLORE_FLOOR
    assert much < 1.3 * bandit.EXPLORE_FLOOR


def test_a_new_fine_segment_starts_from_what_the_coarser_one_learned() -> None:
    arms = bandit.Arms()
    for _ in range(400):
        arms.add(SEGMENTS[:2], ["c:notice:sms"], 1)
        arms.add(SEGMENTS[:2], ["c:notice:email"], 0)
    unseen = (*SEGMENTS[:2], "AT|person|small|15-30|silent|none")
    sms_alpha, sms_beta = arms.posterior(unseen, "c:notice:sms")
    email_alpha, email_beta = arms.posterior(unseen, "c:notice:email")
    assert sms_alpha / (sms_alpha + sms_beta) > 0.9 > 0.1 > email_alpha / (email_alpha + email_beta)
    assert sms_alpha + sms_beta == bandit.POOLING  # a prior, not the parent's counts: new data moves it fast


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


def test_win_chances_match_many_posterior_draws() -> None:
    """The computed propensity's core: P(each Beta posterior has the highest draw), checked against 200,000
    joint draws, for flat, skewed (a parameter below one) and sharp posteriors side by side."""
    params = [(0.6, 9.0), (3.0, 27.0), (120.0, 880.0), (1.0, 1.0)]
    rng = np.random.default_rng(3)
    draws = np.array([rng.beta(a, b, 200_000) for a, b in params]).argmax(axis=0)
    drawn = np.bincount(draws, minlength=len(params)) / draws.size
    computed = bandit.win_probabilities(params)
    assert computed.sum() == pytest.approx(1.0)
    assert np.abs(computed - drawn).max() < 0.005
    assert list(bandit.win_probabilities([(5.0, 50.0), (5.0, 50.0)])) == pytest.approx([0.5, 0.5])
