"""Off-policy estimates land within their confidence interval of the true value: on a two-option
bandit with known rates, and on a small simulated population through the engine's guardrails."""

from __future__ import annotations

import numpy as np
import pytest

from bench.simulation import ope
from bench.simulation.run import LearnedPolicy, RandomPolicy, run
from paypage.decisions import offpolicy


def test_ips_snips_and_dr_recover_a_known_rate_from_skewed_logs() -> None:
    rng = np.random.default_rng(3)
    rates = (0.10, 0.25)
    logging = (0.8, 0.2)  # the logging policy mostly picks the worse option
    chosen = rng.choice(2, size=4000, p=logging)
    rewards = (rng.random(4000) < np.take(rates, chosen)).astype(float)
    propensities = np.take(logging, chosen)
    target = (chosen == 1).astype(float)  # always the better option
    model = np.full(4000, 0.15)  # a deliberately poor reward model: DR must stay unbiased
    for estimate in (
        offpolicy.ips(rewards, propensities, target),
        offpolicy.snips(rewards, propensities, target),
        offpolicy.doubly_robust(rewards, propensities, target, model * target + model * (1 - target), model),
    ):
        assert estimate.covers(rates[1]), estimate
        assert estimate.high - estimate.low < 0.08


def test_bad_logs_are_refused() -> None:
    with pytest.raises(ValueError, match="propensities"):
        offpolicy.ips([1.0], [0.0], [1.0])
    with pytest.raises(ValueError, match="equal length"):
        offpolicy.ips([1.0, 0.0], [0.5], [1.0])


def test_the_fixed_strategy_is_estimated_from_random_logs_of_a_small_population() -> None:
    result = run(lambda: RandomPolicy(5), 150, 10, 9, keep_log=True)
    evaluation = ope.evaluate(result.log, ope.fixed_target)
    assert len(result.log) > 400
    assert 0.05 < evaluation.truth < 0.3
    for estimate in evaluation.estimates:
        assert estimate.covers(evaluation.truth), estimate


def test_random_choice_is_estimated_from_the_learned_policys_logs() -> None:
    result = run(lambda: LearnedPolicy(5), 150, 10, 9, keep_log=True)
    evaluation = ope.evaluate(result.log, ope.uniform_target)
    assert all(0 < entry.propensity <= 1 for entry in result.log)
    for estimate in evaluation.estimates:
        assert estimate.covers(evaluation.truth), estimate


def test_clustered_errors_equal_plain_ones_for_singletons_and_widen_for_correlated_decisions() -> None:
    rewards = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0]
    ones = [1.0] * 6
    plain = offpolicy.ips(rewards, ones, ones)
    singletons = offpolicy.ips(rewards, ones, ones, groups=range(6))
    assert singletons.stderr == pytest.approx(plain.stderr)
    paired = offpolicy.ips([1.0, 1.0, 0.0, 0.0, 1.0, 1.0], ones, ones, groups=[1, 1, 2, 2, 3, 3])
    assert paired.stderr > offpolicy.ips([1.0, 1.0, 0.0, 0.0, 1.0, 1.0], ones, ones).stderr
    with pytest.raises(ValueError, match="one group per decision"):
        offpolicy.ips(rewards, ones, ones, groups=[1, 2])
