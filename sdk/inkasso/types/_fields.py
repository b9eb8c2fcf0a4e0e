"""Annotated field types shared by the wire models: money, codes, contact data."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt

from inkasso._iso import COUNTRIES, CURRENCY_DIGITS

#: Largest amount in minor units the API accepts (ten billion in a two-digit currency).
MAX_AMOUNT = 1_000_000_000_000

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Z]{2})?$")


def _check_integer_amount(value: Any) -> Any:
    # Money is integer minor units: 12.5 or "12.50" would be guessed at, so it is refused outright.
    if isinstance(value, float | str) and not isinstance(value, bool):
        raise ValueError("must be an integer amount in minor units (for example 1999 for 19.99 EUR)")
    return value


def _check_currency(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be a three-letter ISO 4217 currency code such as EUR")
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"'{value}' is not a three-letter ISO 4217 currency code")
    if code not in CURRENCY_DIGITS:
        raise ValueError(f"'{code}' is not an active ISO 4217 currency")
    return code


def _check_country(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be a two-letter ISO 3166-1 country code such as DE")
    code = value.strip().upper()
    if code not in COUNTRIES:
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code")
    return code


def _check_email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not a valid e-mail address")
    return value


def _check_phone(value: str) -> str:
    if not _E164.match(value):
        raise ValueError("must be in E.164 format: '+' and country code, digits only (for example +4915112345678)")
    return value


def _check_language(value: str) -> str:
    if not _LANGUAGE.match(value):
        raise ValueError("must be a language tag such as 'de' or 'de-CH'")
    return value


Amount = Annotated[StrictInt, BeforeValidator(_check_integer_amount), Field(ge=0, le=MAX_AMOUNT)]
"""An amount in minor units of its currency (cents for EUR, yen for JPY)."""

PositiveAmount = Annotated[StrictInt, BeforeValidator(_check_integer_amount), Field(gt=0, le=MAX_AMOUNT)]
CurrencyCode = Annotated[
    str, BeforeValidator(_check_currency), Field(json_schema_extra={"enum": sorted(CURRENCY_DIGITS)})
]
"""An active ISO 4217 code; lower case is accepted and upper-cased."""
CountryCode = Annotated[str, BeforeValidator(_check_country), Field(json_schema_extra={"enum": sorted(COUNTRIES)})]
"""An ISO 3166-1 alpha-2 code; lower case is accepted and upper-cased."""
Email = Annotated[str, Field(max_length=254), AfterValidator(_check_email)]
Phone = Annotated[str, AfterValidator(_check_phone)]
Language = Annotated[str, AfterValidator(_check_language)]
