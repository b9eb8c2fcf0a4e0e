"""SIGKILL of gunicorn workers and of the whole server on PostgreSQL, in the middle of claim hand-overs
and of payment booking: after the restart and the clients' retries nothing is lost, doubled or
half-written, and the books balance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import postgresql_database
from tests.faults import _sigkill

pytestmark = [pytest.mark.process, pytest.mark.postgres, pytest.mark.timeout(300)]


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgresql_database() as url:
        yield url


def _assert_survived(report: _sigkill.Report) -> None:
    assert report.kills == 2, "the worker and the server were not both killed in mid-stream"
    assert report.failures or report.server_errors_seen, "the kills went unnoticed by the clients"
    assert report.unclean == [], report.unclean[:3]
    assert report.other_errors == 0, dict(report.statuses)
    assert report.problems and all(count == 0 for count in report.problems.values()), report.problems


def test_sigkill_during_submits_loses_and_doubles_nothing(pg_url: str, tmp_path: Path) -> None:
    report = _sigkill.submit_scenario(pg_url, tmp_path)
    _assert_survived(report)
    assert report.held == 6 * 25 + 2 * 6 * 25


def test_sigkill_during_payment_booking_books_each_payment_once(pg_url: str, tmp_path: Path) -> None:
    report = _sigkill.booking_scenario(pg_url, tmp_path)
    _assert_survived(report)
    assert report.held == 2 * 60  # 20 claims with two payments, 20 with one; each notification sent twice
