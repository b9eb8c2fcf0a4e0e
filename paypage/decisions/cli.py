"""`flask --app paypage decisions ...`: train the propensity model, refresh scores, read experiment reports.

Other decision commands join this group by importing `decisions_cli` and adding to it.
"""

from __future__ import annotations

from typing import Any

import click
from flask.cli import AppGroup

from paypage.decisions import experiments, propensity
from paypage.extensions import database, settings
from paypage.services.errors import RequestError
from paypage.services.tenancy import Tenant

decisions_cli = AppGroup("decisions", help="Payment propensity, experiments and other decision commands.")

_MODES = {"test": (False,), "live": (True,), "both": (False, True)}


def _print_metrics(metrics: dict[str, Any]) -> None:
    if "holdout_from" in metrics:
        click.echo(
            f"  time-based holdout from {metrics['holdout_from'][:10]}: "
            f"{metrics['n_train']} moments to train, {metrics['n_test']} to test"
        )
    for days in propensity.HORIZONS:
        if f"brier_{days}" in metrics:
            auc = metrics[f"auc_{days}"]
            auc_text = "n/a" if auc is None else f"{auc:.3f}"
            click.echo(
                f"  paid within {days} days: AUC {auc_text}, Brier {metrics[f'brier_{days}']:.4f} "
                f"(base rate {metrics[f'base_rate_{days}']:.3f})"
            )
    if "note" in metrics:
        click.echo(f"  {metrics['note']}")


@decisions_cli.command("train")
@click.option("--creditor", "creditor_id", default=None, help="Train on this creditor only (default: pooled).")
@click.option("--mode", type=click.Choice(sorted(_MODES)), default="both", show_default=True)
def train(creditor_id: str | None, mode: str) -> None:
    """Fit the payment-propensity model, print its holdout AUC and Brier score, store it, rescore claims."""
    now = settings().clock()
    for livemode in _MODES[mode]:
        label = f"creditor {creditor_id}" if creditor_id else "pooled"
        with database().transaction() as session:
            result = propensity.train(session, creditor_id=creditor_id, livemode=livemode, now=now)
        stored = f"stored as {result.model_id}" if result.model_id else "not stored: the prior stays in use"
        click.echo(f"{label}, {'live' if livemode else 'test'} mode: {result.samples} moments, {stored}")
        _print_metrics(result.metrics)
        if result.model_id:
            _refresh(creditor_id, livemode)


def _refresh(creditor_id: str | None, livemode: bool) -> None:
    now = settings().clock()
    with database().transaction() as session:
        from paypage.decisions import claim_history

        owners = [creditor_id] if creditor_id else claim_history.creditor_ids(session)
    total = 0
    for owner in owners:
        with database().transaction() as session:
            total += propensity.refresh_scores(session, creditor_id=owner, livemode=livemode, now=now)
    click.echo(f"  scores refreshed for {total} open claims")


@decisions_cli.command("score")
@click.option("--creditor", "creditor_id", default=None, help="Only this creditor (default: all).")
@click.option("--mode", type=click.Choice(sorted(_MODES)), default="both", show_default=True)
def score(creditor_id: str | None, mode: str) -> None:
    """Recompute the propensity of every open claim (the work queue's order)."""
    for livemode in _MODES[mode]:
        click.echo(f"{'live' if livemode else 'test'} mode:")
        _refresh(creditor_id, livemode)


@decisions_cli.command("experiment-report")
@click.argument("experiment_id")
@click.option("--creditor", "creditor_id", required=True)
@click.option("--live", is_flag=True, help="The experiment is in live mode.")
def experiment_report(experiment_id: str, creditor_id: str, live: bool) -> None:
    """Print an experiment's report and the stop rule's decision."""
    now = settings().clock()
    with database().transaction() as session:
        try:
            experiment = experiments.get(session, Tenant(creditor_id, live), experiment_id)
        except RequestError as exc:
            raise click.ClickException(exc.message) from None
        report = experiments.report(session, experiment, now)
    click.echo(f"{experiment.name} ({experiment.status}), {report.sample_size_per_arm} decided claims per arm needed")
    for arm in report.arms:
        share = "n/a" if arm.share_paid is None else f"{arm.share_paid:.3f}"
        click.echo(f"  {arm.arm}: {arm.claims} claims, {arm.decided} decided, {arm.paid} paid, share paid {share}")
    difference = report.difference
    if difference.share_paid is not None and difference.share_paid_ci is not None:
        low, high = difference.share_paid_ci
        click.echo(f"  difference in share paid: {difference.share_paid:+.3f} (95 % CI {low:+.3f} to {high:+.3f})")
    click.echo(f"  decision: {report.decision} ({report.explanation})")
