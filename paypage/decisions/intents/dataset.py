"""The labelled messages: JSON lines with `text`, `language`, `intent` (and `group`).

The training part ships inside the package (`data/train.jsonl`); the held-out test part lives in the
repository's `tests/data/intents/test.jsonl` and never reaches the classifier's fitting or its threshold.
Messages written as variants of one hand-written message share a `group`, and every split keeps a group
on one side, so a validation score is not inflated by near-copies.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from paypage.decisions.intents.labels import INTENTS, Intent

TRAIN_FILE = Path(__file__).with_name("data") / "train.jsonl"


class DatasetError(ValueError):
    """A data-set line that cannot be used, with the file and line number."""


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    intent: Intent
    group: str


def load(path: Path = TRAIN_FILE) -> list[Example]:
    examples = []
    with path.open(encoding="utf-8") as source:
        for number, line in enumerate(source, start=1):
            if line.strip():
                examples.append(_parse(line, f"{path.name}:{number}"))
    return examples


def _parse(line: str, where: str) -> Example:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(row, dict) or not all(isinstance(row.get(key), str) for key in ("text", "language", "intent")):
        raise DatasetError(f"{where}: needs string fields text, language and intent")
    intent = row["intent"]
    if intent not in INTENTS:
        raise DatasetError(f"{where}: unknown intent {intent!r}")
    group = row.get("group")
    return Example(row["text"], row["language"], intent, group if isinstance(group, str) else row["text"])


def fold_of(example: Example, folds: int) -> int:
    """A fixed fold per group, from a hash: the same on every machine and run."""
    return int(hashlib.sha256(f"{example.language}\x1f{example.group}".encode()).hexdigest(), 16) % folds


def split(examples: Sequence[Example], folds: int, fold: int) -> tuple[list[Example], list[Example]]:
    """(rest, held) with the groups of `fold` held out."""
    rest = [example for example in examples if fold_of(example, folds) != fold]
    held = [example for example in examples if fold_of(example, folds) == fold]
    return rest, held


def languages(examples: Iterable[Example]) -> list[str]:
    return sorted({example.language for example in examples})
