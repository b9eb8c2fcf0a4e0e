"""Everything a pay page needs about the claim behind a token, loaded once per request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import get_decimal_symbol
from flask import g, request
from inkasso import types as wire
from sqlalchemy.orm import Session

from paypage import i18n
from paypage.domain.countries import Country, get_country_or_fallback
from paypage.domain.money import Money
from paypage.domain.tokens import token_digest
from paypage.formatting import format_money
from paypage.pay import branding
from paypage.services import claims, creditor_settings
from paypage.services.tenancy import Tenant
from paypage.store import models

LANGUAGE_COOKIE = "inkasso_lang"
PAID_PAGE_DAYS = 30
"""How long after payment the link still shows the "settled, thank you" page."""


class LinkInvalid(Exception):
    """Unknown, guessed, revoked or expired token: every case gets the same page."""


@dataclass
class PayContext:
    token: str
    tenant: Tenant
    claim: models.Claim
    debtor: models.Debtor
    creditor: models.Creditor
    country: Country
    language: str
    locale: str
    view: wire.Claim
    brand: dict[str, str | None] = field(default_factory=dict)
    """The creditor's stylesheet and logo URLs (`paypage.pay.branding`), None where it has none."""

    @property
    def row(self) -> claims.Row:
        return self.claim, self.debtor

    def money(self, amount: int) -> str:
        return format_money(Money(amount, self.claim.currency), self.locale)

    @property
    def money_pattern(self) -> str:
        """The locale's money format with `{}` for the number (`{} €`, `€ {}`, `CHF {}`), for the script
        that previews instalments."""
        zero = Money(0, self.claim.currency)
        number = "0" + (get_decimal_symbol(self.locale) + "0" * zero.digits if zero.digits else "")
        return format_money(zero, self.locale).replace(number, "{}", 1)

    @property
    def outstanding(self) -> Money:
        return Money(claims.outstanding(self.claim), self.claim.currency)

    @property
    def settings(self) -> dict[str, Any]:
        """The creditor's settings as they apply in the debtor's country (methods, instalment rules)."""
        return creditor_settings.for_country(self.creditor.settings, self.country.code)


def load(session: Session, token: str, now: dt.datetime, for_update: bool = False) -> PayContext:
    if not 16 <= len(token) <= 64:
        raise LinkInvalid
    link = session.get(models.PayLink, token_digest(token))
    if link is None:
        raise LinkInvalid
    creditor = session.get(models.Creditor, link.creditor_id)
    found = session.get(models.Claim, (link.creditor_id, link.claim_id))
    if creditor is None or found is None or found.pay_link_version != link.version:
        raise LinkInvalid
    tenant = Tenant(found.creditor_id, found.livemode)
    claim, debtor = claims.get(session, tenant, found.id, for_update=for_update)
    if link.revoked_at is not None and not _recently_paid(claim, now):
        raise LinkInvalid
    country = get_country_or_fallback(debtor.country, claim.currency)
    language = i18n.choose(
        request.args.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        debtor.language,
        [lang for lang, _ in request.accept_languages],
        country.languages,
    )
    i18n.activate(language)
    locale = i18n.babel_locale(language, debtor.country)
    g.locale = locale
    return PayContext(
        token=token,
        tenant=tenant,
        claim=claim,
        debtor=debtor,
        creditor=creditor,
        country=country,
        language=language,
        locale=locale,
        view=claims.render((claim, debtor), None),
        brand=branding.urls(session, creditor),
    )


def _recently_paid(claim: models.Claim, now: dt.datetime) -> bool:
    closed = claim.closed_at
    return claim.state == "paid" and closed is not None and now - closed < dt.timedelta(days=PAID_PAGE_DAYS)
