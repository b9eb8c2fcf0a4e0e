"""Channels against local servers that speak the real wire formats; no socket leaves the loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.loopback import guard


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Every TCP connection the test opens; any address off the loopback fails the test."""
    yield from guard(monkeypatch)
