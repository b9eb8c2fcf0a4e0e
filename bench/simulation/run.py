"""Run a contact policy over a simulated population, day by day, with the engine's own strategies and
guardrails: each claim's steps open on their days (`step_opens`), the guardrails offer the allowed
(channel, hour, tone) options, the policy picks one, the debtor responds by the ground truth, payments
land days later, and a learning policy is told the outcome only when the attribution window has closed
(or the claim was paid), exactly as the engine settles rewards.

The chance parts are drawn up front per debtor and contact number (common random numbers): every policy
meets the same luck, so the differences between policies in one run are their choices' doing; recovery
is weighted by amount and a few large claims would otherwise move it by a point either way.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from bench.simulation.population import (
    ANNOYANCE,
    LAG_P,
    MAX_LAG,
    REACTION,
    Debtor,
    day_start,
    lag_within,
    persona_beliefs,
    personas_for,
    population,
    response,
)
from paypage.decisions import bandit, features, guardrails, logistic, policy
from paypage.decisions.context import Context, amount_band
from paypage.domain.countries import get_country
from paypage.domain.money import Money
from paypage.domain.strategies import Step, Strategy, strategy_for_country

ATTRIBUTION_DAYS = 7
MAX_CONTACTS = 16
"""More than any country strategy has steps."""
HANDOVER_HOUR = 9


class Policy(Protocol):
    name: str

    def choose(
        self, debtor: Debtor, step: Step, options: Sequence[guardrails.Option], context: Context
    ) -> tuple[int, float]:
        """Index of the chosen option and its probability under the policy."""

    def learn(self, names: Sequence[str], reward: int) -> None: ...


def fixed_index(debtor: Debtor, step: Step, options: Sequence[guardrails.Option]) -> int:
    """What the engine does without learning (`policy.default_action`): the step's first usable channel,
    at the preferred hour, in the step's tone; the same channel and tone at another hour when the
    preferred one is not offered."""
    default = policy.default_action(step, debtor.country, [o.action.channel for o in options])
    assert default is not None  # noqa: S101 - options exist, so one of their channels does
    for index, option in enumerate(options):
        if option.action == default:
            return index
    return next(i for i, o in enumerate(options) if o.action.channel == default.channel and o.action.tone == step.tone)


class FixedPolicy:
    name = "fixed strategy"

    def choose(
        self, debtor: Debtor, step: Step, options: Sequence[guardrails.Option], context: Context
    ) -> tuple[int, float]:
        return fixed_index(debtor, step, options), 1.0

    def learn(self, names: Sequence[str], reward: int) -> None:
        return None


class RandomPolicy:
    name = "random choice"

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def choose(
        self, debtor: Debtor, step: Step, options: Sequence[guardrails.Option], context: Context
    ) -> tuple[int, float]:
        return int(self.rng.integers(len(options))), 1.0 / len(options)

    def learn(self, names: Sequence[str], reward: int) -> None:
        return None


class OraclePolicy:
    """Knows each debtor's true response and picks the best option for this contact."""

    name = "oracle"

    def choose(
        self, debtor: Debtor, step: Step, options: Sequence[guardrails.Option], context: Context
    ) -> tuple[int, float]:
        chances = [response(debtor, option.action, step.template) for option in options]
        return int(np.argmax(chances)), 1.0

    def learn(self, names: Sequence[str], reward: int) -> None:
        return None


class ContextOraclePolicy:
    """Knows the true response of every persona but, like any real policy, not which persona the debtor
    is: it weighs them by what the claim's history says (Bayes) and picks the best expected option. The
    most any policy can achieve from the information a policy has."""

    name = "context oracle"

    def choose(
        self, debtor: Debtor, step: Step, options: Sequence[guardrails.Option], context: Context
    ) -> tuple[int, float]:
        beliefs = persona_beliefs(debtor, self.day)
        chances = [
            sum(weight * response(debtor, option.action, step.template, persona) for persona, weight in beliefs.items())
            for option in options
        ]
        return int(np.argmax(chances)), 1.0

    day = 0

    def learn(self, names: Sequence[str], reward: int) -> None:
        return None


class LearnedPolicy:
    """The production bandit (`paypage.decisions.bandit`), its posterior kept in memory and updated once a
    day with the contacts settled that day, as the worker does in each round."""

    name = "learned policy"

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.posterior = logistic.Posterior()
        self.settled: list[tuple[Sequence[str], int]] = []

    def choose(
        self, debtor: Debtor, step: Step, options: Sequence[guardrails.Option], context: Context
    ) -> tuple[int, float]:
        if self.settled:
            self.posterior.learn(self.settled)
            self.settled = []
        default = options[fixed_index(debtor, step, options)].action
        actions = [o.action for o in options]
        choice = bandit.choose(self.posterior, context, actions, step.template, self.rng, default=default)
        return choice.index, choice.propensity

    def learn(self, names: Sequence[str], reward: int) -> None:
        self.settled.append((names, reward))


@dataclass
class Logged:
    """One decision as the engine would log it, plus the ground truth a real log never has."""

    propensity: float
    reward: int
    chosen: int
    options: list[guardrails.Action]
    fixed: int
    """The fixed strategy's option index in this situation."""
    truth: list[float]
    """Expected reward of each option in this situation (ground truth)."""
    segment: str
    template: str
    claim: int
    """Which claim (debtor) the decision was about: decisions about one claim are not independent."""


@dataclass(frozen=True)
class Cohort:
    """The figures of the claims handed over in one period."""

    claims: int
    recovery_30: float
    recovery_90: float
    """Share of the claimed amount paid within 30 (90) days of the hand-over."""
    messages_per_claim: float

    @classmethod
    def of(cls, debtors: Sequence[Debtor]) -> Cohort:
        total = sum(d.amount for d in debtors)
        at_30 = sum(d.amount for d in debtors if d.first_pay_day <= d.handover_day + 30)
        at_90 = sum(d.amount for d in debtors if d.first_pay_day <= d.handover_day + 90)
        return cls(len(debtors), at_30 / total, at_90 / total, sum(d.contacts for d in debtors) / len(debtors))


@dataclass
class Result:
    policy: str
    measured: Cohort
    """The claims handed over after the warm-up: what a policy does once it runs with history."""
    warmup: Cohort | None
    """The claims handed over during the warm-up (for the learned policy: while it learns)."""
    log: list[Logged] = field(default_factory=list)
    """Decisions on the measured claims."""


def _context(debtor: Debtor, day: int) -> Context:
    overdue = day - debtor.handover_day + 14
    band = "0-14" if overdue <= 14 else "15-30" if overdue <= 30 else "31-60" if overdue <= 60 else "61+"
    return Context(
        country=debtor.country.code,
        debtor_type=debtor.debtor_type,
        amount_band=amount_band(Money(debtor.amount, debtor.country.currency or "EUR")),
        overdue_band=band,
        contacts=debtor.contacts,
        last_channel=debtor.last_channel,
        engaged=debtor.engaged,
    )


@functools.lru_cache(maxsize=65536)
def _options(
    code: str, step: Step, usable: tuple[str, ...], day: int, recent: tuple[int, ...], cap: int
) -> tuple[guardrails.Option, ...]:
    """The guardrails' options on a simulated day (cached: many claims share a day and a step)."""
    country = get_country(code)
    now = day_start(day)
    opening = guardrails.step_opens(now, 0, country)
    sent_times = [day_start(d).replace(hour=12) for d in recent]
    return tuple(guardrails.options(step, country, usable, opening, sent_times, cap))


def _opening_day(debtor: Debtor, step: Step) -> int:
    return _opening(debtor.country.code, debtor.handover_day, step.day)


@functools.lru_cache(maxsize=65536)
def _opening(code: str, handover_day: int, offset: int) -> int:
    handover = day_start(handover_day).replace(hour=HANDOVER_HOUR)
    opens = guardrails.step_opens(handover, offset, get_country(code))
    return (opens - day_start(0)).days


def simulate(
    policy: Policy,
    debtors: list[Debtor],
    seed: int,
    keep_log: bool = False,
    progress: Callable[[int], None] | None = None,
    warmup_days: int = 0,
) -> Result:
    """Run `policy` over (a fresh copy of) `debtors`; the response draws depend on `seed` only."""
    # Common random numbers: the k-th contact of a debtor meets the same draws under every policy, so
    # policies differ by their choices, not by luck (a persuasion draw, a payment lag, a reaction draw).
    rng = np.random.default_rng(seed)
    draws = rng.random((len(debtors), MAX_CONTACTS))
    lags = np.minimum(rng.geometric(LAG_P, (len(debtors), MAX_CONTACTS)) - 1, MAX_LAG)
    reactions = rng.random((len(debtors), MAX_CONTACTS))
    row = {id(debtor): position for position, debtor in enumerate(debtors)}
    strategies: dict[str, Strategy] = {}
    agenda: dict[int, list[tuple[Debtor, int]]] = defaultdict(list)
    settling: dict[int, list[tuple[Sequence[str], int]]] = defaultdict(list)
    log: list[Logged] = []
    for debtor in debtors:
        strategy = strategies.setdefault(debtor.country.code, strategy_for_country(debtor.country.code))
        agenda[_opening_day(debtor, strategy.steps[0])].append((debtor, 0))
    last_day = max(d.handover_day for d in debtors) + 91
    for day in range(last_day + 1):
        for names, reward in settling.pop(day, []):
            policy.learn(names, reward)
        for debtor, index in agenda.pop(day, []):
            if debtor.first_pay_day <= day:
                continue
            strategy = strategies[debtor.country.code]
            step = strategy.steps[index]
            following = strategy.steps[index + 1] if index + 1 < len(strategy.steps) else None
            next_day = _opening_day(debtor, following) if following else None
            if next_day is not None:
                agenda[next_day].append((debtor, index + 1))
            usable = tuple(debtor.usable(step.channels))
            recent = tuple(d for d in debtor.sent_days if d > day - 7)
            options = _options(debtor.country.code, step, usable, day, recent, strategy.max_messages_per_week)
            if not options:
                continue
            context = _context(debtor, day)
            fixed = fixed_index(debtor, step, options)
            debtor.today = day
            if isinstance(policy, ContextOraclePolicy):
                policy.day = day
            chosen, propensity = policy.choose(debtor, step, options, context)
            action = options[chosen].action
            window_end = min(day + ATTRIBUTION_DAYS, next_day if next_day is not None else day + ATTRIBUTION_DAYS)
            truth: list[float] = []
            if keep_log:
                truth = _truth(debtor, step, options, day, window_end)
            debtor.history.append(
                (
                    day,
                    {persona: response(debtor, action, step.template, persona) for persona, _ in personas_for(debtor)},
                )
            )
            position, k = row[id(debtor)], min(debtor.contacts, MAX_CONTACTS - 1)
            if draws[position, k] < response(debtor, action, step.template):
                lag = int(lags[position, k])
                debtor.pay_day = day + lag if debtor.pay_day is None else min(debtor.pay_day, day + lag)
            if reactions[position, k] < REACTION[debtor.persona]:
                debtor.engaged = True
            debtor.contacts += 1
            debtor.sent_days.append(day)
            debtor.last_channel = action.channel
            debtor.annoyance += ANNOYANCE[action.channel]
            paid = debtor.first_pay_day
            reward = int(day <= paid < window_end)
            settle_day = paid if reward else window_end
            learned = features.decision_features(context, action, step.template, options[fixed].action)
            settling[settle_day].append((learned, reward))
            if keep_log and debtor.handover_day >= warmup_days:
                log.append(
                    Logged(
                        propensity=propensity,
                        reward=reward,
                        chosen=chosen,
                        options=[o.action for o in options],
                        fixed=fixed,
                        truth=truth,
                        segment=context.segments()[1],
                        template=step.template,
                        claim=debtor.index,
                    )
                )
        if progress is not None:
            progress(day)
    measured = [d for d in debtors if d.handover_day >= warmup_days]
    early = [d for d in debtors if d.handover_day < warmup_days]
    return Result(policy.name, Cohort.of(measured), Cohort.of(early) if early else None, log)


def _truth(debtor: Debtor, step: Step, options: Sequence[guardrails.Option], day: int, window_end: int) -> list[float]:
    """Expected reward of each option given everything already decided (earlier contacts' payments and
    the spontaneous payment are drawn in advance): 1 when a payment already falls into the window, else
    the chance the contact persuades times the chance the payment lands inside the window."""
    if day <= debtor.first_pay_day < window_end:
        return [1.0] * len(options)
    within = lag_within(window_end - day)
    return [response(debtor, option.action, step.template) * within for option in options]


def run(
    policy_factory: Callable[[], Policy],
    size: int,
    arrival_days: int,
    seed: int,
    keep_log: bool = False,
    warmup_days: int = 0,
) -> Result:
    """A fresh population from `seed` (the same for every policy), the policy run over it. `size` claims
    arrive evenly over `warmup_days + arrival_days`; the figures are those of the claims that arrive after
    the warm-up, and the warm-up's claims are run through the same policy first (its history)."""
    debtors = population(size, warmup_days + arrival_days, seed)
    return simulate(policy_factory(), debtors, seed + 1, keep_log, warmup_days=warmup_days)
