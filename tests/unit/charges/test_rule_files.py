from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

import paypage.domain.charges as charges
from paypage.domain.charges import ChargeDataError, all_rules, load_rule_file, rules_for
from paypage.domain.charges.model import RateRow


def test_facade_exports_what_it_lists() -> None:
    assert sorted(charges.__all__) == charges.__all__
    assert all(hasattr(charges, name) for name in charges.__all__)


def test_every_rule_file_loads_and_names_its_country() -> None:
    assert [rules.country for rules in all_rules()] == ["AT", "CH", "DE", "FR", "NL"]
    assert rules_for("de") is rules_for("DE")


def test_a_country_without_a_file_has_no_rules() -> None:
    # None: the caller charges nothing and the portal warns; a rule is never invented.
    assert rules_for("IT") is None


def test_basiszinssatz_has_one_sourced_row_per_half_year_from_2002() -> None:
    rules = rules_for("DE")
    assert rules is not None and rules.interest is not None
    table = rules.interest.table("basiszinssatz")
    expected = [dt.date(year, month, 1) for year in range(2002, 2027) for month in (1, 7)]
    assert [row.valid_from for row in table.rows] == expected
    assert all(row.source.strip() for row in table.rows)
    assert all(isinstance(row.percent, Decimal) for row in table.rows)
    # Spot checks against the sources named in de.toml.
    by_date = {row.valid_from: row.percent for row in table.rows}
    assert by_date[dt.date(2002, 1, 1)] == Decimal("2.57")
    assert by_date[dt.date(2016, 7, 1)] == Decimal("-0.88")
    assert by_date[dt.date(2023, 7, 1)] == Decimal("3.12")
    assert by_date[dt.date(2026, 1, 1)] == Decimal("1.27")
    # Only the 1 July 2026 value could not be found in a Bundesbank publication.
    assert [row.valid_from for row in table.rows if not row.verified] == [dt.date(2026, 7, 1)]


def test_unverified_rules_are_listed_for_the_portal() -> None:
    de = rules_for("DE")
    assert de is not None
    warnings = de.unverified()
    assert any("2026-07-01" in warning for warning in warnings)
    assert any("§ 13e RDG" in warning for warning in warnings)
    ch = rules_for("CH")
    assert ch is not None and ch.unverified() == []


def test_rates_are_never_floats() -> None:
    with pytest.raises(ValidationError, match="never float"):
        RateRow.model_validate({"from": dt.date(2026, 1, 1), "percent": 1.27, "source": "x", "verified": True})


_MINIMAL = """
country = "{code}"
[interest]
day_count = "act/365"
day_count_source = "test"
day_count_verified = true
[interest.person]
applies_from = 2020-01-01
rate_table = "base"
margin = 5
compounding = "simple"
source = "test statute"
verified = true
[[interest.tables]]
key = "base"
name = "Base rate"
source = "test"
known_until = 2021-12-31
[[interest.tables.rows]]
from = {first}
percent = 1.5
source = "test"
verified = true
[[interest.tables.rows]]
from = 2021-01-01
percent = 1.0
source = "test"
verified = true
"""


def test_a_valid_rule_text_loads_with_decimal_rates() -> None:
    rules = load_rule_file("xk.toml", _MINIMAL.format(code="XK", first="2020-01-01"))
    assert rules.interest is not None
    assert rules.interest.table("base").rows[0].percent == Decimal("1.5")


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("xk.toml", _MINIMAL.format(code="XK", first="2022-01-01"), "strictly increasing"),
        ("de.toml", _MINIMAL.format(code="XK", first="2020-01-01"), "file name"),
        ("xk.toml", _MINIMAL.format(code="XK", first="2020-01-01") + "surprise = 1\n", "surprise"),
        ("xk.toml", _MINIMAL.format(code="XK", first="2020-01-01").replace("margin = 5", "margin = -2"), "below zero"),
        ("xk.toml", "country = ", "xk.toml"),
    ],
)
def test_a_broken_rule_file_names_itself(name: str, text: str, message: str) -> None:
    with pytest.raises(ChargeDataError, match=message):
        load_rule_file(name, text)
