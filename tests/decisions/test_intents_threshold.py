"""Choosing the auto-answer threshold, on small arrays whose right answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from paypage.decisions.intents import threshold

LABELS = ("already_paid", "dispute", "hardship", "question")


def rows(*spec: tuple[str, float, str]) -> tuple[np.ndarray, list[str]]:
    """(top intent, its probability, true intent) per message; the rest of the mass spread thinly."""
    probabilities = []
    for top, p, _ in spec:
        row = np.full(len(LABELS), (1 - p) / (len(LABELS) - 1))
        row[LABELS.index(top)] = p
        probabilities.append(row)
    return np.array(probabilities), [truth for _, _, truth in spec]


def test_threshold_is_the_lowest_confidence_that_keeps_the_target_at_every_higher_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(threshold, "MIN_ANSWERED", 3)
    probabilities, truth = rows(
        ("question", 0.99, "question"),
        ("question", 0.97, "question"),
        ("question", 0.95, "question"),
        ("question", 0.93, "question"),
        ("question", 0.90, "already_paid"),  # first mistake: 4/5 = 0.8 < 0.95
        ("question", 0.80, "question"),
    )
    choice = threshold.choose(LABELS, probabilities, truth, target=0.95)
    assert choice.threshold == pytest.approx(0.93)
    assert choice.precision == 1.0
    assert choice.answered == 4


def test_nothing_is_answered_when_too_few_messages_reach_the_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threshold, "MIN_ANSWERED", 3)
    probabilities, truth = rows(("question", 0.99, "question"), ("question", 0.98, "already_paid"))
    choice = threshold.choose(LABELS, probabilities, truth)
    assert choice.answered == 0 and choice.threshold > 1


def test_hardship_and_dispute_are_never_counted_as_answerable() -> None:
    probabilities, _ = rows(
        ("hardship", 0.99, "hardship"), ("dispute", 0.99, "dispute"), ("question", 0.99, "question")
    )
    _, allowed = threshold.answerable(LABELS, probabilities)
    assert allowed.tolist() == [False, False, True]


def test_a_question_with_a_hint_of_hardship_goes_to_a_person() -> None:
    row = np.array([[0.0, 0.0, threshold.HUMAN_GUARD, 1 - threshold.HUMAN_GUARD]])
    assert threshold.guarded(LABELS, row).tolist() == [True]
    _, allowed = threshold.answerable(LABELS, row)
    assert allowed.tolist() == [False]


def test_ties_at_the_boundary_are_left_out_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threshold, "MIN_ANSWERED", 1)
    probabilities, truth = rows(
        ("question", 0.99, "question"),
        ("question", 0.99, "question"),
        ("question", 0.90, "question"),
        ("question", 0.90, "already_paid"),
    )
    choice = threshold.choose(LABELS, probabilities, truth, target=0.95)
    assert choice.threshold == pytest.approx(0.99)
    assert choice.answered == 2
