"""Hand over an ERP's export of overdue invoices: one CSV file, one claim per row.

`invoices.csv` beside this script is such an export: ten invoices to debtors in DE, AT, CH, NL, FR and PL,
amounts as decimals (`amount_decimal`), the ERP's customer number as metadata. Two rows are wrong, as in
real exports: line 6 writes `59,90` with a decimal comma, line 9 has a broken e-mail address.

From the shell, with the `inkasso` command that `pip install inkasso` brings (see docs/cli.md):

    export INKASSO_API_KEY=sk_test_...             # make demo prints one
    export INKASSO_BASE_URL=http://127.0.0.1:8000
    inkasso claims import --dry-run examples/erp_csv_handover/invoices.csv     # check, send nothing
    inkasso claims import --partial-ok examples/erp_csv_handover/invoices.csv  # send the 8 good rows

    line 6: amount_decimal: '59,90' is not a decimal amount such as 123.45 (...)
    line 9: debtor.email: 'sophie.wagner@' is not a valid e-mail address
    created: 8, replayed: 0, failed: 2

Run the same command again after fixing the two rows: the eight rows already created are answered from the
API's idempotency store (`replayed: 8`), and only the two fixed ones are created.

The same from Python, as this script does (`python examples/erp_csv_handover/handover.py [FILE.csv]`):

    from inkasso import Client
    from inkasso.csv_import import import_claims

    with Client() as client:
        result = import_claims(client, "invoices.csv", partial_ok=True, on_error=print)
    print(result.created, result.replayed, result.failed, [error.line for error in result.errors])
"""

from __future__ import annotations

import sys
from pathlib import Path

from inkasso import Client
from inkasso.csv_import import ImportResult, RowError, import_claims

INVOICES = Path(__file__).with_name("invoices.csv")


def handover(client: Client, path: Path = INVOICES, *, partial_ok: bool = True) -> ImportResult:
    """Import the export; rows the ERP got wrong are reported by file line and the rest are sent."""

    def report(error: RowError) -> None:
        print(error, file=sys.stderr)

    return import_claims(client, path, partial_ok=partial_ok, on_error=report)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else INVOICES
    with Client() as client:  # INKASSO_API_KEY and INKASSO_BASE_URL from the environment
        result = handover(client, path)
    print(f"created: {result.created}, replayed: {result.replayed}, failed: {result.failed}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
