"""Interest and fees: statutory default interest and collection costs, as dated, sourced rules.

```python
rules = rules_for("DE")                      # None: no rules in our files -> charge nothing, portal warns
interest = accrue(Money(123456, "EUR"), date(2026, 1, 15), date(2026, 4, 14), rules.interest, "person")
fees = collection_fee(Money(270000, "EUR"), "NL", "company", on=date(2026, 3, 1))
```

The rules live in `rules/<cc>.toml`: every rule and every row of a dated rate table names its source and
whether it was verified. Unverified rules are refused (RuleNotVerified) unless the caller passes
`apply_unverified=True`; days outside a table are refused (RateNotKnown). Amounts are exact until one
half-up rounding per line. Pure: no IO beyond reading the packaged rule files, no clock.
"""

from paypage.domain.charges.arithmetic import allocate, round_half_up
from paypage.domain.charges.errors import (
    ChargeDataError,
    ChargesError,
    NoApplicableRule,
    RateNotKnown,
    RuleNotInForce,
    RuleNotVerified,
)
from paypage.domain.charges.fees import FeeItem, FeeResult, FeeStatus, collection_fee, flat_fee
from paypage.domain.charges.interest import InterestPeriod, InterestResult, accrue
from paypage.domain.charges.loader import all_rules, load_rule_file, rules_for
from paypage.domain.charges.model import (
    ChargeRules,
    Compounding,
    DayCount,
    DunningStage,
    FeeRules,
    FlatFee,
    InterestRule,
    InterestTerms,
    RateRow,
    RateTable,
)

__all__ = [
    "ChargeDataError",
    "ChargeRules",
    "ChargesError",
    "Compounding",
    "DayCount",
    "DunningStage",
    "FeeItem",
    "FeeResult",
    "FeeRules",
    "FeeStatus",
    "FlatFee",
    "InterestPeriod",
    "InterestResult",
    "InterestRule",
    "InterestTerms",
    "NoApplicableRule",
    "RateNotKnown",
    "RateRow",
    "RateTable",
    "RuleNotInForce",
    "RuleNotVerified",
    "accrue",
    "all_rules",
    "allocate",
    "collection_fee",
    "flat_fee",
    "load_rule_file",
    "round_half_up",
    "rules_for",
]
