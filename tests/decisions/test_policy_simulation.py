"""The simulator's ground truth: a debtor's reaction to contacts is evidence about why the claim is unpaid,
and the context a policy sees carries it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bench.simulation.population import REACTION, Debtor, persona_beliefs, population
from bench.simulation.run import RandomPolicy, simulate
from paypage.decisions import guardrails
from paypage.decisions.context import Context
from paypage.domain.strategies import Step


def test_a_reaction_shifts_the_belief_towards_debtors_who_cannot_pay() -> None:
    debtor = next(d for d in population(200, 10, 3) if d.debtor_type == "person")
    contact = {persona: 0.1 for persona in REACTION}
    day = debtor.handover_day + 10
    silent = dataclasses.replace(debtor, history=[(debtor.handover_day, contact), (debtor.handover_day + 4, contact)])
    reacted = dataclasses.replace(silent, engaged=True)
    assert persona_beliefs(reacted, day)["struggling"] > 2 * persona_beliefs(silent, day)["struggling"]
    assert persona_beliefs(reacted, day)["reluctant"] < persona_beliefs(silent, day)["reluctant"]


class Recording(RandomPolicy):
    def __init__(self) -> None:
        super().__init__(1)
        self.engaged: list[bool] = []

    def choose(
        self, debtor: Debtor, step: Step, options: Sequence[guardrails.Option], context: Context
    ) -> tuple[int, float]:
        self.engaged.append(context.engaged)
        return super().choose(debtor, step, options, context)


def test_reactions_reach_the_policys_context_and_mostly_come_from_debtors_who_cannot_pay() -> None:
    debtors = population(700, 10, 4)
    policy = Recording()
    simulate(policy, debtors, 5)
    assert any(policy.engaged) and not all(policy.engaged)

    def reacted(persona: str) -> float:
        group = [d for d in debtors if d.persona == persona and d.contacts >= 2]
        return sum(d.engaged for d in group) / len(group)

    assert reacted("struggling") > 3 * reacted("forgetful")
