"""The tenant a request acts for: a creditor, in test or live mode."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tenant:
    creditor_id: str
    livemode: bool
