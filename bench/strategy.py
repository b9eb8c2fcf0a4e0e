"""The contact policy on a simulated debtor population with known ground truth, side by side with the
fixed country strategy, random choice among the allowed options, and two oracles; then off-policy
estimates next to the true values.

    .venv/bin/python bench/strategy.py [--claims 20000] [--days 120] [--seed 42]

Every policy runs over the same population (same seed), through the engine's own strategies and
guardrails (`bench/simulation/`). Recovery is the share of the claimed amount paid within 30 and 90
days of the hand-over; the learned policy's figures include its whole learning phase. The uplift share
is (V_policy - V_random) / (V_oracle - V_random) at day 90, against the oracle that knows each debtor's
hidden persona and against the context oracle that knows the true response of every persona but, like
any real policy, only what the claim shows. "last 30 d, 90" is the day-90 recovery of the claims handed
over in the last 30 days of arrivals, when the learned policy has seen most of the population.
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
    return (
        f"{result.policy:<16} {result.recovery_30:>10.1%} {result.recovery_90:>10.1%} "
        f"{result.messages_per_claim:>14.2f} {result.late_recovery_90:>14.1%} {seconds:>8.1f}s"
    )


def _share(policy: Result, random: Result, oracle: Result) -> float:
    return (policy.recovery_90 - random.recovery_90) / (oracle.recovery_90 - random.recovery_90)


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
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=120, help="claims arrive over this many days")
    parser.add_argument("--seed", type=int, default=42)
    options = parser.parse_args()
    print(f"seed {options.seed}: {options.claims} claims handed over across {options.days} days, each followed 90 days")
    print(f"{'policy':<16} {'day 30':>10} {'day 90':>10} {'msgs/claim':>14} {'last 30 d, 90':>14} {'time':>9}")
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
        results[key] = run(factory, options.claims, options.days, options.seed, keep_log=keep_log)
        print(_row(results[key], time.perf_counter() - started), flush=True)
    fixed, random, learned = results["fixed"], results["random"], results["learned"]
    versus_fixed = learned.recovery_90 / fixed.recovery_90 - 1
    share_oracle = _share(learned, random, results["oracle"])
    share_context = _share(learned, random, results["context"])
    print()
    print(f"learned vs fixed at day 90: {versus_fixed:+.1%} ({_verdict(versus_fixed, FIXED_GOAL)}; goal +15 %)")
    print(f"uplift share vs oracle:          {share_oracle:.2f} ({_verdict(share_oracle, SHARE_GOAL)}; goal 0.8)")
    print(f"uplift share vs context oracle:  {share_context:.2f} ({_verdict(share_context, SHARE_GOAL)})")
    context_vs_fixed = results["context"].recovery_90 / fixed.recovery_90 - 1
    oracle_vs_fixed = results["oracle"].recovery_90 / fixed.recovery_90 - 1
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
