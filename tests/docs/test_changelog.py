"""CHANGELOG.md keeps the Keep a Changelog shape, and its newest release is the version the package carries."""

from __future__ import annotations

import re
from pathlib import Path

from tests.docs.test_wheel import source_version

CHANGELOG = Path(__file__).resolve().parents[2] / "CHANGELOG.md"
RELEASE = re.compile(r"^## \[(?P<version>\d+\.\d+\.\d+(?:[-.][0-9A-Za-z.]+)?)\] - (?P<date>\d{4}-\d{2}-\d{2})$")
SECTIONS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def headings(level: str) -> list[str]:
    return [line for line in CHANGELOG.read_text(encoding="utf-8").splitlines() if line.startswith(level + " ")]


def test_the_changelog_has_an_unreleased_section_then_releases_newest_first() -> None:
    versions = headings("##")
    assert versions[0] == "## [Unreleased]"
    releases = [RELEASE.match(line) for line in versions[1:]]
    assert releases and all(releases), versions
    dates = [match["date"] for match in releases if match]
    assert dates == sorted(dates, reverse=True)


def test_the_newest_release_is_the_packaged_version() -> None:
    newest = RELEASE.match(headings("##")[1])
    assert newest is not None and newest["version"] == source_version()


def test_only_the_standard_kinds_of_change() -> None:
    kinds = {line.removeprefix("### ") for line in headings("###")}
    assert kinds and kinds <= SECTIONS, kinds - SECTIONS
