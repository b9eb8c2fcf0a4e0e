"""Claim states under random sequences of actions: only defined states, and the end is the end."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from paypage.domain.states import FINAL_STATES, STATES, TRANSITIONS, InvalidTransitionError, check_transition, is_final

ALL = sorted(STATES)


class ClaimLife(RuleBasedStateMachine):
    """A claim that is asked to move to random states; refused moves leave it where it was."""

    def __init__(self) -> None:
        super().__init__()
        self.state = "open"
        self.history = ["open"]
        self.closed_at: int | None = None

    @rule(wanted=st.sampled_from(ALL))
    def move(self, wanted: str) -> None:
        target = wanted
        allowed = target in TRANSITIONS[self.state]
        try:
            check_transition(self.state, target)
        except InvalidTransitionError as exc:
            assert not allowed
            assert (exc.current, exc.target) == (self.state, target)
            assert repr(self.state) in str(exc) and repr(target) in str(exc)
            return
        assert allowed
        self.state = target
        self.history.append(target)
        if is_final(target) and self.closed_at is None:
            self.closed_at = len(self.history) - 1

    @precondition(lambda self: not is_final(self.state))
    @rule()
    def close(self) -> None:
        """From every open state some final state is one step away: no claim can be stuck open for ever."""
        assert TRANSITIONS[self.state] & FINAL_STATES

    @invariant()
    def only_defined_states(self) -> None:
        assert self.state in STATES

    @invariant()
    def terminal_states_stay_terminal(self) -> None:
        if self.closed_at is not None:
            assert self.history[self.closed_at :] == [self.history[self.closed_at]]

    @invariant()
    def no_state_moves_to_itself(self) -> None:
        assert all(a != b for a, b in zip(self.history, self.history[1:], strict=False))


ClaimLife.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestClaimLife = ClaimLife.TestCase


@given(st.sampled_from(ALL), st.text(max_size=20))
def test_unknown_targets_and_sources_are_refused(state: str, other: str) -> None:
    if other in STATES:
        return
    for current, target in ((state, other), (other, state)):
        try:
            check_transition(current, target)
        except InvalidTransitionError:
            continue
        raise AssertionError(f"{current!r} -> {target!r} was accepted")


def test_every_state_is_reachable_from_open() -> None:
    reached, frontier = {"open"}, ["open"]
    while frontier:
        for target in TRANSITIONS[frontier.pop()]:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == STATES
