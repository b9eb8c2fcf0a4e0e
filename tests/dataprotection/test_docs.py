"""docs/data-protection.md: its retention table is the data, and its key procedure names real commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paypage.data_protection_cli import COMMANDS
from paypage.domain.retention import RetentionDataError, RetentionRule, default_rule, listed_rules, parse

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-protection.md"
TABLE = re.compile(r"<!-- retention-table:start -->\n(?P<table>.*?)\n<!-- retention-table:end -->", re.DOTALL)


def _row(label: str, rule: RetentionRule) -> str:
    verified = "yes" if rule.verified else "no"
    return (
        f"| {label} | {rule.personal_years} | {rule.personal_source} | {rule.booking_years} | "
        f"{rule.booking_source} | {verified} |"
    )


def test_retention_table_matches_the_data() -> None:
    found = TABLE.search(DOC.read_text(encoding="utf-8"))
    assert found is not None
    rows = found["table"].splitlines()[2:]
    expected = [_row(code, rule) for code, rule in listed_rules().items()] + [_row("all others", default_rule())]
    assert rows == expected


def test_documented_commands_exist() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"flask --app paypage ([a-z-]+ [a-z]+)", text))
    known = {f"{group.name} {name}" for group in COMMANDS for name in group.commands}
    assert documented <= known | {"db upgrade"}
    assert {"data-keys generate", "data-keys rotate", "audit verify", "retention run"} <= documented


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"default": {}}, "needs a \\[default\\] table and \\[countries.XX\\] tables"),
        (
            {"default": {"personal_years": 3}, "countries": {}},
            r"\[default\]: needs exactly",
        ),
    ],
)
def test_bad_retention_data_is_refused_with_its_place(document: dict[str, object], message: str) -> None:
    with pytest.raises(RetentionDataError, match=message):
        parse(document)


def test_unknown_country_and_silly_periods_are_refused() -> None:
    good = {
        "personal_years": 3,
        "booking_years": 10,
        "personal_source": "§ 195 BGB",
        "booking_source": "§ 147 AO",
        "verified": True,
    }
    with pytest.raises(RetentionDataError, match=r"\[countries.XX\]: not an ISO 3166"):
        parse({"default": good, "countries": {"XX": good}})
    with pytest.raises(RetentionDataError, match=r"\[countries.DE\].personal_years: a whole number"):
        parse({"default": good, "countries": {"DE": {**good, "personal_years": 0}}})
    with pytest.raises(RetentionDataError, match=r"\[default\].booking_source: name the legal source"):
        parse({"default": {**good, "booking_source": " "}, "countries": {}})
