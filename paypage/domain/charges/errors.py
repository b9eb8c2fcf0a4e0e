"""The errors of the charges domain.

```
ChargesError
├── RuleNotVerified     a rule (or a rate row) nobody has checked; refused unless apply_unverified=True
├── RuleNotInForce      the rule starts after the day asked about (old claims need the old rule)
├── NoApplicableRule    our data has no rule for this country and debtor type
└── RateNotKnown        a day falls outside the dated table (before its first row or after known_until)
ChargeDataError         a rule file does not validate; the message names the file
```
"""

from __future__ import annotations

import datetime as dt


class ChargesError(Exception):
    """Base of the errors a calculation raises instead of guessing."""


class RuleNotVerified(ChargesError):
    """The calculation needs a rule or rate that is marked `verified = false` in our data.

    DOMAIN.md: an unverified rule is not applied silently. The caller may pass `apply_unverified=True`
    after a person has accepted it (the portal shows the warning); the result then says what was unverified.
    """

    def __init__(self, unverified: list[str]) -> None:
        self.unverified = tuple(unverified)
        listed = "; ".join(self.unverified)
        super().__init__(f"refusing to apply unverified rules: {listed}. Pass apply_unverified=True to accept them.")


class RuleNotInForce(ChargesError):
    def __init__(self, rule: str, source: str, applies_from: dt.date, asked: dt.date) -> None:
        self.rule, self.source, self.applies_from, self.asked = rule, source, applies_from, asked
        super().__init__(f"{rule} ({source}) applies from {applies_from.isoformat()}, not on {asked.isoformat()}")


class NoApplicableRule(ChargesError, LookupError):
    """Nothing in our rule files covers this case: charge nothing and let the portal warn."""


class RateNotKnown(ChargesError, LookupError):
    """The dated table has no row in force on a day the calculation needs (never extrapolated)."""


class ChargeDataError(ValueError):
    """A rule file in `paypage/domain/charges/rules/` does not validate."""
