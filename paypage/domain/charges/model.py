"""The shape of a country's interest and fee rules, validated once when a rule file loads.

Every rule and every row of a dated table carries its source and whether someone checked it against that
source (DOMAIN.md, "Rules are dated data with a source"). The models are frozen, and a file that breaks an
invariant (rows out of order, a rate given as a float, a table reference that does not exist) does not load.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from inkasso._iso import COUNTRIES, CURRENCY_DIGITS
from inkasso.types import DebtorType
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, model_validator

#: How the days of a period become a fraction of a year. "act/365": every calendar day counts and a year
#: is 365 days, also in leap years (so 29 February earns a 365th like any other day). "act/act": a day in a
#: leap year is a 366th. Which one a country uses is recorded, with its source, in the rule file.
DayCount = Literal["act/365", "act/act"]

#: "simple": interest on the principal only (§ 289 Satz 1 BGB forbids interest on default interest).
#: "annual": after each full year of default the year's interest joins the base (art. 6:119 lid 2 BW).
Compounding = Literal["simple", "annual"]

#: How far the collection of an uncontested claim got, which decides the RVG fee rate in Germany:
#: "first_demand": the debtor paid on the first demand (Nr. 2300 Anm. Abs. 2 VV RVG: 0.5);
#: "uncontested": the average uncontested case, reminders and the like (at most 0.9).
DunningStage = Literal["first_demand", "uncontested"]

MinorUnits = Annotated[StrictInt, Field(ge=0)]
NonEmptyStr = Annotated[str, Field(min_length=1)]


def _no_float(value: Any) -> Any:
    # The loader parses TOML numbers as Decimal; a float here means someone built a model by hand with
    # binary floating point, which is how 0.1 + 0.2 sneaks into money.
    if isinstance(value, float):
        raise ValueError("rates are Decimal or int, never float")
    return value


Percent = Annotated[Decimal, BeforeValidator(_no_float)]


class _Frozen(BaseModel):
    # extra="forbid": a misspelt key in a rule file is an error, not a silently ignored default.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Sourced(_Frozen):
    source: NonEmptyStr
    """Statute and section, or the publication a value was read in."""
    verified: StrictBool
    """True only when the value was read in the source named; an unverified rule is never applied silently."""
    note: str = ""


class RateRow(Sourced):
    """A rate in force from `valid_from` until the next row starts."""

    valid_from: dt.date = Field(alias="from")
    percent: Percent
    """Per year, in percent (1.27 means 1.27 %)."""


class RateTable(_Frozen):
    """A published rate that moves, as dated rows (the Basiszinssatz, the Dutch wettelijke rente)."""

    key: NonEmptyStr
    name: NonEmptyStr
    source: NonEmptyStr
    known_until: dt.date
    """The last day the rows are known to cover. Later days raise RateNotKnown: the next value is not
    extrapolated, because a published rate can change on any scheduled date."""
    rows: tuple[RateRow, ...]

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.rows:
            raise ValueError(f"rate table {self.key!r} has no rows")
        dates = [row.valid_from for row in self.rows]
        if dates != sorted(set(dates)):
            raise ValueError(f"rate table {self.key!r}: rows must have strictly increasing dates")
        if self.known_until < dates[-1]:
            raise ValueError(f"rate table {self.key!r}: known_until is before the last row")
        return self

    def row_on(self, day: dt.date) -> RateRow | None:
        """The row in force on `day`, or None outside the covered range."""
        if day < self.rows[0].valid_from or day > self.known_until:
            return None
        in_force = self.rows[0]
        for row in self.rows:
            if row.valid_from > day:
                break
            in_force = row
        return in_force

    def changes_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Dates strictly after `start` and before `end` on which a new row starts."""
        return [row.valid_from for row in self.rows if start < row.valid_from < end]


class InterestTerms(Sourced):
    """How statutory default interest accrues for one debtor type."""

    applies_from: dt.date
    fixed_percent: Percent | None = None
    """A constant rate (Art. 104 Abs. 1 OR: 5 %); or None when the rate follows a table."""
    rate_table: str | None = None
    """Key of the dated table the rate follows."""
    margin: Percent = Decimal(0)
    """Percentage points added to the table's rate (§ 288 Abs. 1 BGB: 5, Abs. 2: 9)."""
    compounding: Compounding
    compounding_source: str = ""

    @model_validator(mode="after")
    def _one_basis(self) -> Self:
        if (self.fixed_percent is None) == (self.rate_table is None):
            raise ValueError("interest terms take either fixed_percent or rate_table")
        if self.fixed_percent is not None and self.margin:
            raise ValueError("a margin only makes sense on top of a rate table")
        if self.compounding == "annual" and not self.compounding_source:
            raise ValueError("annual compounding needs its source")
        return self


class InterestRule(_Frozen):
    """A country's statutory default interest: the terms per debtor type and the tables they follow."""

    day_count: DayCount
    day_count_source: NonEmptyStr
    day_count_verified: StrictBool
    """Whether the convention itself was found in a source; it is shown with every result, not enforced."""
    person: InterestTerms | None = None
    company: InterestTerms | None = None
    tables: tuple[RateTable, ...] = ()

    @model_validator(mode="after")
    def _tables_resolve(self) -> Self:
        keys = [table.key for table in self.tables]
        if len(set(keys)) != len(keys):
            raise ValueError("rate table keys repeat")
        for terms in (self.person, self.company):
            if terms is None or terms.rate_table is None:
                continue
            table = self.table(terms.rate_table)
            lowest = min(row.percent for row in table.rows) + terms.margin
            if lowest < 0:
                # A negative default rate would make a debt shrink while overdue; no statute does that.
                raise ValueError(f"{terms.rate_table} + {terms.margin} points goes below zero")
        return self

    def table(self, key: str) -> RateTable:
        for table in self.tables:
            if table.key == key:
                return table
        raise ValueError(f"no rate table {key!r}")

    def terms_for(self, debtor_type: DebtorType) -> InterestTerms | None:
        return self.person if debtor_type == "person" else self.company


class VatRule(Sourced):
    percent: Percent


class FlatFee(Sourced):
    """A fixed sum owed on default, like the € 40 of § 288 Abs. 5 BGB."""

    applies_from: dt.date
    amount: MinorUnits
    debtor_types: frozenset[DebtorType]
    credited_against_collection_costs: StrictBool
    """§ 288 Abs. 5 Satz 3 BGB: the flat fee is set off against damages for the costs of legal pursuit."""


class RvgSchedule(Sourced):
    """One version of the lawyer's fee table (§ 13 RVG and its Anlage 2), dated by when it took effect."""

    applies_from: dt.date
    brackets: tuple[tuple[MinorUnits, MinorUnits], ...]
    """(claim value up to, full fee) pairs in minor units, ascending; claims above the last are refused."""
    small_claim_up_to: MinorUnits | None = None
    small_claim_fee: MinorUnits | None = None
    """§ 13 Abs. 2 RVG: for an uncontested collection up to this value the full fee is this amount."""

    @model_validator(mode="after")
    def _ascending(self) -> Self:
        limits = [limit for limit, _ in self.brackets]
        if not limits or limits != sorted(set(limits)):
            raise ValueError("RVG brackets must be non-empty and ascending")
        if (self.small_claim_up_to is None) != (self.small_claim_fee is None):
            raise ValueError("small_claim_up_to and small_claim_fee go together")
        return self

    def full_fee(self, value: int) -> int | None:
        """The 1.0 fee for a claim of `value` minor units, or None above the table."""
        if self.small_claim_up_to is not None and self.small_claim_fee is not None and value <= self.small_claim_up_to:
            return self.small_claim_fee
        return next((fee for limit, fee in self.brackets if value <= limit), None)


class RvgCollectionCosts(Sourced):
    """Germany: collection costs up to what a lawyer could charge under the RVG (§ 13e RDG)."""

    kind: Literal["rvg"]
    applies_from: dt.date
    debtor_types: frozenset[DebtorType]
    stage_factors: dict[DunningStage, Percent]
    expenses_percent: Percent
    expenses_cap: MinorUnits
    expenses_source: NonEmptyStr
    schedules: tuple[RvgSchedule, ...]
    vat: VatRule | None = None

    def schedule_on(self, day: dt.date) -> RvgSchedule | None:
        in_force = [schedule for schedule in self.schedules if schedule.applies_from <= day]
        return max(in_force, key=lambda schedule: schedule.applies_from, default=None)


class ScaleBracket(_Frozen):
    width: MinorUnits | None = None
    """How much of the principal this bracket covers; None for "everything above"."""
    percent: Percent


class ScaleCollectionCosts(Sourced):
    """A statutory percentage scale on the principal (the Dutch WIK staffel)."""

    kind: Literal["scale"]
    applies_from: dt.date
    debtor_types: frozenset[DebtorType]
    brackets: tuple[ScaleBracket, ...]
    minimum: MinorUnits
    maximum: MinorUnits
    waiting_period_for: frozenset[DebtorType] = frozenset()
    """Debtor types who owe the costs only after the waiting period in the country data has passed."""
    vat: VatRule | None = None

    @model_validator(mode="after")
    def _open_last(self) -> Self:
        widths = [bracket.width for bracket in self.brackets]
        if not widths or widths[-1] is not None or None in widths[:-1]:
            raise ValueError("scale brackets need widths, and the last one none (it takes the rest)")
        if self.minimum > self.maximum:
            raise ValueError("scale minimum above maximum")
        return self


class NoCollectionCosts(Sourced):
    """Collection costs that cannot be charged: "not_chargeable" (no statutory basis; damages would need
    proof in court) or "forbidden" (the law makes the debtor's paying them void)."""

    kind: Literal["not_chargeable", "forbidden"]
    applies_from: dt.date
    debtor_types: frozenset[DebtorType]


CollectionCosts = Annotated[RvgCollectionCosts | ScaleCollectionCosts | NoCollectionCosts, Field(discriminator="kind")]


class FeeRules(_Frozen):
    currency: str
    """Fixed amounts in the rules are in this currency; a claim in another currency is refused."""
    flat_fee: FlatFee | None = None
    collection_costs: tuple[CollectionCosts, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.currency not in CURRENCY_DIGITS:
            raise ValueError(f"unknown currency {self.currency!r}")
        covered = [debtor for rule in self.collection_costs for debtor in rule.debtor_types]
        if len(set(covered)) != len(covered):
            raise ValueError("two collection cost rules cover the same debtor type")
        return self

    def collection_costs_for(self, debtor_type: DebtorType) -> CollectionCosts | None:
        return next((rule for rule in self.collection_costs if debtor_type in rule.debtor_types), None)


class ChargeRules(_Frozen):
    """Everything our data knows about interest and fees in one country."""

    country: str
    interest: InterestRule | None = None
    fees: FeeRules | None = None

    @model_validator(mode="after")
    def _iso(self) -> Self:
        if self.country not in COUNTRIES:
            raise ValueError(f"{self.country!r} is not an ISO 3166-1 alpha-2 code")
        return self

    def unverified(self) -> list[str]:
        """What the portal must warn about: every rule and rate row not marked verified, with its source."""
        found: list[str] = []
        if self.interest is not None:
            for name, terms in (("interest.person", self.interest.person), ("interest.company", self.interest.company)):
                if terms is not None and not terms.verified:
                    found.append(f"{self.country} {name} ({terms.source})")
            for table in self.interest.tables:
                found.extend(
                    f"{self.country} {table.key} from {row.valid_from.isoformat()} ({row.source})"
                    for row in table.rows
                    if not row.verified
                )
        if self.fees is not None:
            if self.fees.flat_fee is not None and not self.fees.flat_fee.verified:
                found.append(f"{self.country} flat fee ({self.fees.flat_fee.source})")
            for rule in self.fees.collection_costs:
                if not rule.verified:
                    found.append(f"{self.country} collection costs {rule.kind} ({rule.source})")
                found.extend(f"{self.country} {part}" for part in _unverified_parts(rule))
        return found


def _unverified_parts(rule: CollectionCosts) -> list[str]:
    """The unverified pieces inside a collection cost rule: fee table versions and the VAT rule."""
    parts: list[str] = []
    if isinstance(rule, RvgCollectionCosts):
        parts.extend(
            f"RVG fee table from {schedule.applies_from.isoformat()} ({schedule.source})"
            for schedule in rule.schedules
            if not schedule.verified
        )
    if not isinstance(rule, NoCollectionCosts) and rule.vat is not None and not rule.vat.verified:
        parts.append(f"VAT on collection costs ({rule.vat.source})")
    return parts
