"""The claims list's filters: parsed from the query string with a clear message for each bad value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from inkasso._iso import CURRENCY_DIGITS
from sqlalchemy import and_, or_, select
from werkzeug.datastructures import MultiDict

from paypage.domain.states import STATES
from paypage.portal.i18n import _
from paypage.services.tenancy import Tenant
from paypage.store import models
from paypage.store.blind_index import name_matches

PAGE_SIZE = 50


@dataclass
class Search:
    q: str = ""
    state: str = ""
    country: str = ""
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    age_min: int | None = None
    age_max: int | None = None
    before: str = ""


def parse(args: MultiDict[str, str]) -> tuple[Search, dict[str, str]]:
    """The filters, and for each refused field a message (the list then shows no results for it)."""
    search = Search(q=args.get("q", "").strip()[:100], before=args.get("before", "")[:32])
    errors: dict[str, str] = {}
    state = args.get("state", "")
    if state and state not in STATES:
        errors["state"] = _("Choose a state from the list.")
    else:
        search.state = state
    country = args.get("country", "").strip().upper()
    if country and not (len(country) == 2 and country.isalpha()):
        errors["country"] = _("A country is two letters, such as DE.")
    else:
        search.country = country
    for name in ("amount_min", "amount_max"):
        raw = args.get(name, "").strip().replace(",", ".")
        if raw:
            try:
                value = Decimal(raw)
                if value < 0 or not value.is_finite():
                    raise InvalidOperation
                setattr(search, name, value)
            except InvalidOperation:
                errors[name] = _("Enter an amount such as 150 or 99.50.")
    for name in ("age_min", "age_max"):
        raw = args.get(name, "").strip()
        if raw:
            if raw.isdigit() and int(raw) <= 100_000:
                setattr(search, name, int(raw))
            else:
                errors[name] = _("Enter a whole number of days.")
    return search, errors


def _at_least(amount: Decimal, column: Any) -> Any:
    """`principal >= amount` in each currency's own minor units (2 for EUR, 0 for JPY, 3 for KWD)."""
    by_digits: dict[int, list[str]] = {}
    for currency, digits in CURRENCY_DIGITS.items():
        by_digits.setdefault(digits, []).append(currency)
    return or_(
        *(
            and_(
                models.Claim.currency.in_(currencies),
                column >= int(amount.scaleb(digits).to_integral_value("ROUND_CEILING")),
            )
            for digits, currencies in by_digits.items()
        )
    )


def _at_most(amount: Decimal, column: Any) -> Any:
    by_digits: dict[int, list[str]] = {}
    for currency, digits in CURRENCY_DIGITS.items():
        by_digits.setdefault(digits, []).append(currency)
    return or_(
        *(
            and_(
                models.Claim.currency.in_(currencies),
                column <= int(amount.scaleb(digits).to_integral_value("ROUND_FLOOR")),
            )
            for digits, currencies in by_digits.items()
        )
    )


def query(tenant: Tenant, search: Search, today: dt.date) -> Any:
    statement = (
        select(models.Claim, models.Debtor)
        .join(
            models.Debtor,
            and_(models.Debtor.creditor_id == models.Claim.creditor_id, models.Debtor.id == models.Claim.debtor_id),
        )
        .where(models.Claim.creditor_id == tenant.creditor_id, models.Claim.livemode == tenant.livemode)
        .order_by(models.Claim.id.desc())
        .limit(PAGE_SIZE + 1)
    )
    if search.before:
        statement = statement.where(models.Claim.id < search.before)
    if search.state:
        statement = statement.where(models.Claim.state == search.state)
    if search.country:
        statement = statement.where(models.Claim.country == search.country)
    if search.q:
        pattern = search.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(
            or_(
                models.Claim.external_reference.ilike(f"{pattern}%", escape="\\"),
                name_matches(models.Debtor.name_index, search.q),  # names are encrypted: word-prefix tokens
                models.Claim.id == search.q,
            )
        )
    if search.amount_min is not None:
        statement = statement.where(_at_least(search.amount_min, models.Claim.principal))
    if search.amount_max is not None:
        statement = statement.where(_at_most(search.amount_max, models.Claim.principal))
    if search.age_min is not None:
        statement = statement.where(models.Claim.due_date <= today - dt.timedelta(days=search.age_min))
    if search.age_max is not None:
        statement = statement.where(models.Claim.due_date >= today - dt.timedelta(days=search.age_max))
    return statement
