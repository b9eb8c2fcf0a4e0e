"""Dunning strategies: the steps a claim goes through, per country, as data (`<cc>.toml`, `default.toml`).

A step says on which day after the hand-over it runs, on which channels (the first one the debtor can be
reached on; the next one when a message bounces), with which message and tone, whether it is still a
friendly reminder or already a collection notice, and whether the collection fee applies from it on.
After the last step the claim is escalated (handed to legal or an external agency) or written off.
A creditor may replace the country's strategy with its own (`settings["strategy"]`, same shape).
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ChannelName = Literal["email", "sms", "whatsapp", "letter"]
Tone = Literal["friendly", "neutral", "firm", "empathetic", "loss_aversion", "social_proof"]
Stage = Literal["reminder", "collection"]


class Step(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    day: int = Field(ge=0, le=3650)
    """Days after the hand-over."""
    channels: tuple[ChannelName, ...] = Field(min_length=1)
    template: Literal["reminder", "notice", "final_notice", "cost_warning"]
    tone: Tone
    stage: Stage
    fee: bool = False
    """From this step on the country's collection fee is charged (once), where the law allows it."""


class Strategy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    steps: tuple[Step, ...] = Field(min_length=1)
    final_action: Literal["escalated", "written_off"] = "escalated"
    final_day: int = Field(ge=1, le=3650)
    """Days after the hand-over when the claim is escalated or written off if still open."""
    max_messages_per_week: int = Field(default=3, ge=1, le=14)

    @model_validator(mode="after")
    def _ordered(self) -> Strategy:
        days = [step.day for step in self.steps]
        if days != sorted(days):
            raise ValueError("steps must be in the order of their days")
        if len({step.key for step in self.steps}) != len(self.steps):
            raise ValueError("step keys must be unique")
        if self.final_day <= days[-1]:
            raise ValueError("the final action comes after the last step")
        return self


def _read(name: str) -> dict[str, Any] | None:
    path = resources.files(__package__).joinpath(name)
    if not path.is_file():
        return None
    with path.open("rb") as source:
        return tomllib.load(source)


@functools.cache
def strategy_for_country(country: str) -> Strategy:
    """The country's default strategy, or the general default when the country has none."""
    data = _read(f"{country.lower()}.toml") or _read("default.toml")
    assert data is not None  # noqa: S101 - default.toml ships with the package
    return Strategy.model_validate(data)


def strategy_for(country: str, creditor_settings: dict[str, Any]) -> Strategy:
    own = creditor_settings.get("strategy")
    if isinstance(own, dict):
        return Strategy.model_validate(own)
    return strategy_for_country(country)
