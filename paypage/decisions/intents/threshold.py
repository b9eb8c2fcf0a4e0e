"""Choosing the confidence above which a message is answered by a template.

The threshold is read off predictions for messages the model did not see while fitting (grouped
cross-validation over the training data; the test set is never used). It is the lowest confidence at
which the auto-answered messages are right at least `target` of the time, and stay so for every higher
threshold: a threshold that reaches the target only by a lucky dip would not hold on new messages.
A message whose probability of hardship or dispute reaches `HUMAN_GUARD` goes to a person whatever the
top intent is; the guard is applied here too, so the chosen threshold is measured on what is really sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from paypage.decisions.intents.labels import ANSWERABLE, HUMAN_ONLY

HUMAN_GUARD = 0.15
"""A hardship or dispute probability from which a person reads the message, even if another intent leads."""
TARGET_PRECISION = 0.95
MIN_ANSWERED = 30
"""Fewer answered validation messages than this say too little about precision: answer nothing then."""


@dataclass(frozen=True)
class Choice:
    threshold: float
    precision: float
    """Precision of the auto-answered validation messages at the threshold."""
    answered_share: float
    answered: int


def guarded(labels: Sequence[str], probabilities: NDArray[np.float64]) -> NDArray[np.bool_]:
    """True where a hardship or dispute probability is too high to let a template answer."""
    columns = [labels.index(intent) for intent in HUMAN_ONLY if intent in labels]
    if not columns:
        return np.zeros(len(probabilities), dtype=bool)
    return np.asarray(probabilities[:, columns].max(axis=1) >= HUMAN_GUARD)


def answerable(labels: Sequence[str], probabilities: NDArray[np.float64]) -> tuple[NDArray[np.int_], NDArray[np.bool_]]:
    """The top intent per row, and whether it may be answered at all (answerable intent, guard not hit)."""
    top = probabilities.argmax(axis=1)
    allowed = np.array([labels[index] in ANSWERABLE for index in top], dtype=bool) & ~guarded(labels, probabilities)
    return top, allowed


def choose(
    labels: Sequence[str],
    probabilities: NDArray[np.float64],
    truth: Sequence[str],
    target: float = TARGET_PRECISION,
) -> Choice:
    top, allowed = answerable(labels, probabilities)
    confidence = probabilities[np.arange(len(top)), top]
    correct = np.array([labels[index] == actual for index, actual in zip(top, truth, strict=True)], dtype=bool)
    order = np.argsort(-confidence[allowed], kind="stable")
    sorted_confidence = confidence[allowed][order]
    sorted_correct = correct[allowed][order]
    if len(sorted_confidence) == 0:
        return Choice(1.01, 1.0, 0.0, 0)
    precision = np.cumsum(sorted_correct) / np.arange(1, len(sorted_correct) + 1)
    # Walk from the most confident down; stop before the first prefix whose precision drops below target.
    failing = np.nonzero(precision < target)[0]
    end = int(failing[0]) if len(failing) else len(precision)
    # Ties: a threshold admits every message at its confidence, so back off to a clean boundary.
    while 0 < end < len(sorted_confidence) and sorted_confidence[end] == sorted_confidence[end - 1]:
        end -= 1
    if end < MIN_ANSWERED:
        return Choice(1.01, 1.0, 0.0, 0)
    threshold = float(sorted_confidence[end - 1])
    return Choice(threshold, float(precision[end - 1]), end / len(truth), end)
