"""Rendering a dunning message for one channel, in the debtor's language, with what the law asks for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import current_app

from paypage import i18n
from paypage.domain.countries import Country
from paypage.domain.money import Money
from paypage.domain.strategies import Step
from paypage.formatting import format_money
from paypage.payments.bank_transfer.iban import format_iban
from paypage.payments.bank_transfer.reference import format_reference
from paypage.services import claims
from paypage.store import models

PAYMENT_DEADLINE_DAYS = 10
COST_WARNING_DAYS = 14


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    text: str
    html: str | None
    language: str


def _language(debtor: models.Debtor, country: Country) -> str:
    return i18n.choose(None, None, debtor.language, [], country.languages)


def context(
    claim: models.Claim,
    debtor: models.Debtor,
    creditor: models.Creditor,
    country: Country,
    step: Step,
    pay_url: str,
    today: dt.date,
    language: str,
    announced_costs: Money | None = None,
    interest_note: str = "",
) -> dict[str, Any]:
    locale = i18n.babel_locale(language, debtor.country)

    def money(amount: int) -> str:
        return format_money(Money(amount, claim.currency), locale)

    def date(day: dt.date) -> str:
        return format_date(day, format="long", locale=locale)

    settings = creditor.settings
    account = settings.get("bank_accounts", {}).get(claim.currency)
    outstanding = claims.outstanding(claim)
    address = settings.get("address")
    days = COST_WARNING_DAYS if step.template == "cost_warning" else PAYMENT_DEADLINE_DAYS
    return {
        "language": language,
        "template": step.template,
        "tone": step.tone,
        "debtor_name": debtor.name,
        "debtor_type": debtor.type,
        "creditor": creditor.name,
        "creditor_short": creditor.name[:30],
        "creditor_full": f"{creditor.name}, {address}" if address else creditor.name,
        "sender": settings.get("sender_name") or creditor.name,
        "supervisory_authority": settings.get("supervisory_authority"),
        "reference": claim.external_reference,
        "reason": claim.description or claim.external_reference,
        "invoice_date": date(claim.invoice_date),
        "due_date": date(claim.due_date),
        "deadline": date(today + dt.timedelta(days=days)),
        "principal": money(claim.principal),
        "interest": money(claim.interest),
        "interest_amount": claim.interest,
        "interest_note": interest_note,
        "fees": money(claim.fees_total),
        "fees_amount": claim.fees_total,
        "fees_note": ", ".join(str(fee.get("description") or fee.get("type")) for fee in claim.fees),
        "paid": money(claim.paid),
        "paid_amount": claim.paid,
        "outstanding": money(outstanding),
        "outstanding_sms": _sms_amount(Money(outstanding, claim.currency), locale),
        "announced_costs": format_money(announced_costs, locale) if announced_costs else "",
        "pay_url": pay_url,
        "notices": {notice.key for notice in country.legal.notices},
        "sms_opt_out": "electronic_opt_out" in {notice.key for notice in country.legal.notices},
        "opt_out_url": f"{pay_url}/contact" if country.code == "US" else None,
        "transfer": {
            "holder": account.get("holder") or creditor.name,
            "iban": format_iban(account["iban"]),
            "reference": format_reference(claim.transfer_reference),
        }
        if isinstance(account, dict) and account.get("iban") and claim.transfer_reference
        else None,
    }


def _sms_amount(money: Money, locale: str) -> str:
    """ "349,99 PLN" rather than "349,99 zł": no grouping and the ISO code keep an SMS within GSM-7 (one
    "ł" or Swiss "’" would switch the whole message to UCS-2 and split it into several)."""
    pattern = "0." + "0" * money.digits if money.digits else "0"
    number = format_decimal(Decimal(money.amount).scaleb(-money.digits), format=pattern, locale=locale)
    return f"{number} {money.currency}"


def render(channel: str, values: dict[str, Any]) -> Rendered:
    """Subject, text and HTML for `channel`, in `values["language"]` (needs an app context)."""
    i18n.activate(values["language"])
    environment = current_app.jinja_env
    subject = environment.get_template("messages/subject.txt").render(m=values).strip()
    values = {**values, "subject": subject}
    if channel == "email":
        text = environment.get_template("messages/email.txt").render(m=values)
        html = environment.get_template("messages/email.html").render(m=values)
        return Rendered(subject, _tidy(text), html, values["language"])
    if channel in ("sms", "whatsapp"):
        text = environment.get_template("messages/sms.txt").render(m=values)
        return Rendered(None, " ".join(text.split()), None, values["language"])
    text = environment.get_template("messages/letter.txt").render(m=values)
    return Rendered(subject, _tidy(text), None, values["language"])


def _tidy(text: str) -> str:
    """At most one blank line in a row; templates leave some where optional parts are missing."""
    lines: list[str] = []
    for line in text.strip().splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


def language_for(debtor: models.Debtor, country: Country) -> str:
    return _language(debtor, country)
