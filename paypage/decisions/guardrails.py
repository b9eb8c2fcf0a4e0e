"""The options the contact policy may choose from: filtered by law and strategy before it chooses.

An option is a channel, a send hour (the debtor's local time) and a tone. Only options that keep every
rule are ever offered, so no learned preference can break one:

- the channel is one of the strategy step's channels, configured for the creditor, and the debtor can be
  reached on it (no SMS without a phone number), and it has not been used up on this step;
- the send moment is inside the country's contact hours, on a contact day (no Sundays or public holidays
  where the country excludes them), and not in the past;
- sending then keeps the strategy's cap of messages in any seven days;
- the tone is one the step's template has a wording for; a legally worded template (the Dutch 14-day
  letter) keeps the strategy's own tone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from paypage.domain.contact_window import SEND_AT, allowed, is_contact_day, next_allowed
from paypage.domain.countries import Country
from paypage.domain.strategies import Step

HOURS = (8, 10, 12, 14, 16, 18, 20)
"""Candidate send hours, local time; those outside a country's contact hours are dropped."""

TONES: dict[str, tuple[str, ...]] = {
    "reminder": ("friendly", "neutral", "empathetic", "social_proof"),
    "notice": ("neutral", "firm", "empathetic", "loss_aversion", "social_proof"),
    "final_notice": ("firm", "neutral", "empathetic", "loss_aversion"),
    "cost_warning": (),
}
"""Tones with a wording for each template (besides the step's own tone, always allowed)."""

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True, order=True)
class Action:
    channel: str
    hour: int
    tone: str

    def key(self) -> str:
        return f"{self.channel}@{self.hour:02d}/{self.tone}"


@dataclass(frozen=True)
class Option:
    action: Action
    send_at: dt.datetime
    """The UTC moment the message would go out."""


def tones_for(step: Step) -> tuple[str, ...]:
    extra = TONES.get(step.template, ())
    return (step.tone, *(tone for tone in extra if tone != step.tone))


def preferred_hour(country: Country) -> int:
    """The hour the fixed strategy sends at: SEND_AT moved into the contact hours (their first hour when
    SEND_AT would land on their closing hour)."""
    start, end = country.contact_hours.start, country.contact_hours.end
    preferred = min(max(SEND_AT, start), end)
    return preferred.hour if start <= dt.time(preferred.hour) < end else start.hour


def hours_for(channel: str, country: Country) -> tuple[int, ...]:
    """Whole hours inside the contact hours; a letter leaves with the post, so its hour is not a choice."""
    start, end = country.contact_hours.start, country.contact_hours.end
    inside = tuple(hour for hour in HOURS if start <= dt.time(hour) < end)
    if channel == "letter" or not inside:
        return (preferred_hour(country),)
    return inside


def _moment(day: dt.date, hour: int, country: Country) -> dt.datetime:
    zone = ZoneInfo(country.timezone)
    return dt.datetime.combine(day, dt.time(hour), zone).astimezone(dt.UTC)


def _first_day(now: dt.datetime, country: Country) -> tuple[dt.date, int]:
    """The local day the options are planned on, and the earliest whole hour left on it."""
    zone = ZoneInfo(country.timezone)
    local = now.astimezone(zone)
    day = local.date()
    earliest = local.hour if local.minute == 0 and local.second == 0 and local.microsecond == 0 else local.hour + 1
    if is_contact_day(day, country) and dt.time(min(earliest, 23)) < country.contact_hours.end and earliest < 24:
        return day, earliest
    for _ in range(366):
        day += dt.timedelta(days=1)
        if is_contact_day(day, country):
            return day, 0
    raise ValueError(f"no contact day within a year for {country.code}")


def within_cap(sent_times: Iterable[dt.datetime], moment: dt.datetime, cap: int) -> bool:
    return sum(1 for sent in sent_times if moment - WEEK < sent <= moment) < cap


def options(
    step: Step,
    country: Country,
    usable_channels: Sequence[str],
    now: dt.datetime,
    sent_times: Sequence[dt.datetime],
    cap: int,
) -> list[Option]:
    """Every (channel, hour, tone) the policy may choose for `step` now, each with its send moment.

    `usable_channels` are the step's channels already narrowed to what the creditor has configured and the
    debtor can be reached on. Hours still ahead today are offered; when none is left, the next contact
    day's. Options that would break the weekly cap are left out (the caller waits instead)."""
    day, earliest = _first_day(now, country)
    result: list[Option] = []
    for channel in usable_channels:
        if channel not in step.channels:
            continue
        for hour in hours_for(channel, country):
            if hour < earliest:
                continue
            moment = _moment(day, hour, country)
            if not allowed(moment, country) or not within_cap(sent_times, moment, cap):
                continue
            for tone in tones_for(step):
                result.append(Option(Action(channel, hour, tone), moment))
    if not result and earliest > 0:
        # Nothing left today: plan on the next contact day, from its first hour.
        tomorrow = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), ZoneInfo(country.timezone))
        return options(step, country, usable_channels, tomorrow.astimezone(dt.UTC), sent_times, cap)
    return result


def check(option: Option, step: Step, country: Country, sent_times: Sequence[dt.datetime], cap: int) -> None:
    """Raise when an option breaks a rule: the last line of defence, run again just before sending."""
    action = option.action
    if action.channel not in step.channels:
        raise GuardrailViolation(f"{action.channel} is not a channel of step {step.key}")
    if action.tone not in tones_for(step):
        raise GuardrailViolation(f"tone {action.tone} has no wording for {step.template}")
    if not allowed(option.send_at, country):
        raise GuardrailViolation(f"{option.send_at.isoformat()} is outside the contact hours of {country.code}")
    if not within_cap(sent_times, option.send_at, cap):
        raise GuardrailViolation(f"more than {cap} messages in seven days")


class GuardrailViolation(ValueError):
    """An option that breaks a legal or strategy rule; never sent."""


def step_opens(handover: dt.datetime, day_offset: int, country: Country) -> dt.datetime:
    """When a step's day opens for the policy: the start of the contact hours on that local day (or the
    next contact day), so that every allowed hour of the day can still be chosen."""
    zone = ZoneInfo(country.timezone)
    local_day = handover.astimezone(zone).date() + dt.timedelta(days=day_offset)
    opening = dt.datetime.combine(local_day, country.contact_hours.start, zone).astimezone(dt.UTC)
    if day_offset == 0:
        opening = max(opening, handover)
    return next_allowed(opening, country)
