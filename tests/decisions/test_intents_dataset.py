"""The labelled data set: coverage per language and intent, and a split that keeps near-copies together."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path

import pytest

from paypage import i18n
from paypage.decisions.intents import dataset
from paypage.decisions.intents.labels import INTENTS

TEST_FILE = Path(__file__).resolve().parents[1] / "data" / "intents" / "test.jsonl"
BUILD = TEST_FILE.with_name("build.py")


def test_every_language_has_at_least_thirty_messages_per_intent() -> None:
    counts = collections.Counter((e.language, e.intent) for e in [*dataset.load(), *dataset.load(TEST_FILE)])
    for language in i18n.SUPPORTED:
        for intent in INTENTS:
            assert counts[(language, intent)] >= 30, (language, intent)


def test_no_group_and_no_text_is_on_both_sides_of_the_split() -> None:
    train, test = dataset.load(), dataset.load(TEST_FILE)
    assert {e.group for e in train}.isdisjoint({e.group for e in test})
    assert {e.text for e in train}.isdisjoint({e.text for e in test})
    assert 0.25 < len(test) / (len(train) + len(test)) < 0.35


def test_the_shipped_files_are_what_the_build_script_writes(tmp_path: Path) -> None:
    """The split is a hash of each hand-written message: rebuilding gives the same files byte for byte."""
    before = (dataset.TRAIN_FILE.read_bytes(), TEST_FILE.read_bytes())
    sys.path.insert(0, str(BUILD.parent))
    try:
        import build  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(BUILD.parent))
    train, test = build.build()
    assert "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in train).encode() == before[0]
    assert "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in test).encode() == before[1]


def test_folds_are_fixed_by_group() -> None:
    examples = dataset.load()
    rest, held = dataset.split(examples, 5, 2)
    assert len(rest) + len(held) == len(examples)
    assert {e.group for e in rest}.isdisjoint({e.group for e in held})
    assert [dataset.fold_of(e, 5) for e in examples[:50]] == [dataset.fold_of(e, 5) for e in examples[:50]]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "data.jsonl:1: not JSON"),
        ('{"text": "x", "language": "de"}', "data.jsonl:1: needs string fields text, language and intent"),
        ('{"text": "x", "language": "de", "intent": "complaint"}', "data.jsonl:1: unknown intent 'complaint'"),
    ],
)
def test_a_bad_line_is_named_with_its_number(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(dataset.DatasetError, match=message.replace("(", r"\(")):
        dataset.load(path)


def test_build_script_runs_as_documented(tmp_path: Path) -> None:
    """`python tests/data/intents/build.py` must keep working: it is how the data set is changed."""
    result = subprocess.run(
        [sys.executable, "-c", f"import runpy; runpy.run_path({str(BUILD)!r})"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
