"""Claim states and the one table of allowed transitions."""

from __future__ import annotations

from typing import Final, get_args

from inkasso.types import ClaimState

STATES: Final = frozenset(get_args(ClaimState))

FINAL_STATES: Final[frozenset[str]] = frozenset({"paid", "cancelled", "escalated", "written_off"})

#: state -> states it may move to. Every transition becomes an event in the claim's timeline.
TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    "open": frozenset({"in_collection", "payment_plan", "paused", "disputed", "paid", "cancelled"}),
    "in_collection": frozenset({"payment_plan", "paused", "disputed", "paid", "cancelled", "escalated", "written_off"}),
    "payment_plan": frozenset({"in_collection", "paused", "disputed", "paid", "cancelled", "written_off"}),
    "paused": frozenset({"open", "in_collection", "payment_plan", "disputed", "paid", "cancelled"}),
    "disputed": frozenset({"open", "in_collection", "payment_plan", "paid", "cancelled", "written_off"}),
    "paid": frozenset(),
    "cancelled": frozenset(),
    "escalated": frozenset(),
    "written_off": frozenset(),
}


class InvalidTransitionError(ValueError):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"a claim in state '{current}' cannot become '{target}'")
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> None:
    """Raise InvalidTransitionError unless `current` may move to `target`."""
    if target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransitionError(current, target)


def is_final(state: str) -> bool:
    return state in FINAL_STATES
