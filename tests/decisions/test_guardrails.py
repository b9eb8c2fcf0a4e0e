"""The guardrails never offer an option that breaks a rule, whatever the context, and the policy only
ever chooses among what they offer."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paypage.decisions import bandit, guardrails, logistic
from paypage.decisions.context import Context
from paypage.domain.contact_window import allowed
from paypage.domain.countries import all_countries, get_country
from paypage.domain.strategies import strategy_for_country

COUNTRIES = tuple(country.code for country in all_countries())
CHANNELS = ("email", "sms", "whatsapp", "letter")


@settings(max_examples=100, deadline=None)
@given(
    code=st.sampled_from(COUNTRIES),
    step_index=st.integers(0, 6),
    usable=st.lists(st.sampled_from(CHANNELS), unique=True),
    now=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(dt.UTC)),
    sent_hours_ago=st.lists(st.integers(0, 24 * 10), max_size=6),
    seed=st.integers(0, 2**32 - 1),
)
def test_no_option_and_no_choice_breaks_a_rule(
    code: str, step_index: int, usable: list[str], now: dt.datetime, sent_hours_ago: list[int], seed: int
) -> None:
    country = get_country(code)
    strategy = strategy_for_country(code)
    step = strategy.steps[step_index % len(strategy.steps)]
    sent = [now - dt.timedelta(hours=hours) for hours in sent_hours_ago]
    offered = guardrails.options(step, country, usable, now, sent, strategy.max_messages_per_week)
    zone = ZoneInfo(country.timezone)
    for option in offered:
        action = option.action
        assert action.channel in step.channels and action.channel in usable
        assert action.tone in guardrails.tones_for(step)
        assert option.send_at >= now
        assert allowed(option.send_at, country), (code, option)
        assert option.send_at.astimezone(zone).hour == action.hour
        assert guardrails.within_cap(sent, option.send_at, strategy.max_messages_per_week)
        guardrails.check(option, step, country, sent, strategy.max_messages_per_week)
    if offered:
        rng = np.random.default_rng(seed)
        context = Context(code, "person", "small", "0-14", 0, None, False)
        choice = bandit.choose(logistic.Posterior(), context, [o.action for o in offered], step.template, rng)
        assert offered[choice.index].action == choice.action
        assert 0 < choice.propensity <= 1


def test_options_are_today_when_hours_are_left_and_the_next_contact_day_when_not() -> None:
    germany = get_country("DE")
    step = strategy_for_country("DE").steps[0]
    monday_noon = dt.datetime(2026, 3, 2, 11, 30, tzinfo=dt.UTC)  # 12:30 in Berlin
    hours = sorted({o.action.hour for o in guardrails.options(step, germany, ["email"], monday_noon, [], 3)})
    assert hours == [14, 16, 18]
    saturday_evening = dt.datetime(2026, 3, 7, 19, 30, tzinfo=dt.UTC)  # 20:30: the next day is a Sunday
    later = guardrails.options(step, germany, ["email"], saturday_evening, [], 3)
    assert {o.send_at.astimezone(ZoneInfo("Europe/Berlin")).date() for o in later} == {dt.date(2026, 3, 9)}
    assert sorted({o.action.hour for o in later}) == [8, 10, 12, 14, 16, 18]


def test_a_letter_has_one_hour_and_a_legal_letter_keeps_its_tone() -> None:
    netherlands = get_country("NL")
    warning = next(s for s in strategy_for_country("NL").steps if s.template == "cost_warning")
    opens = dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)
    offered = guardrails.options(warning, netherlands, ["letter", "email"], opens, [], 3)
    assert {o.action.tone for o in offered} == {"neutral"}
    assert {o.action.hour for o in offered if o.action.channel == "letter"} == {10}


def test_the_weekly_cap_leaves_no_option_and_check_refuses() -> None:
    germany = get_country("DE")
    step = strategy_for_country("DE").steps[0]
    now = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
    sent = [now - dt.timedelta(days=days) for days in (1, 2, 3)]
    offered = guardrails.options(step, germany, ["email"], now, sent, 3)
    assert offered == []  # today and the next contact day are both within seven days of three messages
    night = guardrails.Option(guardrails.Action("email", 22, "friendly"), dt.datetime(2026, 3, 2, 21, tzinfo=dt.UTC))
    with pytest.raises(guardrails.GuardrailViolation, match="contact hours"):
        guardrails.check(night, step, germany, [], 3)
    shouting = guardrails.Option(guardrails.Action("email", 10, "firm"), dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    with pytest.raises(guardrails.GuardrailViolation, match="no wording"):
        guardrails.check(shouting, step, germany, [], 3)
    with pytest.raises(guardrails.GuardrailViolation, match="seven days"):
        guardrails.check(
            guardrails.Option(guardrails.Action("email", 10, "friendly"), now + dt.timedelta(hours=2)),
            step,
            germany,
            sent,
            3,
        )
