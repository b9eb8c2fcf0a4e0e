"""What the contact model sees of a decision: the claim's context crossed with the option's parts.

A contact's chance to lead to payment is modelled on the log-odds scale as a sum of weights, one per
active feature. Three kinds of feature:

- context only (`type=person`, `amount=small`, ...): the case's base rate. They move every option of a
  decision alike, so they never change a choice; they are there so that the option weights measure an
  option's effect, not the kind of case it happened to be used on.
- each option part (`ch=sms`, `tone=empathetic`, `hour=phone:18`, `default`) crossed with each context
  attribute: with the debtor type (`ch=sms*type=person`), what the part does for persons or for
  companies; with the others (`tone=empathetic*engaged=1`), how that effect differs for a kind of case.
  This is what makes the policy contextual, and the model learns each cross from every case that
  shares it, where a table per segment would learn each segment alone.

The `kind` attribute (debtor type, amount band and whether the debtor has reacted) lets the strongest
differences between debtors (who cannot pay, who forgot, who refuses) show as one weight each instead of
a sum of several. Nothing here is a protected attribute (see `context.PROTECTED`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from paypage.decisions.context import Context
from paypage.decisions.guardrails import Action

BIAS = "bias"
DEFAULT = "default"
"""The option the fixed strategy would send: its channel, hour and tone, as a creditor reviewed them."""
MAX_CONTACTS = 4
"""Contacts beyond this many count as this many: the evidence thins out and fatigue has set in."""


def context_attributes(context: Context) -> tuple[str, ...]:
    reacted = "engaged" if context.engaged else "silent"
    return (
        f"type={context.debtor_type}",
        f"amount={context.amount_band}",
        f"overdue={context.overdue_band}",
        f"engaged={int(context.engaged)}",
        f"contacts={min(context.contacts, MAX_CONTACTS)}",
        f"last={context.last_channel or 'none'}",
        f"country={context.country}",
        f"kind={context.debtor_type}|{context.amount_band}|{reacted}",
    )


def option_parts(action: Action, template: str, default: Action | None = None) -> tuple[str, ...]:
    """The parts of an option whose effects are learned: the channel, the tone, the hour for the medium
    (a letter's hour is not chosen), and whether it is what the fixed strategy would send (`default`)."""
    channel, tone = action.channel, action.tone
    parts = [f"ch={channel}", f"tone={tone}"]
    if action == default:
        parts.append(DEFAULT)
    if channel != "letter":
        medium = "email" if channel == "email" else "phone"
        parts.append(f"hour={medium}:{action.hour}")
    return tuple(parts)


def part_features(part: str, attributes: Sequence[str]) -> tuple[str, ...]:
    """The features one option part brings: the part crossed with each context attribute. Never the part
    alone: its effect is learned per debtor type (the cross with `type=`), because persons and companies
    answer differently to almost every part, and a weight shared by both would carry what thousands of
    persons taught into the few companies' choices."""
    return tuple(f"{part}*{attribute}" for attribute in attributes)


def decision_features(context: Context, action: Action, template: str, default: Action | None = None) -> list[str]:
    """Every active feature of a decision, as stored with it and learned from when it is settled."""
    attributes = context_attributes(context)
    names = [BIAS, *attributes]
    for part in option_parts(action, template, default):
        names.extend(part_features(part, attributes))
    return names


PRIOR_RATE = 0.1
"""Before any data: a contact leads to payment one time in ten."""
DEFAULT_ADVANTAGE = 0.7
"""Before any data, the fixed strategy's own option is taken to be this much better on the log-odds scale:
the policy departs from what the creditor reviewed only where the evidence says it does better."""
PRECISION = {"type": 4.0, "kind": 50.0, "cross": 500.0, "context": 2.0}
"""Prior precision (1 / variance, log-odds scale) per kind of weight. Option parts crossed with the debtor
type are free to move (they carry the part's effect for persons or for companies); crosses with the
kind of case less so, and the many crosses with single context attributes are held
close to zero until much evidence has gathered: with tens of options and a few percent of payments per
contact, a loose prior there fits noise, and a policy that follows noise pays for it."""


def prior(name: str) -> tuple[float, float]:
    """Mean and precision of a weight before any data."""
    if name == BIAS:
        return math.log(PRIOR_RATE / (1 - PRIOR_RATE)), PRECISION["context"]
    part, _, attribute = name.partition("*")
    if not attribute:
        return 0.0, PRECISION["context"]
    if attribute.startswith("type="):
        return (DEFAULT_ADVANTAGE if part == DEFAULT else 0.0), PRECISION["type"]
    if attribute.startswith("kind="):
        return 0.0, PRECISION["kind"]
    return 0.0, PRECISION["cross"]
