"""When a message may go out: the country's contact hours, in the debtor's local time, never on a day
the hours exclude (Sundays by default) and never on a public holiday unless the country allows it."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import holidays

from paypage.domain.countries import Country

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEND_AT = dt.time(10, 0)
"""Preferred local time for a scheduled step, clamped into the contact hours."""


@functools.lru_cache(maxsize=256)
def _holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError:
        return frozenset()
    return frozenset(calendar.keys())


def is_contact_day(day: dt.date, country: Country) -> bool:
    hours = country.contact_hours
    if _DAYS[day.weekday()] not in hours.days:
        return False
    if hours.public_holidays or country.holidays_calendar is None:
        return True
    calendar = country.holidays_calendar
    return day not in _holidays(calendar.country, calendar.subdivision, day.year)


def allowed(moment: dt.datetime, country: Country) -> bool:
    local = moment.astimezone(ZoneInfo(country.timezone))
    hours = country.contact_hours
    return is_contact_day(local.date(), country) and hours.start <= local.time() < hours.end


def next_allowed(moment: dt.datetime, country: Country) -> dt.datetime:
    """`moment` if contact is allowed then, else the start of the next allowed window (UTC)."""
    zone = ZoneInfo(country.timezone)
    local = moment.astimezone(zone)
    hours = country.contact_hours
    day = local.date()
    if is_contact_day(day, country):
        if local.time() < hours.start:
            return dt.datetime.combine(day, hours.start, zone).astimezone(dt.UTC)
        if local.time() < hours.end:
            return moment
    for _ in range(366):
        day += dt.timedelta(days=1)
        if is_contact_day(day, country):
            return dt.datetime.combine(day, hours.start, zone).astimezone(dt.UTC)
    raise ValueError(f"no contact day within a year for {country.code}")


def scheduled(handover: dt.datetime, day_offset: int, country: Country) -> dt.datetime:
    """The moment of a step `day_offset` days after the hand-over: the preferred hour of that local day,
    moved into the contact hours and onto the next contact day when needed."""
    zone = ZoneInfo(country.timezone)
    local_day = handover.astimezone(zone).date() + dt.timedelta(days=day_offset)
    hours = country.contact_hours
    preferred = min(max(SEND_AT, hours.start), hours.end)
    wish = dt.datetime.combine(local_day, preferred, zone).astimezone(dt.UTC)
    if day_offset == 0:
        wish = max(wish, handover)
    return next_allowed(wish, country)
