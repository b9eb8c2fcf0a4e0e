"""Retention periods per country, as data with their legal sources (`periods.toml`).

```python
rule = rule_for("DE")          # personal data: 3 years after the end of the year of settlement
rule.personal_data_cutoff(now)  # debtors whose last claim closed before this instant are anonymised
```

Pure: the file is read once through `importlib.resources`; no clock, no SQL.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from inkasso._iso import COUNTRIES

__all__ = ["RetentionRule", "default_rule", "listed_rules", "rule_for"]


@dataclass(frozen=True)
class RetentionRule:
    country: str | None
    """ISO 3166 code, or None for the default that covers every country not listed."""
    personal_years: int
    booking_years: int
    personal_source: str
    booking_source: str
    verified: bool

    def personal_data_cutoff(self, now: dt.datetime) -> dt.datetime:
        """Personal data of a debtor whose last claim closed before this instant is due for anonymisation:
        the period runs `personal_years` full calendar years after the year of settlement."""
        return dt.datetime(now.astimezone(dt.UTC).year - self.personal_years, 1, 1, tzinfo=dt.UTC)

    def personal_data_expires(self, settled_at: dt.datetime) -> dt.datetime:
        return dt.datetime(settled_at.astimezone(dt.UTC).year + self.personal_years + 1, 1, 1, tzinfo=dt.UTC)


class RetentionDataError(ValueError):
    pass


def _rule(country: str | None, raw: Mapping[str, Any]) -> RetentionRule:
    where = f"countries.{country}" if country else "default"
    expected = {"personal_years", "booking_years", "personal_source", "booking_source", "verified"}
    if set(raw) != expected:
        raise RetentionDataError(f"periods.toml [{where}]: needs exactly {sorted(expected)}, got {sorted(raw)}")
    for name in ("personal_years", "booking_years"):
        value = raw[name]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 30:
            raise RetentionDataError(f"periods.toml [{where}].{name}: a whole number of years from 1 to 30")
    for name in ("personal_source", "booking_source"):
        if not isinstance(raw[name], str) or not raw[name].strip():
            raise RetentionDataError(f"periods.toml [{where}].{name}: name the legal source")
    if not isinstance(raw["verified"], bool):
        raise RetentionDataError(f"periods.toml [{where}].verified: true or false")
    return RetentionRule(
        country=country,
        personal_years=raw["personal_years"],
        booking_years=raw["booking_years"],
        personal_source=raw["personal_source"],
        booking_source=raw["booking_source"],
        verified=raw["verified"],
    )


def parse(document: Mapping[str, Any]) -> tuple[RetentionRule, Mapping[str, RetentionRule]]:
    if set(document) != {"default", "countries"}:
        raise RetentionDataError("periods.toml: needs a [default] table and [countries.XX] tables, nothing else")
    countries: dict[str, RetentionRule] = {}
    for code, raw in document["countries"].items():
        if code not in COUNTRIES:
            raise RetentionDataError(f"periods.toml [countries.{code}]: not an ISO 3166 country code")
        countries[code] = _rule(code, raw)
    return _rule(None, document["default"]), MappingProxyType(countries)


@cache
def _load() -> tuple[RetentionRule, Mapping[str, RetentionRule]]:
    text = resources.files(__name__).joinpath("periods.toml").read_text(encoding="utf-8")
    return parse(tomllib.loads(text))


def default_rule() -> RetentionRule:
    return _load()[0]


def listed_rules() -> Mapping[str, RetentionRule]:
    """The countries with a rule of their own, by code."""
    return _load()[1]


def rule_for(country: str) -> RetentionRule:
    return listed_rules().get(country.upper(), default_rule())
