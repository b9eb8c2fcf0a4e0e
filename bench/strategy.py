"""The contact policy on a simulated debtor population with known ground truth, side by side with the
fixed country strategy, random choice among the allowed options, and two oracles; then off-policy
estimates next to the true values.

    .venv/bin/python bench/strategy.py [--claims 40000] [--warmup 120] [--days 120] [--seed 42]

Every policy runs over the same population (same seed), through the engine's own strategies and
guardrails (`bench/simulation/`). Claims arrive evenly over the warm-up and the measured period; every
policy handles both, and the figures are those of the claims handed over after the warm-up, so that the
learned policy is measured as it runs on a platform with history (its figures during the warm-up, while
it learns from nothing, are printed beside). Recovery is the share of the claimed amount paid within 30
and 90 days of the hand-over. The uplift share is (V_policy - V_random) / (V_oracle - V_random) at day
90, against the context oracle (the true response of every persona, weighed by what the claim shows:
the best any policy can do with the information a policy has) and, for scale, against the oracle that
also knows each debtor's hidden persona.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.simulation import ope  # noqa: E402
from bench.simulation.run import (  # noqa: E402
    ContextOraclePolicy,
    FixedPolicy,
    LearnedPolicy,
    OraclePolicy,
    Policy,
    RandomPolicy,
    Result,
    run,
)

SHARE_GOAL = 0.8
FIXED_GOAL = 0.15


def _row(result: Result, seconds: float) -> str:
    measured, warmup = result.measured, result.warmup
    early = f"{warmup.recovery_90:>14.1%}" if warmup else f"{'-':>14}"
    return (
        f"{result.policy:<16} {measured.recovery_30:>10.1%} {measured.recovery_90:>10.1%} "
        f"{measured.messages_per_claim:>14.2f} {early} {seconds:>8.1f}s"
    )


def _share(policy: Result, random: Result, oracle: Result) -> float:
    low, high = random.measured.recovery_90, oracle.measured.recovery_90
    return (policy.measured.recovery_90 - low) / (high - low)


def _verdict(value: float, goal: float) -> str:
    return "met" if value >= goal else f"MISSED by {goal - value:.2f}"


def _ope_line(name: str, evaluation: ope.Evaluation) -> list[str]:
    lines = [f"  {name}: true value {evaluation.truth:.4f}"]
    for estimate in evaluation.estimates:
        inside = "inside" if estimate.covers(evaluation.truth) else "OUTSIDE"
        lines.append(
            f"    {estimate.method:<6} {estimate.value:.4f}  95% CI [{estimate.low:.4f}, {estimate.high:.4f}]  "
            f"truth {inside}  (n={estimate.n})"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=40_000, help="claims over the warm-up and the measured days")
    parser.add_argument("--warmup", type=int, default=120, help="days of arrivals before the measured ones")
    parser.add_argument("--days", type=int, default=120, help="days of arrivals that are measured")
    parser.add_argument("--seed", type=int, default=42)
    options = parser.parse_args()
    print(
        f"seed {options.seed}: {options.claims} claims handed over across {options.warmup} + {options.days} days, "
        f"each followed 90 days; figures of the claims of the last {options.days} days"
    )
    print(f"{'policy':<16} {'day 30':>10} {'day 90':>10} {'msgs/claim':>14} {'warm-up, 90':>14} {'time':>9}")
    factories: list[tuple[str, Callable[[], Policy], bool]] = [
        ("fixed", FixedPolicy, False),
        ("random", lambda: RandomPolicy(options.seed), True),
        ("learned", lambda: LearnedPolicy(options.seed), True),
        ("context", ContextOraclePolicy, False),
        ("oracle", OraclePolicy, False),
    ]
    results: dict[str, Result] = {}
    for key, factory, keep_log in factories:
        started = time.perf_counter()
        results[key] = run(factory, options.claims, options.days, options.seed, keep_log, options.warmup)
        print(_row(results[key], time.perf_counter() - started), flush=True)
    fixed, random, learned = results["fixed"], results["random"], results["learned"]
    versus_fixed = learned.measured.recovery_90 / fixed.measured.recovery_90 - 1
    share_context = _share(learned, random, results["context"])
    share_oracle = _share(learned, random, results["oracle"])
    print()
    print(f"learned vs fixed at day 90: {versus_fixed:+.1%} ({_verdict(versus_fixed, FIXED_GOAL)}; goal +15 %)")
    print(f"uplift share vs context oracle:  {share_context:.2f} ({_verdict(share_context, SHARE_GOAL)}; goal 0.8)")
    print(f"uplift share vs persona oracle:  {share_oracle:.2f} (knows what no policy can see)")
    context_vs_fixed = results["context"].measured.recovery_90 / fixed.measured.recovery_90 - 1
    oracle_vs_fixed = results["oracle"].measured.recovery_90 / fixed.measured.recovery_90 - 1
    print(f"for scale: context oracle vs fixed {context_vs_fixed:+.1%}, oracle vs fixed {oracle_vs_fixed:+.1%}")
    print()
    print("off-policy evaluation, payment rate per contact (reward within the attribution window):")
    for line in _ope_line("fixed strategy from the random policy's logs", ope.evaluate(random.log, ope.fixed_target)):
        print(line)
    for line in _ope_line(
        "random choice from the learned policy's logs", ope.evaluate(learned.log, ope.uniform_target)
    ):
        print(line)


if __name__ == "__main__":
    main()
