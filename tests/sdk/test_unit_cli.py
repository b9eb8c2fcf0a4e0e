"""`inkasso claims import` and `inkasso claims list`, against a mock transport."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import httpx
import inkasso
import pytest
from inkasso import _cli
from inkasso.csv_import import ImportFileError, _decimal_amount, idempotency_key_for, import_claims

HEADER = "external_reference,amount,currency,invoice_date,due_date,debtor_name,debtor_email,debtor_country"


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def row(reference: str, amount: str = "12345", email: str = "max@example.com", currency: str = "EUR") -> str:
    return f"{reference},{amount},{currency},2026-10-01,2026-10-15,Max Muster,{email},DE"


def claim_json(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "clm_" + hashlib.sha256(body["external_reference"].encode()).hexdigest()[:26],
        "object": "claim",
        "livemode": False,
        "state": "open",
        "external_reference": body["external_reference"],
        "amount": body["amount"],
        "currency": body["currency"],
        "balance": {"principal": body["amount"], "interest": 0, "fees": 0, "paid": 0, "outstanding": body["amount"]},
        "debtor": {"id": "dbt_1", "type": "person", "name": "Max Muster", "country": "DE"},
        "invoice_date": "2026-10-01",
        "due_date": "2026-10-15",
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-01T10:00:00Z",
    }


class FakeAPI:
    """Stores claims by idempotency key like the API does: a repeated key with the same body is replayed."""

    def __init__(self, refuse_email: str = "x@") -> None:
        self.refuse_email = refuse_email
        self.stored: dict[str, bytes] = {}
        self.requests: list[httpx.Request] = []
        self.fail_from: int | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail_from is not None and len(self.requests) >= self.fail_from:
            raise httpx.ConnectError("connection refused")
        body = json.loads(request.content)
        if body["debtor"].get("email") == self.refuse_email:
            message = f"debtor.email: '{self.refuse_email}' is not a valid e-mail address"
            return httpx.Response(
                400,
                json={
                    "error": {
                        "type": "invalid_request_error",
                        "code": "parameter_invalid",
                        "message": message,
                        "param": "debtor.email",
                        "request_id": "req_x",
                    }
                },
            )
        key = request.headers["Idempotency-Key"]
        replayed = key in self.stored
        self.stored[key] = request.content
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return httpx.Response(201, json=claim_json(body), headers=headers)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]


def make_client(api: Any) -> inkasso.Client:
    http = httpx.Client(transport=httpx.MockTransport(api))
    client = inkasso.Client(api_key="sk_test_k3y", base_url="http://api.test", http_client=http, max_retries=0)
    client._sleep = lambda seconds: None
    return client


def refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError("no request expected")


# ---------------------------------------------------------------------------------------------- parsing


def test_local_errors_carry_file_line_numbers_and_nothing_is_sent() -> None:
    text = csv_text(
        row("R-1"),  # line 2
        row("R-2", amount="12.50"),  # line 3
        "R-3,100,EUR,2026-10-01,2026-10-15,,max@example.com,DE",  # line 4
        "",  # line 5: blank
        '"R-4",100,EUR,2026-10-01,2026-10-15,"Max\nMuster",max@example.com,DE',  # lines 6-7
        "R-5,100,EUR,2026-13-01,2026-10-15,Max,max@example.com,DE",  # line 8
        row("R-1"),  # line 9
        "R-6,100,EUR",  # line 10
    )
    errors: list[str] = []

    result = import_claims(make_client(refuse), io.StringIO(text), on_error=lambda e: errors.append(str(e)))

    assert errors == [
        "line 3: amount: '12.50' is not a whole number of minor units (for 123.45 write 12345, "
        "or use the column amount_decimal)",
        "line 4: debtor_name: missing value",
        "line 8: invoice_date: '2026-13-01' is not a date in the form YYYY-MM-DD",
        "line 9: external_reference: 'R-1' already appears on line 2",
        "line 10: the row has 3 fields, but the header has 8",
    ]
    assert [str(e) for e in result.errors] == errors
    assert (result.rows, result.valid, result.failed, result.skipped, result.created) == (7, 2, 5, 2, 0)
    assert not result.ok


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("123.45", "EUR", 12345),
        ("123.4", "EUR", 12340),
        ("123", "EUR", 12300),
        ("0.10", "EUR", 10),
        ("99999999.99", "EUR", 9_999_999_999),
        ("1500", "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("0.001", "BHD", 1),
    ],
)
def test_decimal_amounts_are_converted_exactly(text: str, currency: str, minor: int) -> None:
    problems: list[str] = []
    assert _decimal_amount(text, currency, problems) == minor
    assert problems == []


@pytest.mark.parametrize(
    ("text", "currency", "problem"),
    [
        ("12.345", "EUR", "amount_decimal: '12.345' has 3 decimal places, but EUR has 2 decimal places"),
        ("12.340", "EUR", "amount_decimal: '12.340' has 3 decimal places, but EUR has 2 decimal places"),
        ("10.5", "JPY", "amount_decimal: '10.5' has 1 decimal places, but JPY has no decimal places"),
        (
            "12,34",
            "EUR",
            "amount_decimal: '12,34' is not a decimal amount such as 123.45 (use a point as the "
            "decimal separator, no thousands separator)",
        ),
        ("-1.00", "EUR", "amount_decimal: '-1.00' is not a decimal amount such as 123.45"),
        ("1e3", "EUR", "amount_decimal: '1e3' is not a decimal amount such as 123.45"),
        ("1.00", "XYZ", "currency: 'XYZ' is not an active ISO 4217 currency"),
    ],
)
def test_decimal_amounts_that_are_refused(text: str, currency: str, problem: str) -> None:
    problems: list[str] = []
    assert _decimal_amount(text, currency, problems) is None
    assert problems == [problem]


def test_all_columns_map_to_the_wire_fields() -> None:
    header = (
        "external_reference,amount_decimal,currency,invoice_date,due_date,description,debtor_type,"
        "debtor_name,debtor_email,debtor_phone,debtor_country,debtor_language,debtor_date_of_birth,"
        "address_line1,address_line2,address_postal_code,address_city,address_country,metadata.CrmId,"
        "metadata.empty"
    )
    line = (
        "R-1,1234.5,eur,2026-10-01,2026-10-15,Shoes,person,Max Muster,max@example.com,+4915112345678,de,de-CH,"
        "1980-02-29,Hauptstr. 1,,10115,Berlin,de,C-77,"
    )
    api = FakeAPI()

    result = import_claims(make_client(api), io.StringIO(csv_text(line, header=header)))

    assert result.ok and result.created == 1
    assert api.bodies() == [
        {
            "external_reference": "R-1",
            "amount": 123450,
            "currency": "EUR",
            "invoice_date": "2026-10-01",
            "due_date": "2026-10-15",
            "description": "Shoes",
            "debtor": {
                "name": "Max Muster",
                "country": "DE",
                "type": "person",
                "email": "max@example.com",
                "phone": "+4915112345678",
                "language": "de-CH",
                "date_of_birth": "1980-02-29",
                "address": {"line1": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
            },
            "metadata": {"CrmId": "C-77"},
        }
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("", "the file is empty"),
        (HEADER + ",debtor_emial", "unknown columns: 'debtor_emial'"),
        (HEADER.replace("amount,", ""), "missing columns: amount (or amount_decimal)"),
        (HEADER.replace("currency,", ""), "missing columns: currency"),
        (HEADER + ",amount", "duplicate columns: amount"),
    ],
)
def test_header_problems_are_file_errors(header: str, message: str) -> None:
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_claims(None, io.StringIO(header + "\n" if header else ""), dry_run=True)


def test_header_is_case_insensitive_and_bom_tolerant(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_bytes(("\ufeff" + csv_text(row("R-1"), header=HEADER.upper().replace("EXTERNAL", "External"))).encode())

    result = import_claims(None, path, dry_run=True)

    assert (result.rows, result.valid, result.failed) == (1, 1, 0)


def test_semicolon_delimiter() -> None:
    text = csv_text(row("R-1").replace(",", ";"), header=HEADER.replace(",", ";"))

    result = import_claims(None, io.StringIO(text), dry_run=True, delimiter=";")

    assert result.valid == 1


def test_dry_run_checks_rows_against_the_wire_models_and_sends_nothing() -> None:
    text = csv_text(row("R-1"), row("R-2", email="x@"), row("R-3", amount="0"))
    errors: list[str] = []

    result = import_claims(None, io.StringIO(text), dry_run=True, on_error=lambda e: errors.append(str(e)))

    assert errors == [
        "line 3: debtor.email: 'x@' is not a valid e-mail address",
        "line 4: amount: Input should be greater than 0",
    ]
    assert (result.valid, result.failed, result.created) == (1, 2, 0)
    assert result.dry_run


# ---------------------------------------------------------------------------------------------- sending


def test_rows_are_submitted_with_keys_derived_from_the_reference() -> None:
    api = FakeAPI()
    text = csv_text(row("R-1"), row("R-2", email="x@"), row("R-3"))
    errors: list[str] = []

    result = import_claims(make_client(api), io.StringIO(text), on_error=lambda e: errors.append(str(e)))

    assert errors == ["line 3: debtor.email: 'x@' is not a valid e-mail address"]
    assert (result.created, result.replayed, result.failed) == (2, 0, 1)
    keys = [request.headers["Idempotency-Key"] for request in api.requests]
    expected = "import:" + hashlib.sha256(b"R-1").hexdigest()[:32]
    assert keys[0] == expected == idempotency_key_for("R-1")
    assert keys == [idempotency_key_for(ref) for ref in ("R-1", "R-2", "R-3")]


def test_a_rerun_after_a_crash_resumes_without_duplicates() -> None:
    api = FakeAPI()
    text = csv_text(*(row(f"R-{n}") for n in range(1, 6)))
    api.fail_from = 4  # the API becomes unreachable at the fourth row

    crashed = import_claims(make_client(api), io.StringIO(text))

    assert crashed.aborted is not None and "connection refused" in crashed.aborted
    assert (crashed.created, crashed.skipped) == (3, 2)
    assert not crashed.ok

    api.fail_from = None
    resumed = import_claims(make_client(api), io.StringIO(text))

    assert (resumed.created, resumed.replayed, resumed.failed) == (2, 3, 0)
    assert resumed.ok
    assert len(api.stored) == 5


def test_partial_ok_sends_the_valid_rows() -> None:
    api = FakeAPI()
    text = csv_text(row("R-1"), row("R-2", amount="abc"), row("R-3"))

    result = import_claims(make_client(api), io.StringIO(text), partial_ok=True)

    assert (result.created, result.failed, result.skipped) == (2, 1, 0)
    assert [body["external_reference"] for body in api.bodies()] == ["R-1", "R-3"]


def test_an_invalid_key_stops_the_import() -> None:
    def unauthorized(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401,
            json={
                "error": {
                    "type": "authentication_error",
                    "code": "api_key_invalid",
                    "message": "Invalid API key",
                    "request_id": "req_a",
                }
            },
        )

    result = import_claims(make_client(unauthorized), io.StringIO(csv_text(row("R-1"), row("R-2"))))

    assert result.aborted is not None and "api_key_invalid" in result.aborted
    assert "sk_test_k3y" not in result.aborted
    assert (result.created, result.failed, result.skipped) == (0, 0, 2)


# ------------------------------------------------------------------------------------------ command line


def test_main_dry_run_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.csv"
    good.write_text(csv_text(row("R-1"), row("R-2")))
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(row("R-1"), row("R-2", amount="1.5")))

    assert _cli.main(["claims", "import", str(good), "--dry-run"]) == 0
    assert "dry run: 2 of 2 rows valid, 0 failed; nothing was sent" in capsys.readouterr().out
    assert _cli.main(["claims", "import", str(bad), "--dry-run"]) == 1
    captured = capsys.readouterr()
    assert "line 3: amount: '1.5' is not a whole number" in captured.err


def test_main_usage_and_file_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INKASSO_API_KEY", raising=False)
    assert _cli.main(["claims", "import", str(tmp_path / "missing.csv"), "--dry-run"]) == 2
    assert "cannot read" in capsys.readouterr().err

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("reference,amount\n")
    assert _cli.main(["claims", "import", str(wrong), "--dry-run"]) == 2
    assert "line 1: unknown columns: 'reference'" in capsys.readouterr().err

    good = tmp_path / "good.csv"
    good.write_text(csv_text(row("R-1")))
    assert _cli.main(["claims", "import", str(good)]) == 2
    assert "INKASSO_API_KEY" in capsys.readouterr().err

    with pytest.raises(SystemExit) as exited:
        _cli.main(["claims", "frobnicate"])
    assert exited.value.code == 2


def test_main_import_reports_rows_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeAPI()
    monkeypatch.setattr(_cli, "_make_client", lambda args: make_client(api))
    path = tmp_path / "claims.csv"
    path.write_text(csv_text(row("R-1"), row("R-2", email="x@"), row("R-3")))

    assert _cli.main(["claims", "import", str(path)]) == 1
    captured = capsys.readouterr()
    assert "line 3: debtor.email: 'x@' is not a valid e-mail address" in captured.err
    assert "sent 3 of 3 rows" in captured.err  # stderr is not a terminal: plain progress lines
    assert captured.out.strip() == "created: 2, replayed: 0, failed: 1"

    api.refuse_email = "nobody"
    assert _cli.main(["claims", "import", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "created: 1, replayed: 2, failed: 0"


def test_without_partial_ok_the_summary_explains_why_nothing_was_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cli, "_make_client", lambda args: make_client(refuse))
    path = tmp_path / "claims.csv"
    path.write_text(csv_text(row("R-1"), row("R-2", amount="x")))

    assert _cli.main(["claims", "import", str(path)]) == 1
    out = capsys.readouterr().out
    assert "nothing was sent: 1 of 2 rows have errors" in out
    assert "--partial-ok to send the 1 valid rows" in out


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal() -> None:
    terminal = FakeTerminal()
    console = _cli._Console(terminal)

    console.progress(1, 4)
    console.error(inkasso.csv_import.RowError(3, "boom"))
    console.progress(4, 4)
    console.finish()

    output = terminal.getvalue()
    assert "\r[#######.......................] 1/4 rows" in output
    assert "\r\x1b[Kline 3: boom\n" in output
    assert output.endswith("[##############################] 4/4 rows\n")


def list_pages(request: httpx.Request) -> httpx.Response:
    cursor = request.url.params.get("cursor")
    start = 0 if cursor is None else int(cursor)
    limit = int(request.url.params["limit"])
    data = [
        claim_json({"external_reference": f"R-{n}", "amount": 123456, "currency": "EUR"})
        for n in range(start, start + limit)
    ]
    return httpx.Response(
        200, json={"object": "list", "data": data, "has_more": True, "next_cursor": str(start + limit)}
    )


def test_list_prints_a_table_and_respects_the_limit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    requests: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return list_pages(request)

    monkeypatch.setattr(_cli, "_make_client", lambda args: make_client(api))

    assert _cli.main(["claims", "list", "--state", "open", "--limit", "3"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "STATE", "REFERENCE", "AMOUNT", "OUTSTANDING", "DUE", "DEBTOR"]
    assert len(lines) == 4
    assert "1234.56 EUR" in lines[1] and "R-0" in lines[1]
    assert len(requests) == 1
    assert requests[0].url.params["state"] == "open"
    assert requests[0].url.params["limit"] == "3"


def test_list_json_walks_pages(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_cli, "_make_client", lambda args: make_client(list_pages))

    assert _cli.main(["claims", "list", "--limit", "150", "--json"]) == 0

    claims = json.loads(capsys.readouterr().out)
    assert len(claims) == 150
    assert claims[149]["external_reference"] == "R-149"


def test_list_api_error_exits_1(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            503,
            json={
                "error": {"type": "api_error", "code": "service_unavailable", "message": "down", "request_id": "req_d"}
            },
        )

    monkeypatch.setattr(_cli, "_make_client", lambda args: make_client(down))

    assert _cli.main(["claims", "list"]) == 1
    assert "503 service_unavailable: down (request id: req_d)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [(12345, "EUR", "123.45 EUR"), (1500, "JPY", "1500 JPY"), (1234, "KWD", "1.234 KWD"), (5, "EUR", "0.05 EUR")],
)
def test_format_amount(minor: int, currency: str, text: str) -> None:
    assert _cli.format_amount(minor, currency) == text
