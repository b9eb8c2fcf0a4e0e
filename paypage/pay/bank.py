"""The bank-transfer box of the pay page: account, amount, reference, and the QR code for banking apps.

A creditor keeps one account per currency in `settings["bank_accounts"]`:

    {"EUR": {"holder": "Demo Shop GmbH", "iban": "DE89...", "bic": "COBADEFFXXX"},
     "CHF": {"holder": "Demo Shop GmbH", "iban": "CH93...", "address": {"street": "Bahnhofstrasse",
             "house_num": "1", "pcode": "8001", "city": "Zürich", "country": "CH"}}}

EUR claims get an EPC QR code where the debtor's banking apps scan it (the country file says so);
CHF (and EUR) claims for Swiss debtors get the Swiss QR-bill's code, whose account must be Swiss.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from paypage import i18n
from paypage.domain.countries import Country
from paypage.domain.money import Money
from paypage.pay.context import PayContext
from paypage.payments.bank_transfer.epc import epc_payload
from paypage.payments.bank_transfer.iban import format_iban, validate_iban
from paypage.payments.bank_transfer.reference import format_reference
from paypage.payments.bank_transfer.svg import qr_svg
from paypage.payments.bank_transfer.swiss import StructuredAddress, swiss_qr_bill, swiss_qr_svg
from paypage.store import models

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BankDetails:
    holder: str
    iban_display: str
    bic: str | None
    reference_display: str
    qr_svg: Markup | None


def account_for(settings: dict[str, Any], currency: str) -> dict[str, Any] | None:
    accounts = settings.get("bank_accounts", {})
    account = accounts.get(currency) if isinstance(accounts, dict) else None
    return account if isinstance(account, dict) and account.get("iban") else None


def bank_details(ctx: PayContext) -> BankDetails | None:
    account = account_for(ctx.settings, ctx.claim.currency)
    reference = ctx.claim.transfer_reference
    if account is None or reference is None or ctx.outstanding.amount <= 0:
        return None
    iban = validate_iban(str(account["iban"]))
    holder = str(account.get("holder") or ctx.creditor.name)
    bic = account.get("bic")
    return BankDetails(
        holder=holder,
        iban_display=format_iban(iban),
        bic=str(bic) if bic else None,
        reference_display=format_reference(reference),
        qr_svg=_markup(transfer_qr(ctx.creditor, ctx.claim, ctx.country, ctx.outstanding, ctx.language)),
    )


def _markup(svg: str | None) -> Markup | None:
    return Markup(svg) if svg else None  # noqa: S704 - SVG built by our own renderer


def transfer_qr(
    creditor: models.Creditor, claim: models.Claim, country: Country, amount: Money, language: str
) -> str | None:
    """The bank-transfer QR code for the claim as SVG (for the pay page and the letter), or None where the
    country's banking apps read none or the creditor has no account in the claim's currency."""
    account = account_for(creditor.settings, claim.currency)
    if account is None or claim.transfer_reference is None or amount.amount <= 0:
        return None
    bic = account.get("bic")
    address = account.get("address")
    try:
        return _qr_svg(
            country.qr_standard,
            validate_iban(str(account["iban"])),
            str(account.get("holder") or creditor.name),
            str(bic) if bic else None,
            claim.transfer_reference,
            amount,
            language if language in ("de", "fr", "it", "en") else "de",
            tuple(sorted(address.items())) if isinstance(address, dict) else None,
            i18n.gettext("QR code for your banking app"),
        )
    except ValueError:
        # A misconfigured account must not take a page or a letter down; the bank details still let people pay.
        log.warning("no bank QR code for creditor %s: account settings are invalid", creditor.id)
        return None


@functools.lru_cache(maxsize=2048)
def _qr_svg(
    standard: str,
    iban: str,
    holder: str,
    bic: str | None,
    reference: str,
    amount: Money,
    language: str,
    address: tuple[tuple[str, Any], ...] | None,
    title: str,
) -> str | None:
    """The QR code as SVG. Cached: encoding a QR code is most of a page view's cost, and it depends only
    on these values (a claim's code changes only when its balance does)."""
    if standard == "swiss_qr_bill" and iban[:2] in ("CH", "LI"):
        if address is None:
            return None
        creditor = StructuredAddress(name=holder, **dict(address))  # type: ignore[typeddict-item]
        bill = swiss_qr_bill(creditor=creditor, iban=iban, amount=amount, reference=reference, language=language)
        return swiss_qr_svg(bill, title=title)
    if standard == "epc" and amount.currency == "EUR":
        return qr_svg(epc_payload(name=holder, iban=iban, amount=amount, bic=bic, reference=reference), title=title)
    return None
