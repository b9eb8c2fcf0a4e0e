from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from paypage.domain.money import Money
from paypage.payments.bank_transfer.camt053 import BankCredit, CamtError, parse_camt053

DATA = Path(__file__).parents[2] / "data" / "camt"


def read(name: str) -> list[BankCredit]:
    return parse_camt053((DATA / name).read_bytes())


def statement(entries: str, version: str = "08") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
<BkToCstmrStmt><Stmt><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
{entries}
</Stmt></BkToCstmrStmt></Document>""".encode()


def entry(amount: str = '<Amt Ccy="EUR">10.00</Amt>', details: str = "") -> str:
    return f"""<Ntry>{amount}<CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-03-02</Dt></BookgDt><AcctSvcrRef>X1</AcctSvcrRef>{details}</Ntry>"""


def test_german_statement_with_rf_references() -> None:
    credits = read("de_bank_rf_references.camt053.xml")
    assert [(c.amount, c.reversal) for c in credits] == [
        (Money(12345, "EUR"), False),
        (Money(5000, "EUR"), False),
        (Money(12345, "EUR"), True),  # a returned credit; the fee debit and the pending credit are left out
    ]
    paid, typed_by_hand, returned = credits
    assert paid.structured_reference == "RF51Y4GFSHWX9R3JHT9XMD8F9"
    assert paid.unstructured is None
    assert paid.end_to_end_id == "E2E-20260302-0001"
    assert paid.account_servicer_reference == "2026030200001"
    assert paid.debtor_name == "Erika Mustermann"  # version 08: <Dbtr><Pty><Nm>
    assert paid.debtor_iban == "DE12500105170648489890"
    assert paid.account_iban == "DE89370400440532013000"
    assert paid.booking_date == paid.value_date == dt.date(2026, 3, 2)
    assert typed_by_hand.structured_reference is None
    assert typed_by_hand.unstructured == "Teilzahlung zu rf78 8ea6 h2z2 e5c4 xb8z px30 1, danke"
    assert typed_by_hand.end_to_end_id is None  # NOTPROVIDED identifies nothing
    assert returned.structured_reference == paid.structured_reference
    assert returned.dedupe_key != paid.dedupe_key


def test_swiss_statement_with_qr_references() -> None:
    credits = read("ch_bank_qr_references.camt053.xml")
    # The third entry credits back one of our own debits (CRDT with RvslInd): not a claim payment.
    assert [c.amount for c in credits] == [Money(19995, "CHF"), Money(100050, "CHF")]
    qr_paid, typed = credits
    assert qr_paid.structured_reference == "210000000003139471430009017"
    assert qr_paid.debtor_name == "Pia-Maria Rutschmann-Schnyder"  # up to version 07: <Dbtr><Nm>
    assert qr_paid.account_servicer_reference == "ZV20260302/000112/1"  # the transaction's, not the entry's
    assert qr_paid.account_iban == "CH4431999123000889012"
    assert typed.unstructured == "Zahlung Ref. 00 67637 95632 21918 46346 80099"
    assert typed.value_date == dt.date(2026, 3, 3)
    assert all(not c.reversal for c in credits)


def test_batch_booked_entry_gives_one_credit_per_transaction() -> None:
    credits = read("batch_booking.camt053.xml")
    assert [(c.amount, c.transaction_index) for c in credits] == [
        (Money(10000, "EUR"), 0),
        (Money(20075, "EUR"), 1),
        (Money(5000, "EUR"), 2),
        (Money(1500, "EUR"), 0),  # an entry without transaction details stands for itself
    ]
    first, second, third, lone = credits
    assert first.structured_reference == "RF80 JR3X 9R3Z YWK9 AKDZ 32NP R"
    assert second.unstructured == "RF23X1XM1BRPRMWE3Z45MDSX2 Gruber"
    assert third.structured_reference is None
    assert [c.debtor_name for c in credits] == ["Jan de Vries", "Anna Gruber", "Hans Meier", None]
    assert first.booking_date == dt.date(2026, 3, 4)  # from <DtTm>, as the bank states it
    assert lone.account_servicer_reference == "2026030400018"
    assert len({c.dedupe_key for c in credits}) == 4


@pytest.mark.parametrize(
    ("name", "net"),
    [
        # closing minus opening balance 45.10, plus a 4.90 fee that is no claim payment
        ("de_bank_rf_references.camt053.xml", Money(5000, "EUR")),
        # closing minus opening balance 1220.45, less a 20.00 refund of one of our own debits
        ("ch_bank_qr_references.camt053.xml", Money(120045, "CHF")),
        ("batch_booking.camt053.xml", Money(36575, "EUR")),
    ],
)
def test_credits_less_reversals_match_the_balances_of_each_sample(name: str, net: Money) -> None:
    credits = read(name)
    assert sum(-c.amount.amount if c.reversal else c.amount.amount for c in credits) == net.amount
    assert {c.amount.currency for c in credits} == {net.currency}


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("0.01", "EUR", 1), ("1234.5", "EUR", 123450), ("100", "JPY", 100), ("1.234", "KWD", 1234), ("7", "EUR", 700)],
)
def test_amounts_are_exact_minor_units(amount: str, currency: str, minor: int) -> None:
    (credit,) = parse_camt053(statement(entry(f'<Amt Ccy="{currency}">{amount}</Amt>')))
    assert credit.amount == Money(minor, currency)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ('<Amt Ccy="EUR">10.001</Amt>', "more decimals than EUR allows"),
        ('<Amt Ccy="EUR">10.000</Amt>', "more decimals than EUR allows"),
        ('<Amt Ccy="JPY">100.5</Amt>', "more decimals than JPY allows"),
        ('<Amt Ccy="EUR">1e3</Amt>', "not a decimal number"),
        ('<Amt Ccy="EUR">-5.00</Amt>', "not a decimal number"),
        ('<Amt Ccy="EUR">1,50</Amt>', "not a decimal number"),
        ('<Amt Ccy="XXX">1.50</Amt>', "no known currency"),
        ("<Amt>1.50</Amt>", "no known currency"),
    ],
)
def test_malformed_amounts_are_refused_with_their_line(amount: str, message: str) -> None:
    with pytest.raises(CamtError, match=message) as error:
        parse_camt053(statement(entry(amount)))
    assert error.value.line == 4
    assert str(error.value).startswith("camt.053 line 4:")


def test_batch_whose_transactions_do_not_add_up_is_refused() -> None:
    details = """<NtryDtls>
<TxDtls><Amt Ccy="EUR">6.00</Amt></TxDtls>
<TxDtls><Amt Ccy="EUR">3.00</Amt></TxDtls></NtryDtls>"""
    with pytest.raises(CamtError, match="add up to 900"):
        parse_camt053(statement(entry(details=details)))


def test_batch_transaction_without_amount_is_refused_with_its_line() -> None:
    details = """<NtryDtls>
<TxDtls><Amt Ccy="EUR">6.00</Amt></TxDtls>
<TxDtls><Refs><EndToEndId>A</EndToEndId></Refs></TxDtls></NtryDtls>"""
    with pytest.raises(CamtError, match="no amount") as error:
        parse_camt053(statement(entry(details=details)))
    assert error.value.line == 7


def test_single_transaction_without_amount_takes_the_entry_amount() -> None:
    details = "<NtryDtls><TxDtls><RmtInf><Ustrd>a</Ustrd><Ustrd>b</Ustrd></RmtInf></TxDtls></NtryDtls>"
    (credit,) = parse_camt053(statement(entry(details=details)))
    assert credit.amount == Money(1000, "EUR")
    assert credit.unstructured == "a b"


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"<Document><unclosed></Document>", "not well-formed", 1),
        (statement("<Ntry><Amt>"), "not well-formed", 5),
        (statement("", version="09"), "camt.053.001.09 is not supported", 2),
        (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"/>', "not a camt.053 document", 1),
        (statement("<Ntry><CdtDbtInd>CRDT</CdtDbtInd></Ntry>"), "has no <Amt>", 4),
        (statement('<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>'), "has no <Sts>", 4),
        (statement('<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>UP</CdtDbtInd></Ntry>'), "expected CRDT or DBIT", 4),
    ],
)
def test_malformed_files_give_errors_with_line_context(data: bytes, message: str, line: int) -> None:
    with pytest.raises(CamtError, match=message) as error:
        parse_camt053(data)
    assert error.value.line == line


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Document [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<NtryDtls><TxDtls><RmtInf><Ustrd>&f;</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<NtryDtls><TxDtls><RmtInf><Ustrd>&secret;</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""

PLAIN_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Document SYSTEM "http://example.invalid/camt.dtd">
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"/>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, PLAIN_DTD], ids=["entities", "external", "dtd"])
def test_dtds_and_entities_are_refused_before_anything_expands(data: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(CamtError, match="refused") as error:
        parse_camt053(data)
    assert time.perf_counter() - started < 0.5
    assert error.value.line == 2
    assert isinstance(error.value, ValueError)


def test_text_instead_of_bytes_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_camt053(statement("").decode())  # type: ignore[arg-type]
