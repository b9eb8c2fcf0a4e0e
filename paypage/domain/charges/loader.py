"""Read the rule files in `rules/<cc>.toml` into frozen models, once.

The files are read through `importlib.resources`, so they load from a wheel as well as from a checkout.
TOML numbers are parsed as `Decimal` (never float), so `percent = 1.27` means exactly 1.27.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from paypage.domain.charges.errors import ChargeDataError
from paypage.domain.charges.model import ChargeRules

_PACKAGE = "paypage.domain.charges"
_RULES_DIR = "rules"
_RULE_FILE = re.compile(r"^([a-z]{2})\.toml$")


def _read(name: str) -> dict[str, Any]:
    text = resources.files(_PACKAGE).joinpath(_RULES_DIR, name).read_text(encoding="utf-8")
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ChargeDataError(f"{_RULES_DIR}/{name}: {exc}") from exc


def load_rule_file(name: str, text: str | None = None) -> ChargeRules:
    """Validate one rule file (or `text` in its place, for tests); the error names the file."""
    try:
        raw = _read(name) if text is None else tomllib.loads(text, parse_float=Decimal)
        rules = ChargeRules.model_validate(raw)
    except (ValidationError, tomllib.TOMLDecodeError) as exc:
        raise ChargeDataError(f"{_RULES_DIR}/{name}: {exc}") from exc
    match = _RULE_FILE.match(name)
    if match is None or match.group(1).upper() != rules.country:
        raise ChargeDataError(f"{_RULES_DIR}/{name}: the file name must be the lower-case country code")
    return rules


@cache
def _all_rules() -> Mapping[str, ChargeRules]:
    found = {}
    for entry in resources.files(_PACKAGE).joinpath(_RULES_DIR).iterdir():
        if _RULE_FILE.match(entry.name):
            rules = load_rule_file(entry.name)
            found[rules.country] = rules
    return MappingProxyType(dict(sorted(found.items())))


def rules_for(country: str) -> ChargeRules | None:
    """The interest and fee rules for `country` (ISO 3166-1 alpha-2), or None when our files have none.

    None means: charge no interest and no fees, and let the portal warn the creditor. Never invent a rule.
    """
    return _all_rules().get(country.upper())


def all_rules() -> tuple[ChargeRules, ...]:
    """Every country with a rule file, ordered by code."""
    return tuple(_all_rules().values())
