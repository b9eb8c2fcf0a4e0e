"""ISO 20022 bank-to-customer statements (camt.053.001.02 to .08) to the credits that may pay claims.

What comes out, per booked entry (`Sts` BOOK; pending and information-only entries are left out):
- a credit (`CdtDbtInd` CRDT, no reversal) gives one `BankCredit` per transaction: a batch-booked entry
  with several `TxDtls` gives several, each with its own amount and remittance information;
- a debit that reverses an earlier credit (`CdtDbtInd` DBIT with `RvslInd` true: "the original
  operation was a credit entry", ISO 20022) gives `BankCredit`s with `reversal=True`, because a payment
  already booked against a claim has to be taken back;
- other debits, and credits that reverse a debit (refunds of our own payments), are not claim payments
  and are skipped.

Amounts are exact: the decimal text is read with `Decimal` and must have no more decimals than the
currency has minor units (ISO 4217). The XML is parsed with defusedxml with DTDs refused outright, so
entity expansion ("billion laughs") and external entities cannot be used. Every error is a `CamtError`
(a `ValueError`) that names the line of the element at fault.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from inkasso._iso import CURRENCY_DIGITS

from paypage.domain.money import Money

SUPPORTED_VERSIONS = frozenset({"02", "03", "04", "05", "06", "07", "08"})

_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.([0-9]{2})")
# ISO 20022 amounts: digits, optionally a point and decimals; no sign, no exponent, no grouping.
_AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
# The placeholder ISO 20022 prescribes when the payer gave no end-to-end id; it identifies nothing.
_NOT_PROVIDED = "NOTPROVIDED"


class CamtError(ValueError):
    """A statement that cannot be read; `line` is where in the file (None when not known)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"camt.053 line {line}: {message}" if line is not None else f"camt.053: {message}")
        self.line = line


@dataclass(frozen=True, slots=True)
class BankCredit:
    """One payment received (or, with `reversal`, taken back) on a statement account."""

    amount: Money
    booking_date: dt.date | None
    value_date: dt.date | None
    end_to_end_id: str | None
    #: The bank's reference of the transaction, or of the entry when the transaction has none.
    account_servicer_reference: str | None
    #: `RmtInf/Strd/CdtrRefInf/Ref`, as written (see `matching.find_reference` to normalise it).
    structured_reference: str | None
    #: All `RmtInf/Ustrd` lines joined by a space.
    unstructured: str | None
    debtor_name: str | None
    debtor_iban: str | None
    #: The statement's own account: which of our creditors' accounts received the money.
    account_iban: str | None
    #: True when this entry takes back a credit booked before (`DBIT` with `RvslInd` true).
    reversal: bool
    #: Position of the transaction within its entry (0 unless the entry is batch-booked).
    transaction_index: int
    #: Line of the transaction (or entry) in the file, for audit and support.
    line: int

    @property
    def dedupe_key(self) -> str | None:
        """Identifies this credit across statements (a bank repeats entries in overlapping statements)."""
        if self.account_servicer_reference is None:
            return None
        return f"{self.account_iban or ''}|{self.account_servicer_reference}|{self.transaction_index}"


class _LineRecordingBuilder(TreeBuilder):
    """A tree builder that remembers the line on which each element starts (ElementTree keeps none)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str], /) -> Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[element] = self.parser.parser.CurrentLineNumber
        return element


def _parse_xml(data: bytes) -> tuple[Element, dict[Element, int]]:
    builder = _LineRecordingBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        line = parser.parser.CurrentLineNumber
        raise CamtError(f"refused: DTDs and entity declarations are not allowed in a statement ({exc})", line) from exc
    except ParseError as exc:
        raise CamtError(f"not well-formed XML ({exc})", exc.position[0]) from exc
    return root, builder.lines


class _Reader:
    """Namespace-aware lookups that report the line of what is missing or wrong."""

    def __init__(self, namespace: str, lines: dict[Element, int]) -> None:
        self.ns = namespace
        self.lines = lines

    def line(self, element: Element) -> int | None:
        return self.lines.get(element)

    def path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{step}" for step in path.split("/"))

    def find(self, element: Element, path: str) -> Element | None:
        return element.find(self.path(path))

    def findall(self, element: Element, path: str) -> list[Element]:
        return element.findall(self.path(path))

    def text(self, element: Element, path: str) -> str | None:
        found = self.find(element, path)
        if found is None or found.text is None or not found.text.strip():
            return None
        return found.text.strip()

    def required_text(self, element: Element, path: str) -> str:
        value = self.text(element, path)
        if value is None:
            raise CamtError(f"<{element.tag.split('}')[-1]}> has no <{path}>", self.line(element))
        return value

    def money(self, amount: Element) -> Money:
        line = self.line(amount)
        currency = amount.get("Ccy")
        if currency is None or currency not in CURRENCY_DIGITS:
            raise CamtError(f"amount has no known currency (Ccy={currency!r})", line)
        text = (amount.text or "").strip()
        match = _AMOUNT.fullmatch(text)
        if match is None:
            raise CamtError(f"amount {text!r} is not a decimal number", line)
        digits = CURRENCY_DIGITS[currency]
        decimals = match.group(2) or ""
        if len(decimals) > digits:
            raise CamtError(f"amount {text} has more decimals than {currency} allows ({digits})", line)
        # Exact: Decimal reads the text as written; scaling by the currency's digits leaves an integer.
        minor = Decimal(text).scaleb(digits)
        return Money(int(minor), currency)

    def date(self, element: Element, path: str) -> dt.date | None:
        holder = self.find(element, path)
        if holder is None:
            return None
        line = self.line(holder)
        day = self.text(holder, "Dt")
        moment = self.text(holder, "DtTm")
        try:
            if day is not None:
                return dt.date.fromisoformat(day)
            if moment is not None:
                # The date as the bank states it, in the bank's own offset; not converted to UTC.
                return dt.datetime.fromisoformat(moment).date()
        except ValueError as exc:
            raise CamtError(f"<{path}> holds no valid date ({exc})", line) from exc
        return None


def _is_true(value: str | None) -> bool:
    return value is not None and value.lower() in {"true", "1"}


def _status(reader: _Reader, entry: Element) -> str | None:
    # Up to version 05 the status is a code in <Sts>; from 06 on it is a choice, <Sts><Cd>BOOK</Cd></Sts>.
    status = reader.find(entry, "Sts")
    if status is None:
        return None
    code = reader.text(status, "Cd")
    if code is not None:
        return code
    return status.text.strip() if status.text and status.text.strip() else None


def _debtor_name(reader: _Reader, transaction: Element) -> str | None:
    # Version 08 wraps the party in <Pty> (Party40Choice); earlier versions put <Nm> directly in <Dbtr>.
    return reader.text(transaction, "RltdPties/Dbtr/Pty/Nm") or reader.text(transaction, "RltdPties/Dbtr/Nm")


def _structured_reference(reader: _Reader, transaction: Element) -> str | None:
    for structured in reader.findall(transaction, "RmtInf/Strd"):
        reference = reader.text(structured, "CdtrRefInf/Ref")
        if reference is not None:
            return reference
    return None


def _unstructured(reader: _Reader, transaction: Element) -> str | None:
    # A bank splits long text over several <Ustrd>, sometimes inside a reference; a space keeps the
    # pieces apart without losing them, and matching reassembles references across spaces.
    lines = [line.text.strip() for line in reader.findall(transaction, "RmtInf/Ustrd") if line.text]
    joined = " ".join(line for line in lines if line)
    return joined or None


def _end_to_end_id(reader: _Reader, transaction: Element) -> str | None:
    value = reader.text(transaction, "Refs/EndToEndId")
    return None if value is None or value.upper() == _NOT_PROVIDED else value


def _transaction_amount(reader: _Reader, transaction: Element) -> Money | None:
    # From version 03 on the booked amount is <TxDtls/Amt>; version 02 only has <AmtDtls/TxAmt/Amt>.
    amount = reader.find(transaction, "Amt")
    if amount is None:
        amount = reader.find(transaction, "AmtDtls/TxAmt/Amt")
    return reader.money(amount) if amount is not None else None


def _entry_credits(reader: _Reader, entry: Element, account_iban: str | None) -> Iterator[BankCredit]:
    line = reader.line(entry) or 0
    amount_element = reader.find(entry, "Amt")
    if amount_element is None:
        raise CamtError("<Ntry> has no <Amt>", line)
    entry_amount = reader.money(amount_element)
    indicator = reader.required_text(entry, "CdtDbtInd")
    if indicator not in {"CRDT", "DBIT"}:
        raise CamtError(f"<CdtDbtInd> is {indicator!r}, expected CRDT or DBIT", line)
    status = _status(reader, entry)
    if status is None:
        raise CamtError("<Ntry> has no <Sts>", line)
    reversal = _is_true(reader.text(entry, "RvslInd"))
    if status != "BOOK":
        return  # pending (PDNG) or information (INFO): not money on the account yet
    if (indicator == "CRDT") == reversal:
        return  # a debit, or a credit that reverses one of our own debits: not a claim payment
    booking_date = reader.date(entry, "BookgDt")
    value_date = reader.date(entry, "ValDt")
    entry_reference = reader.text(entry, "AcctSvcrRef")
    transactions = reader.findall(entry, "NtryDtls/TxDtls")
    if not transactions:
        yield BankCredit(
            amount=entry_amount,
            booking_date=booking_date,
            value_date=value_date,
            end_to_end_id=None,
            account_servicer_reference=entry_reference,
            structured_reference=None,
            unstructured=None,
            debtor_name=None,
            debtor_iban=None,
            account_iban=account_iban,
            reversal=reversal,
            transaction_index=0,
            line=line,
        )
        return
    amounts: list[Money] = []
    for transaction in transactions:
        tx_line = reader.line(transaction) or line
        tx_indicator = reader.text(transaction, "CdtDbtInd")
        if tx_indicator is not None and tx_indicator != indicator:
            raise CamtError(f"transaction is {tx_indicator} inside a {indicator} entry", tx_line)
        amount = _transaction_amount(reader, transaction)
        if amount is None:
            if len(transactions) > 1:
                raise CamtError("a transaction of a batch-booked entry has no amount", tx_line)
            amount = entry_amount
        if amount.currency != entry_amount.currency:
            raise CamtError(
                f"transaction amount is in {amount.currency}, the entry in {entry_amount.currency}", tx_line
            )
        amounts.append(amount)
    total = sum(amount.amount for amount in amounts)
    if total != entry_amount.amount:
        raise CamtError(f"the transactions add up to {total} minor units, the entry says {entry_amount}", line)
    for index, (transaction, amount) in enumerate(zip(transactions, amounts, strict=True)):
        yield BankCredit(
            amount=amount,
            booking_date=booking_date,
            value_date=value_date,
            end_to_end_id=_end_to_end_id(reader, transaction),
            account_servicer_reference=reader.text(transaction, "Refs/AcctSvcrRef") or entry_reference,
            structured_reference=_structured_reference(reader, transaction),
            unstructured=_unstructured(reader, transaction),
            debtor_name=_debtor_name(reader, transaction),
            debtor_iban=reader.text(transaction, "RltdPties/DbtrAcct/Id/IBAN"),
            account_iban=account_iban,
            reversal=reversal,
            transaction_index=index,
            line=reader.line(transaction) or line,
        )


def parse_camt053(data: bytes) -> list[BankCredit]:
    """The credits (and reversed credits) booked on the statement(s) in a camt.053 file."""
    if not isinstance(data, bytes):
        raise TypeError("parse_camt053 reads the file's bytes, so that its XML declaration decides the encoding")
    root, lines = _parse_xml(data)
    match = _NAMESPACE.fullmatch(root.tag[1:].split("}")[0]) if root.tag.startswith("{") else None
    if match is None or root.tag.split("}")[-1] != "Document":
        raise CamtError(f"not a camt.053 document (root element {root.tag})", lines.get(root))
    if match.group(1) not in SUPPORTED_VERSIONS:
        raise CamtError(f"camt.053.001.{match.group(1)} is not supported (supported: 02 to 08)", lines.get(root))
    reader = _Reader(match.group(0), lines)
    statement_root = reader.find(root, "BkToCstmrStmt")
    if statement_root is None:
        raise CamtError("<Document> has no <BkToCstmrStmt>", lines.get(root))
    credits: list[BankCredit] = []
    for statement in reader.findall(statement_root, "Stmt"):
        account_iban = reader.text(statement, "Acct/Id/IBAN")
        for entry in reader.findall(statement, "Ntry"):
            credits.extend(_entry_credits(reader, entry, account_iban))
    return credits
