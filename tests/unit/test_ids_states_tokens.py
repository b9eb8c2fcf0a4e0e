from __future__ import annotations

import datetime as dt

import pytest

from paypage.domain.ids import has_prefix, new_id
from paypage.domain.states import FINAL_STATES, STATES, TRANSITIONS, InvalidTransitionError, check_transition
from paypage.domain.tokens import pay_token, token_digest


def test_ids_are_prefixed_and_sort_by_time() -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ids = [new_id("clm", start + dt.timedelta(milliseconds=n)) for n in range(0, 5000, 7)]
    assert all(has_prefix(value, "clm") and len(value) == 30 for value in ids)
    assert ids == sorted(ids)
    assert len({new_id("clm", start) for _ in range(1000)}) == 1000


def test_unknown_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown ID prefix"):
        new_id("xyz", dt.datetime.now(dt.UTC))


def test_transition_table_covers_every_state_and_final_states_are_dead_ends() -> None:
    assert set(TRANSITIONS) == STATES
    for state, targets in TRANSITIONS.items():
        assert targets <= STATES
        assert (not targets) == (state in FINAL_STATES)


def test_illegal_transition_names_both_states() -> None:
    check_transition("open", "paid")
    with pytest.raises(InvalidTransitionError, match="'paid' cannot become 'open'"):
        check_transition("paid", "open")


def test_pay_tokens_are_128_bit_and_depend_on_secret_claim_and_version() -> None:
    token = pay_token(b"secret", "clm_1", 1)
    assert len(token) == 22  # 16 bytes, base64url without padding
    assert token == pay_token(b"secret", "clm_1", 1)
    assert (
        len(
            {token, pay_token(b"other", "clm_1", 1), pay_token(b"secret", "clm_2", 1), pay_token(b"secret", "clm_1", 2)}
        )
        == 4
    )
    assert token_digest(token) != token and len(token_digest(token)) == 64


def test_demo_server_log_lines_hide_pay_tokens() -> None:
    from paypage.demo import _PAY_PATH

    line = "GET /p/0fJh0yIfuQYa-ehjrrax4g?embed=1 HTTP/1.1"
    assert _PAY_PATH.sub("/p/[token]", line) == "GET /p/[token]?embed=1 HTTP/1.1"


def test_ids_made_with_one_timestamp_sort_in_creation_order() -> None:
    now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    ids = [new_id("evt", now) for _ in range(500)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 500
