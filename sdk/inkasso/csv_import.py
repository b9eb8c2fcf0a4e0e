"""Importing claims from a CSV file, one `client.claims.submit` per row (the column mapping is documented in
`inkasso._cli` and `docs/cli.md`).

Rows are read and checked locally first (columns, amounts, dates, duplicate references), so that a broken
file is reported with line numbers before anything is sent. Each row's idempotency key is derived from its
external reference: running the same file again after a crash replays the rows already created instead of
duplicating them.

```python
from inkasso import Client
from inkasso.csv_import import import_claims

with Client() as client:
    result = import_claims(client, "claims.csv", partial_ok=True)
print(result.created, result.replayed, result.failed)
```
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from pydantic import ValidationError

from inkasso._client import Client
from inkasso._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    InkassoError,
    NotFoundError,
    PermissionDeniedError,
)
from inkasso._iso import CURRENCY_DIGITS
from inkasso.types import ClaimCreateParams

__all__ = [
    "ImportFileError",
    "ImportResult",
    "ParsedRow",
    "RowError",
    "idempotency_key_for",
    "import_claims",
    "parse_rows",
]

REQUIRED_COLUMNS = ("external_reference", "currency", "invoice_date", "due_date", "debtor_name", "debtor_country")
AMOUNT_COLUMNS = ("amount", "amount_decimal")
OPTIONAL_COLUMNS = (
    "description",
    "debtor_type",
    "debtor_email",
    "debtor_phone",
    "debtor_language",
    "debtor_date_of_birth",
    "address_line1",
    "address_line2",
    "address_postal_code",
    "address_city",
    "address_country",
)
METADATA_PREFIX = "metadata."
_KNOWN_COLUMNS = frozenset(REQUIRED_COLUMNS + AMOUNT_COLUMNS + OPTIONAL_COLUMNS)

# CSV column -> field of the debtor object; the address columns map to debtor.address the same way.
_DEBTOR_FIELDS = {
    "debtor_type": "type",
    "debtor_email": "email",
    "debtor_phone": "phone",
    "debtor_language": "language",
}
_ADDRESS_FIELDS = {
    "address_line1": "line1",
    "address_line2": "line2",
    "address_postal_code": "postal_code",
    "address_city": "city",
    "address_country": "country",
}

_MINOR_UNITS = re.compile(r"^[0-9]+$")
_DECIMAL = re.compile(r"^([0-9]+)(?:\.([0-9]+))?$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_KEY_HEX_DIGITS = 32

#: API errors that would fail every following row the same way: stop instead of repeating them.
_FATAL_ERRORS = (AuthenticationError, PermissionDeniedError, NotFoundError, APIConnectionError)


class ImportFileError(InkassoError):
    """The file as a whole cannot be imported: unreadable, empty, or with a wrong header."""


@dataclass(frozen=True)
class RowError:
    line: int
    """The file line the row starts on; the header is line 1."""
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    """What an import did. `ok` is true when every row of the file is in the API now."""

    rows: int = 0
    """Data rows in the file (blank lines not counted)."""
    valid: int = 0
    """Rows that passed the local checks (for a dry run also the wire models' validation)."""
    created: int = 0
    replayed: int = 0
    """Rows the API had already created earlier with the same idempotency key: a resumed import."""
    failed: int = 0
    """Rows refused locally or by the API."""
    skipped: int = 0
    """Valid rows not sent: some rows were invalid and `partial_ok` was false, or the import stopped."""
    dry_run: bool = False
    aborted: str | None = None
    """Why the import stopped early (an invalid API key, the API unreachable)."""
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.skipped == 0 and self.aborted is None


@dataclass
class _Row:
    line: int
    fields: dict[str, Any]
    """Keyword arguments for `client.claims.submit`, JSON-ready."""
    problems: list[str]


def idempotency_key_for(external_reference: str) -> str:
    """The idempotency key of a row: stable across runs, so that a rerun replays instead of duplicating."""
    digest = hashlib.sha256(external_reference.encode("utf-8")).hexdigest()
    return f"import:{digest[:_KEY_HEX_DIGITS]}"


def import_claims(
    client: Client | None,
    source: str | os.PathLike[str] | TextIO,
    *,
    partial_ok: bool = False,
    dry_run: bool = False,
    delimiter: str = ",",
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import the claims of a CSV file (a path, or a text stream opened with `newline=""`).

    Without `partial_ok`, a file with any locally invalid row sends nothing. With `dry_run`, nothing is
    sent and the rows are checked against the wire models as well; `client` may then be None. Row errors
    go to `on_error` as they happen and into the result; `on_progress(done, total)` follows the sending.
    Raises `ImportFileError` when the file as a whole is unusable.
    """
    if client is None and not dry_run:
        raise ValueError("a client is needed unless dry_run is true")
    report = on_error or (lambda error: None)
    with _open(source) as stream:
        rows = _read_rows(stream, delimiter)

    result = ImportResult(rows=len(rows), dry_run=dry_run)
    for row in rows:
        if dry_run and not row.problems:
            row.problems.extend(_model_problems(row.fields))
        for problem in row.problems:
            _record(result, RowError(row.line, problem), report)
    good = [row for row in rows if not row.problems]
    result.valid = len(good)
    result.failed = len(rows) - len(good)

    if dry_run:
        return result
    if result.failed and not partial_ok:
        result.skipped = len(good)
        return result
    if client is None:  # unreachable after the check at the top; narrows the type
        raise ValueError("a client is needed unless dry_run is true")
    _submit_rows(client, good, result, report, on_progress)
    return result


@dataclass(frozen=True)
class ParsedRow:
    """One data row of a file, checked as `import_claims` checks it before sending."""

    line: int
    """The file line the row starts on; the header is line 1."""
    fields: dict[str, Any]
    """Keyword arguments for `client.claims.submit` (the `ClaimCreateParams` fields), JSON-ready."""
    problems: list[str]
    """What is wrong with the row, each naming its column or field; empty for a row that can be sent."""


def parse_rows(source: str | os.PathLike[str] | TextIO, *, delimiter: str = ",") -> list[ParsedRow]:
    """Read and check every row of a file without sending anything: the column rules of `import_claims`
    plus the wire models' validation, so a server importing a file applies exactly the same rules.
    Raises `ImportFileError` when the file as a whole is unusable."""
    with _open(source) as stream:
        rows = _read_rows(stream, delimiter)
    parsed = []
    for row in rows:
        problems = row.problems or _model_problems(row.fields)
        parsed.append(ParsedRow(row.line, row.fields, list(problems)))
    return parsed


def _submit_rows(
    client: Client,
    rows: list[_Row],
    result: ImportResult,
    report: Callable[[RowError], None],
    on_progress: Callable[[int, int], None] | None,
) -> None:
    for done, row in enumerate(rows, start=1):
        key = idempotency_key_for(row.fields["external_reference"])
        try:
            response = client.claims.with_raw_response.submit(**row.fields, idempotency_key=key)
        except _FATAL_ERRORS as exc:
            result.aborted = str(exc)
            result.skipped = len(rows) - done + 1
            return
        except APIStatusError as exc:
            result.failed += 1
            _record(result, RowError(row.line, _describe(exc)), report)
        except APIError as exc:
            result.failed += 1
            _record(result, RowError(row.line, exc.message), report)
        else:
            if response.idempotent_replayed:
                result.replayed += 1
            else:
                result.created += 1
        if on_progress is not None:
            on_progress(done, len(rows))


def _record(result: ImportResult, error: RowError, report: Callable[[RowError], None]) -> None:
    result.errors.append(error)
    report(error)


def _describe(exc: APIStatusError) -> str:
    """The API's own message for one row, which already names the field (`debtor.email: ...`)."""
    error = exc.body.get("error") if isinstance(exc.body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    if not isinstance(message, str) or not message:
        return exc.message
    if exc.param and not message.startswith(exc.param) and exc.param != "Idempotency-Key":
        message = f"{exc.param}: {message}"
    if exc.code == "idempotency_key_reused":
        message += " (this external_reference was imported in the last 24 hours with other data)"
    if exc.status_code >= 500 and exc.request_id:
        message += f" (request id: {exc.request_id})"
    return message


# ------------------------------------------------------------------------------------------------- reading


@contextmanager
def _open(source: str | os.PathLike[str] | TextIO) -> Iterator[TextIO]:
    if not isinstance(source, str | os.PathLike):
        yield source
        return
    try:
        # utf-8-sig: spreadsheet programs start their UTF-8 exports with a byte order mark.
        with open(source, newline="", encoding="utf-8-sig") as stream:
            yield stream
    except OSError as exc:
        raise ImportFileError(f"cannot read {os.fsdecode(source)}: {exc.strerror}") from exc


def _read_rows(stream: TextIO, delimiter: str) -> list[_Row]:
    if len(delimiter) != 1:
        raise ImportFileError(f"the delimiter must be one character, not {delimiter!r}")
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    try:
        header = _check_header(next(reader, None))
        rows: list[_Row] = []
        seen: dict[str, int] = {}
        end_of_previous = reader.line_num
        for record in reader:
            line = end_of_previous + 1  # a quoted field may span lines: report where the row starts
            end_of_previous = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            rows.append(_parse_row(line, header, record, seen))
        return rows
    except csv.Error as exc:
        raise ImportFileError(f"line {reader.line_num}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"the file is not UTF-8 encoded ({exc.reason})") from exc


def _check_header(record: list[str] | None) -> list[str]:
    if record is None:
        raise ImportFileError("the file is empty: expected a header line")
    header = [_column_name(name) for name in record]
    problems = []
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        problems.append(f"duplicate columns: {', '.join(duplicates)}")
    unknown = [name for name in header if name not in _KNOWN_COLUMNS and not _is_metadata(name)]
    if unknown:
        problems.append(f"unknown columns: {', '.join(repr(name) for name in unknown)}")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if not any(name in header for name in AMOUNT_COLUMNS):
        missing.append("amount (or amount_decimal)")
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if problems:
        raise ImportFileError(f"line 1: {'; '.join(problems)}")
    return header


def _column_name(raw: str) -> str:
    name = raw.strip()
    if name.lower().startswith(METADATA_PREFIX):
        return METADATA_PREFIX + name[len(METADATA_PREFIX) :]  # the key keeps its case
    return name.lower()


def _is_metadata(name: str) -> bool:
    return name.startswith(METADATA_PREFIX) and len(name) > len(METADATA_PREFIX)


def _parse_row(line: int, header: list[str], record: list[str], seen: dict[str, int]) -> _Row:
    if len(record) != len(header):
        return _Row(line, {}, [f"the row has {len(record)} fields, but the header has {len(header)}"])
    cells = {name: value.strip() for name, value in zip(header, record, strict=True)}
    problems: list[str] = []

    def required(column: str) -> str:
        value = cells.get(column, "")
        if not value:
            problems.append(f"{column}: missing value")
        return value

    reference = required("external_reference")
    if reference in seen:
        problems.append(f"external_reference: '{reference}' already appears on line {seen[reference]}")
    elif reference:
        seen[reference] = line
    currency = required("currency").upper()
    fields: dict[str, Any] = {
        "external_reference": reference,
        "amount": _amount(cells, currency, problems),
        "currency": currency,
        "invoice_date": _date(cells, "invoice_date", problems, required=True),
        "due_date": _date(cells, "due_date", problems, required=True),
        "debtor": _debtor(cells, problems, required),
    }
    if cells.get("description"):
        fields["description"] = cells["description"]
    metadata = {name[len(METADATA_PREFIX) :]: value for name, value in cells.items() if _is_metadata(name) and value}
    if metadata:
        fields["metadata"] = metadata
    return _Row(line, fields, problems)


def _debtor(cells: dict[str, str], problems: list[str], required: Callable[[str], str]) -> dict[str, Any]:
    debtor: dict[str, Any] = {"name": required("debtor_name"), "country": required("debtor_country").upper()}
    debtor.update({name: cells[column] for column, name in _DEBTOR_FIELDS.items() if cells.get(column)})
    birth = _date(cells, "debtor_date_of_birth", problems, required=False)
    if birth is not None:
        debtor["date_of_birth"] = birth
    address = {name: cells[column] for column, name in _ADDRESS_FIELDS.items() if cells.get(column)}
    if address:
        if "country" in address:
            address["country"] = address["country"].upper()
        debtor["address"] = address
    return debtor


def _amount(cells: dict[str, str], currency: str, problems: list[str]) -> int | None:
    minor = cells.get("amount", "")
    decimal = cells.get("amount_decimal", "")
    if minor and decimal:
        problems.append("amount: give either amount or amount_decimal, not both")
        return None
    if minor:
        if not _MINOR_UNITS.match(minor):
            problems.append(
                f"amount: '{minor}' is not a whole number of minor units (for 123.45 write 12345, "
                "or use the column amount_decimal)"
            )
            return None
        return int(minor)
    if decimal:
        return _decimal_amount(decimal, currency, problems)
    problems.append("amount: missing value (give amount in minor units or amount_decimal)")
    return None


def _decimal_amount(text: str, currency: str, problems: list[str]) -> int | None:
    """`123.45` in EUR is 12345: exact, with Decimal; never more decimals than the currency has."""
    match = _DECIMAL.match(text)
    if match is None:
        hint = " (use a point as the decimal separator, no thousands separator)" if "," in text else ""
        problems.append(f"amount_decimal: '{text}' is not a decimal amount such as 123.45{hint}")
        return None
    if not currency:
        return None  # already reported as a missing currency
    digits = CURRENCY_DIGITS.get(currency)
    if digits is None:
        problems.append(f"currency: '{currency}' is not an active ISO 4217 currency")
        return None
    decimals = len(match.group(2) or "")
    if decimals > digits:
        allowed = "no decimal places" if digits == 0 else f"{digits} decimal place{'s' if digits > 1 else ''}"
        problems.append(f"amount_decimal: '{text}' has {decimals} decimal places, but {currency} has {allowed}")
        return None
    return int(Decimal(text).scaleb(digits))


def _date(cells: dict[str, str], column: str, problems: list[str], *, required: bool) -> str | None:
    value = cells.get(column, "")
    if not value:
        if required:
            problems.append(f"{column}: missing value")
        return None
    try:
        if not _ISO_DATE.match(value):
            raise ValueError
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        problems.append(f"{column}: '{value}' is not a date in the form YYYY-MM-DD")
        return None


def _model_problems(fields: dict[str, Any]) -> list[str]:
    """For a dry run: the wire models' verdict, worded as the API words it (`debtor.email: ...`)."""
    try:
        ClaimCreateParams.model_validate(fields)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            param = ".".join(str(part) for part in error["loc"])
            text = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                text = "is required"
            elif error["type"] == "extra_forbidden":
                text = "is not a known field"
            problems.append(f"{param}: {text}" if param else text)
        return problems
    return []
