"""Wire models for champion/challenger experiments between two whole dunning strategies."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, model_validator

from inkasso.types._base import RequestModel, ResponseModel
from inkasso.types._fields import CountryCode, CurrencyCode
from inkasso.types.claims import DebtorType

ExperimentStatus = Literal["running", "stopped"]
ExperimentArmName = Literal["champion", "challenger"]
AmountBand = Literal["lt50", "50-250", "250-1000", "1000+"]
"""Amount handed over, in major units of the claim's currency: below 50, 50 to 250, 250 to 1,000, above."""
ExperimentDecision = Literal["continue", "stop_challenger_wins", "stop_champion_wins", "stop_no_difference"]


class ExperimentArmParams(RequestModel):
    """A whole strategy: a shipped one by name, or a full definition of your own (exactly one of the two)."""

    strategy: str | None = Field(default=None, pattern=r"^[a-z0-9_]{1,40}$")
    """`country` (the debtor country's strategy, or your own from the settings), `default`, or a country's
    strategy by its code in lower case (`nl`, `ch`)."""
    definition: dict[str, Any] | None = None
    """A strategy in the same shape as the shipped TOML files: `id`, `steps`, `final_day`, ..."""

    @model_validator(mode="after")
    def _exactly_one(self) -> ExperimentArmParams:
        if (self.strategy is None) == (self.definition is None):
            raise ValueError("give either strategy or definition")
        return self


class ExperimentSegmentParams(RequestModel):
    """Which new claims take part; an empty segment means all of them."""

    countries: list[CountryCode] | None = Field(default=None, min_length=1, max_length=50)
    debtor_types: list[DebtorType] | None = Field(default=None, min_length=1)
    amount_bands: list[AmountBand] | None = Field(default=None, min_length=1)


class ExperimentCreateParams(RequestModel):
    name: str = Field(min_length=1, max_length=140)
    challenger: ExperimentArmParams
    champion: ExperimentArmParams = Field(default_factory=lambda: ExperimentArmParams(strategy="country"))
    """The strategy to beat; by default the one claims get today."""
    segment: ExperimentSegmentParams = Field(default_factory=ExperimentSegmentParams)
    challenger_percent: int = Field(default=50, ge=1, le=99)
    """Share of the segment's new claims that get the challenger."""
    minimum_detectable_effect: float = Field(default=0.05, ge=0.01, le=0.5)
    """The smallest absolute difference in the share of claims paid worth detecting; sets the sample size."""
    baseline_rate: float = Field(default=0.5, gt=0.0, lt=1.0)
    """The champion's expected share of claims paid within the horizon (0.5 when unknown is the safe choice)."""
    horizon_days: int = Field(default=90, ge=14, le=365)
    """A claim's outcome is read this many days after its hand-over (or when it closes, if sooner)."""


class ExperimentStopParams(RequestModel):
    reason: str | None = Field(default=None, max_length=200)


class ExperimentArm(ResponseModel):
    strategy: str | None = None
    definition: dict[str, Any] | None = None


class ExperimentSegment(ResponseModel):
    countries: list[str] | None = None
    debtor_types: list[str] | None = None
    amount_bands: list[str] | None = None


class CurrencyRecovery(ResponseModel):
    currency: CurrencyCode
    handed_over: int
    """Principal handed over, minor units."""
    recovered: int
    """Paid within the horizon, minor units."""
    recovery_rate: float | None = None
    """recovered / handed_over for this currency (currencies are never added up)."""


class ExperimentArmReport(ResponseModel):
    arm: ExperimentArmName
    claims: int
    """Claims assigned to the arm so far."""
    decided: int
    """Claims whose outcome is known: closed, or past the horizon."""
    paid: int
    """Decided claims paid in full within the horizon."""
    share_paid: float | None = None
    share_paid_ci: tuple[float, float] | None = None
    """95 % Wilson interval."""
    mean_recovered_share: float | None = None
    """Mean over decided claims of the share of the principal recovered within the horizon."""
    median_days_to_pay: float | None = None
    by_currency: list[CurrencyRecovery] = Field(default_factory=list)


class ExperimentDifference(ResponseModel):
    """Challenger minus champion."""

    share_paid: float | None = None
    share_paid_ci: tuple[float, float] | None = None
    """95 % Newcombe (hybrid score) interval."""
    mean_recovered_share: float | None = None
    mean_recovered_share_ci: tuple[float, float] | None = None
    """95 % percentile bootstrap interval (2,000 resamples, seeded by the experiment id)."""


class ExperimentReport(ResponseModel):
    as_of: dt.datetime
    arms: list[ExperimentArmReport]
    difference: ExperimentDifference
    sample_size_per_arm: int
    """Decided claims each arm needs before the stop rule decides (fixed horizon)."""
    decision: ExperimentDecision
    explanation: str


class Experiment(ResponseModel):
    id: str
    object: Literal["experiment"] = "experiment"
    livemode: bool
    name: str
    status: ExperimentStatus
    champion: ExperimentArm
    challenger: ExperimentArm
    segment: ExperimentSegment
    challenger_percent: int
    minimum_detectable_effect: float
    baseline_rate: float
    horizon_days: int
    created_at: dt.datetime
    stopped_at: dt.datetime | None = None
    stop_reason: str | None = None
    report: ExperimentReport | None = None
    """In the answers for one experiment (create, retrieve, stop); not in lists."""
