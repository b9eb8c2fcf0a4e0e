"""Flask commands for data protection: `data-keys generate|rotate`, `audit verify`, `retention run`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from paypage.extensions import database, settings
from paypage.store.crypto import DataKeyError, generate_key

data_keys_cli = AppGroup("data-keys", help="Keys that encrypt personal data at rest (INKASSO_DATA_KEYS).")
audit_cli = AppGroup("audit", help="The append-only audit log.")
retention_cli = AppGroup("retention", help="Anonymise debtors whose retention period has passed.")


@data_keys_cli.command("generate")
@click.option("--id", "key_id", default=None, help="Key id (letters, digits, - and _); default k<date>.")
def data_keys_generate(key_id: str | None) -> None:
    """Print a new key entry to put first in INKASSO_DATA_KEYS."""
    key_id = key_id or "k" + settings().clock().strftime("%Y%m%d")
    try:
        entry = generate_key(key_id)
    except DataKeyError as exc:
        raise click.BadParameter(str(exc), param_hint="--id") from None
    click.echo(entry)


@data_keys_cli.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000))
def data_keys_rotate(batch_size: int) -> None:
    """Re-encrypt every encrypted value under the first key of INKASSO_DATA_KEYS. Safe to interrupt and rerun."""
    from paypage.store.key_rotation import ColumnReport, rotate

    db = database()

    def progress(column: ColumnReport) -> None:
        click.echo(
            f"{column.column}: {column.reencrypted} re-encrypted, {column.already_current} already current"
            + (f", {column.changed_meanwhile} changed meanwhile (run again)" if column.changed_meanwhile else "")
        )

    try:
        report = rotate(db, batch_size, progress)
    except DataKeyError as exc:
        raise click.ClickException(f"{exc}; keep the old key listed until the rotation has finished") from None
    click.echo(f"{report.reencrypted} values re-encrypted under key {report.key_id!r}")
    if report.changed_meanwhile:
        raise SystemExit(2)


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the whole hash chain; exit status 1 names the first entry that does not fit."""
    from paypage.services import audit

    with database().transaction() as session:
        result = audit.verify(session)
    if not result.ok:
        intact = f"{result.checked} entries intact before it"
        click.echo(f"audit log BROKEN at entry {result.first_bad}: {result.reason} ({intact})")
        raise SystemExit(1)
    click.echo(f"audit log intact: {result.checked} entries checked")
    if result.head_hash:
        click.echo(f"head hash: {result.head_hash}")


@retention_cli.command("run")
@click.option("--batch-size", default=100, show_default=True, type=click.IntRange(1, 10_000))
def retention_run(batch_size: int) -> None:
    """Anonymise every debtor whose personal data has been kept for its country's period."""
    from paypage.services import retention

    report = retention.run(database(), settings().clock(), batch_size)
    detail = ", ".join(f"{country}: {count}" for country, count in sorted(report.by_country.items()))
    click.echo(f"{report.erased} debtors anonymised" + (f" ({detail})" if detail else ""))


COMMANDS = (data_keys_cli, audit_cli, retention_cli)
