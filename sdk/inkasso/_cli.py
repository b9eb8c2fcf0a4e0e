"""The `inkasso` command line.

```
inkasso [--base-url URL] claims import FILE.csv [--partial-ok] [--dry-run] [--delimiter ,]
inkasso [--base-url URL] claims list [--state S] [--limit N] [--json]
```

The API key is read from `INKASSO_API_KEY` only: a key given as an option would end up in the shell history
and in every process listing. `--base-url` (or `INKASSO_BASE_URL`) chooses the server.

## `claims import`

Reads a UTF-8 CSV file (a byte order mark is fine; `-` reads standard input) whose first line names the
columns, in any order, case-insensitively. Unknown column names are refused, so that a typo cannot drop a
field silently. Empty cells are left out of the request.

| column | claim field | notes |
| --- | --- | --- |
| `external_reference` | `external_reference` | required; unique in the file |
| `amount` | `amount` | integer in minor units: `12345` is 123.45 EUR |
| `amount_decimal` | `amount` | instead of `amount`: `123.45`, see below |
| `currency` | `currency` | required; ISO 4217 (`EUR`) |
| `invoice_date`, `due_date` | same | required; `YYYY-MM-DD` |
| `description` | `description` | |
| `debtor_type` | `debtor.type` | `person` (default) or `company` |
| `debtor_name` | `debtor.name` | required |
| `debtor_email` | `debtor.email` | |
| `debtor_phone` | `debtor.phone` | E.164: `+4915112345678` |
| `debtor_country` | `debtor.country` | required; ISO 3166-1 alpha-2 (`DE`) |
| `debtor_language` | `debtor.language` | `de`, `de-CH`, ... |
| `debtor_date_of_birth` | `debtor.date_of_birth` | `YYYY-MM-DD`; persons only |
| `address_line1`, `address_line2` | `debtor.address.line1`, `.line2` | the address is sent when |
| `address_postal_code`, `address_city` | `debtor.address.postal_code`, `.city` | any of its columns |
| `address_country` | `debtor.address.country` | is filled |
| `metadata.<key>` | `metadata.<key>` | one column per key; the key keeps its case |

`amount_decimal` is converted exactly (Decimal, never float) with the currency's number of minor-unit
digits: `123.45` EUR is 12345, `1500` JPY is 1500, `1.234` KWD is 1234. More decimals than the currency has
(`12.345` EUR, `10.5` JPY) are refused; the separator is a point and there is no thousands separator. A row
fills `amount` or `amount_decimal`, not both.

Each row is one `client.claims.submit` whose idempotency key is `import:` and the first 32 hex digits of the
SHA-256 of its external reference. Running the same file again (after a crash, say) replays the rows created
in the last 24 hours instead of creating them twice; they are counted as `replayed`.

The rows are checked locally first (columns, amounts, dates, duplicate references) and reported as
`line 7: amount_decimal: '12.345' has 3 decimal places, but EUR has 2`, by file line (the header is line 1).
If any row fails these checks nothing is sent, unless `--partial-ok` is given: then the valid rows are sent.
The API's verdict on each row is reported the same way: `line 7: debtor.email: 'x@' is not a valid e-mail
address`. `--dry-run` sends nothing and also checks the rows against the API's wire models.

A progress bar is drawn on standard error when it is a terminal; otherwise a plain line is written every
10 % of the rows (but at most once per 100 rows) and at the end. Row errors go to standard error as they
happen, the summary (created, replayed, failed) to standard output.

## Exit codes

`0` every row is in the API (or, for `--dry-run`, every row is valid); `1` a row failed, or the import was
stopped (an invalid key, the API unreachable); `2` a usage or file error (unreadable file, wrong header, no
API key).
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import TextIO, get_args

from inkasso._client import Client
from inkasso._exceptions import APIError, InkassoError
from inkasso._iso import CURRENCY_DIGITS
from inkasso._version import __version__
from inkasso.csv_import import ImportFileError, ImportResult, RowError, import_claims
from inkasso.types import Claim, ClaimState

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

_MAX_PAGE_SIZE = 100
_BAR_WIDTH = 30


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script passes it to `sys.exit`)."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except ImportFileError as exc:
        _fail(str(exc))
        return EXIT_USAGE
    except APIError as exc:
        _fail(str(exc))
        return EXIT_FAILED
    except InkassoError as exc:  # configuration: no API key, a bad base URL
        _fail(str(exc))
        return EXIT_USAGE
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="inkasso", description="The inkasso command line.")
    parser.add_argument("--version", action="version", version=f"inkasso {__version__}")
    parser.add_argument("--base-url", help="API server (default: $INKASSO_BASE_URL, else http://127.0.0.1:8000)")
    resources = parser.add_subparsers(dest="resource", required=True, metavar="RESOURCE")

    claims = resources.add_parser("claims", help="submit and list claims")
    commands = claims.add_subparsers(dest="command", required=True, metavar="COMMAND")

    importer = commands.add_parser("import", help="submit the claims of a CSV file, one per row")
    importer.add_argument("file", metavar="FILE.csv", help="the CSV file; - for standard input")
    importer.add_argument("--partial-ok", action="store_true", help="send the valid rows even if others are invalid")
    importer.add_argument("--dry-run", action="store_true", help="check the file, send nothing")
    importer.add_argument("--delimiter", default=",", type=_delimiter, help="field separator (default: ,)")
    importer.set_defaults(handler=_import_command)

    lister = commands.add_parser("list", help="list claims, newest first")
    lister.add_argument("--state", choices=get_args(ClaimState), help="only claims in this state")
    lister.add_argument("--limit", type=_positive_int, default=20, help="how many claims (default: 20)")
    lister.add_argument("--json", action="store_true", help="print the claims as a JSON array")
    lister.set_defaults(handler=_list_command)
    return parser


def _delimiter(value: str) -> str:
    value = {"\\t": "\t", "tab": "\t"}.get(value, value)
    if len(value) != 1:
        raise argparse.ArgumentTypeError("must be one character (use \\t for a tab)")
    return value


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value!r}")
    return number


def _make_client(args: argparse.Namespace) -> Client:
    return Client(base_url=args.base_url)


def _fail(message: str) -> None:
    print(f"inkasso: {message}", file=sys.stderr)


# ------------------------------------------------------------------------------------------------- import


def _import_command(args: argparse.Namespace) -> int:
    console = _Console(sys.stderr)
    client = None if args.dry_run else _make_client(args)
    source: str | TextIO = args.file
    if args.file == "-":
        source = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
    try:
        result = import_claims(
            client,
            source,
            partial_ok=args.partial_ok,
            dry_run=args.dry_run,
            delimiter=args.delimiter,
            on_error=console.error,
            on_progress=console.progress,
        )
    finally:
        console.finish()
        if client is not None:
            client.close()
    print(summary(result, partial_ok=args.partial_ok))
    return EXIT_OK if result.ok else EXIT_FAILED


def summary(result: ImportResult, *, partial_ok: bool = False) -> str:
    """The closing lines of an import, for people."""
    if result.dry_run:
        return f"dry run: {result.valid} of {result.rows} rows valid, {result.failed} failed; nothing was sent"
    lines = [f"created: {result.created}, replayed: {result.replayed}, failed: {result.failed}"]
    if result.aborted is not None:
        lines.append(f"stopped: {result.aborted}")
        lines.append(f"{result.skipped} rows not sent; run the same file again to resume")
    elif result.skipped and not partial_ok:
        lines.append(
            f"nothing was sent: {result.failed} of {result.rows} rows have errors; fix them, "
            f"or pass --partial-ok to send the {result.skipped} valid rows"
        )
    return "\n".join(lines)


class _Console:
    """Row errors and progress on standard error: a redrawn bar on a terminal, plain lines elsewhere."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._bar_shown = False

    def error(self, error: RowError) -> None:
        self._clear_bar()
        print(error, file=self._stream)

    def progress(self, done: int, total: int) -> None:
        if self._tty:
            filled = _BAR_WIDTH * done // total
            self._stream.write(f"\r[{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {done}/{total} rows")
            self._stream.flush()
            self._bar_shown = True
        elif done == total or done % max(100, total // 10) == 0:
            print(f"sent {done} of {total} rows", file=self._stream)

    def finish(self) -> None:
        if self._bar_shown:
            self._stream.write("\n")
            self._bar_shown = False

    def _clear_bar(self) -> None:
        if self._bar_shown:
            self._stream.write("\r\x1b[K")
            self._bar_shown = False


# --------------------------------------------------------------------------------------------------- list


def _list_command(args: argparse.Namespace) -> int:
    with _make_client(args) as client:
        pages = client.claims.list(state=args.state, limit=min(args.limit, _MAX_PAGE_SIZE))
        claims = list(itertools.islice(pages, args.limit))
    if args.json:
        print(json.dumps([claim.model_dump(mode="json") for claim in claims], indent=2, ensure_ascii=False))
    elif claims:
        print(_table(claims))
    else:
        print("no claims", file=sys.stderr)
    return EXIT_OK


def _table(claims: Sequence[Claim]) -> str:
    header = ("ID", "STATE", "REFERENCE", "AMOUNT", "OUTSTANDING", "DUE", "DEBTOR")
    rows = [
        (
            claim.id,
            claim.state,
            claim.external_reference,
            format_amount(claim.amount, claim.currency),
            format_amount(claim.balance.outstanding, claim.currency),
            claim.due_date.isoformat(),
            claim.debtor.name,
        )
        for claim in claims
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = {3, 4}  # amounts line up on the right
    return "\n".join(
        "  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in [header, *rows]
    )


def format_amount(minor: int, currency: str) -> str:
    """`12345, "EUR"` as `123.45 EUR`: Decimal arithmetic, never float."""
    digits = CURRENCY_DIGITS.get(currency, 2)
    return f"{Decimal(minor).scaleb(-digits):.{digits}f} {currency}"
