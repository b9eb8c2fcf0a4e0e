"""The intents a debtor's message is sorted into, and which of them a template may answer."""

from __future__ import annotations

from typing import Final, Literal

Intent = Literal["instalment", "pause", "already_paid", "dispute", "hardship", "address_change", "question", "other"]

INTENTS: Final[tuple[Intent, ...]] = (
    "instalment",
    "pause",
    "already_paid",
    "dispute",
    "hardship",
    "address_change",
    "question",
    "other",
)

ANSWERABLE: Final[frozenset[Intent]] = frozenset({"instalment", "pause", "already_paid", "address_change", "question"})
"""Intents with an expert-written answer. Hardship and dispute are not in it by design: a person answers those,
however sure the classifier is. `other` (thanks, out-of-office, wrong number, "stop") has nothing to answer."""

HUMAN_ONLY: Final[frozenset[Intent]] = frozenset({"hardship", "dispute"})
