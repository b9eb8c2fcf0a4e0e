"""What the contact policy may know about a claim when it chooses how to approach the debtor.

Only collection facts: the amount band, how long the invoice is overdue, the debtor's country and type
(person or company), which channel was used last, how many messages went out before, and whether the
debtor has reacted (asked something, tried to pay). Never a protected attribute or a proxy for one: no
name, gender, nationality, date of birth or age, language, and no address beyond the country.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from paypage.domain.money import Money

AMOUNT_BANDS = ((100, "small"), (1000, "medium"))
"""Upper bounds in major units of the claim's currency; above the last one an amount is "large"."""

OVERDUE_BANDS = ((14, "0-14"), (30, "15-30"), (60, "31-60"))
"""Upper bounds in days overdue; above the last one "61+"."""

PROTECTED = frozenset({"name", "gender", "nationality", "date_of_birth", "age", "language", "address"})
"""Attributes the policy must never see; a test checks `Context` has none of them."""


def amount_band(outstanding: Money) -> str:
    major = outstanding.amount // (10**outstanding.digits)
    for bound, label in AMOUNT_BANDS:
        if major < bound:
            return label
    return "large"


def overdue_band(due_date: dt.date, today: dt.date) -> str:
    days = (today - due_date).days
    for bound, label in OVERDUE_BANDS:
        if days <= bound:
            return label
    return "61+"


@dataclass(frozen=True)
class Context:
    country: str
    debtor_type: str
    amount_band: str
    overdue_band: str
    contacts: int
    """Messages sent for the claim before this one."""
    last_channel: str | None
    engaged: bool
    """The debtor has reacted before (a request on the pay page, a payment attempt)."""

    def segments(self) -> tuple[str, str, str]:
        """The pooling levels from coarse to fine: the creditor as a whole, the kind of case (with whether
        the debtor has reacted, the strongest sign of why a claim is unpaid: people who cannot pay reach
        out, people who forgot or refuse do not), and the case in its country with the channel used last
        (which matters for fatigue)."""
        kind = f"{self.debtor_type}|{self.amount_band}|{self.overdue_band}|{'engaged' if self.engaged else 'silent'}"
        fine = f"{self.country}|{kind}|{self.last_channel or 'none'}"
        return ("*", kind, fine)

    def describe(self) -> str:
        """Words for an explanation: "small amounts, 15-30 days overdue, DE consumers"."""
        who = "consumers" if self.debtor_type == "person" else "businesses"
        return f"{self.amount_band} amounts, {self.overdue_band} days overdue, {self.country} {who}"
