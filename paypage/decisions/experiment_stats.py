"""The statistics of a champion/challenger report: intervals for rates, their difference, the fixed
sample size, a bootstrap for mean recovery. Pure functions, no IO.

Stop rule (fixed horizon). The sample size per arm is fixed when the experiment starts, from the
minimum detectable effect δ (absolute difference in the share of claims paid), the baseline share p
(0.5 when unknown: the largest variance, so the safest), α = 0.05 two-sided and power 0.8:

    n = (z(1−α/2)·√(2·p̄·(1−p̄)) + z(1−β)·√(p·(1−p) + (p+δ)·(1−p−δ)))² / δ²,  p̄ = p + δ/2

Until both arms have n claims whose outcome is known, the report says `continue`, whatever the interval
shows: looking early and stopping at the first significant result would inflate the false-positive
rate. At n the Newcombe interval of the difference decides: above 0 the challenger wins, below 0 the
champion wins, across 0 there is no difference worth δ.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

ALPHA = 0.05
POWER = 0.8
Z = NormalDist().inv_cdf(1 - ALPHA / 2)


def wilson(successes: int, trials: int, z: float = Z) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) without trials."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(successes_a: int, trials_a: int, successes_b: int, trials_b: int) -> tuple[float, float]:
    """95 % interval of p_a − p_b by Newcombe's hybrid score method (from the two Wilson intervals)."""
    p_a = successes_a / trials_a if trials_a else 0.0
    p_b = successes_b / trials_b if trials_b else 0.0
    low_a, high_a = wilson(successes_a, trials_a)
    low_b, high_b = wilson(successes_b, trials_b)
    difference = p_a - p_b
    lower = difference - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    upper = difference + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return max(-1.0, lower), min(1.0, upper)


def sample_size(baseline: float, effect: float, alpha: float = ALPHA, power: float = POWER) -> int:
    """Claims per arm for a two-sided two-proportion test to detect `baseline` → `baseline + effect`."""
    if not 0 < baseline < 1 or effect <= 0:
        raise ValueError("baseline must be within (0, 1) and the effect positive")
    target = min(baseline + effect, 0.999)
    if target <= baseline:
        target, baseline = baseline, max(baseline - effect, 0.001)
    mean = (baseline + target) / 2
    z_alpha = NormalDist().inv_cdf(1 - alpha / 2)
    z_beta = NormalDist().inv_cdf(power)
    numerator = z_alpha * math.sqrt(2 * mean * (1 - mean)) + z_beta * math.sqrt(
        baseline * (1 - baseline) + target * (1 - target)
    )
    return math.ceil(numerator**2 / (target - baseline) ** 2)


def bootstrap_difference(
    a: Sequence[float], b: Sequence[float], seed: int, resamples: int = 2000
) -> tuple[float, float] | None:
    """Percentile 95 % interval of mean(a) − mean(b); reproducible for a given seed."""
    if len(a) < 2 or len(b) < 2:
        return None
    rng = np.random.default_rng(seed)
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    means_a = xa[rng.integers(0, len(xa), (resamples, len(xa)))].mean(axis=1)
    means_b = xb[rng.integers(0, len(xb), (resamples, len(xb)))].mean(axis=1)
    low, high = np.percentile(means_a - means_b, [100 * ALPHA / 2, 100 * (1 - ALPHA / 2)])
    return float(low), float(high)


def decide(challenger: tuple[int, int], champion: tuple[int, int], required: int) -> tuple[str, str]:
    """The fixed-horizon stop rule on (paid, decided) per arm: a decision and why."""
    if min(challenger[1], champion[1]) < required:
        return "continue", (
            f"fixed horizon: {required} decided claims per arm are needed; "
            f"challenger has {challenger[1]}, champion {champion[1]}"
        )
    low, high = newcombe(challenger[0], challenger[1], champion[0], champion[1])
    interval = f"95 % interval of the difference in share paid: {low:+.3f} to {high:+.3f}"
    if low > 0:
        return "stop_challenger_wins", interval
    if high < 0:
        return "stop_champion_wins", interval
    return "stop_no_difference", interval
