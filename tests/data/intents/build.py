"""Builds the intent data set from the hand-written sources in `source/<language>.txt`.

    .venv/bin/python tests/data/intents/build.py

Writes `paypage/decisions/intents/data/train.jsonl` (ships in the wheel) and `tests/data/intents/test.jsonl`
(held out). See README.md in this folder for how the sources were written and how the split works.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
TRAIN = ROOT / "paypage" / "decisions" / "intents" / "data" / "train.jsonl"
TEST = HERE / "test.jsonl"
TRAIN_SHARE = 70
"""Percent of the hand-written messages (with all their variants) that go to training."""

WRAPPERS = ("greeting", "closing", "name")


def _digest(*parts: str) -> int:
    return int(hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest(), 16)


def read_source(path: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    sections: dict[str, list[str]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("# "):
            current = line[2:].strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    wrappers = {name: sections.pop(name) for name in WRAPPERS}
    return wrappers, sections


def strip_diacritics(text: str) -> str:
    text = text.replace("ß", "ss").replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("ł", "l")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def typo(text: str, seed: int) -> str:
    """Swap two neighbouring, different letters in one longer word, as thumbs on a phone do."""
    words = text.split(" ")
    long_words = [index for index, word in enumerate(words) if len(word.rstrip("?!.,")) >= 5 and word[:5].isalpha()]
    for attempt in range(len(long_words) * 4):
        index = long_words[(seed + attempt) % len(long_words)]
        word = words[index].rstrip("?!.,")
        at = 1 + (seed + attempt) % (len(word) - 3)
        if word[at] != word[at + 1]:
            words[index] = word[:at] + word[at + 1] + word[at] + word[at + 2 :] + words[index][len(word) :]
            return " ".join(words)
    return text


def sms_style(text: str, seed: int) -> str:
    text = strip_diacritics(text.lower())
    text = "".join(char for char in text if char.isalnum() or char in " ?!€-@.")
    text = text.replace(". ", " ").rstrip(".")
    return typo(" ".join(text.split()), seed)


def email_style(text: str, language: str, wrappers: dict[str, list[str]], seed: int) -> str:
    greeting = wrappers["greeting"][seed % len(wrappers["greeting"])]
    closing = wrappers["closing"][(seed // 7) % len(wrappers["closing"])]
    name = wrappers["name"][(seed // 49) % len(wrappers["name"])]
    reference = f"R-{2024 + seed % 3}-{seed % 90000 + 10000}"
    if seed % 2:
        return f"{greeting}\n\n{text}\n\n{closing}\n{name}"
    return f"{greeting}\n\n{reference}\n{text}\n\n{closing}\n{name}"


def variants(core: str, language: str, wrappers: dict[str, list[str]]) -> list[str]:
    seed = _digest(language, core, "variant")
    return [core, email_style(core, language, wrappers, seed), sms_style(core, seed)]


def build() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    train: list[dict[str, str]] = []
    test: list[dict[str, str]] = []
    for path in sorted((HERE / "source").glob("*.txt")):
        language = path.stem
        wrappers, intents = read_source(path)
        for intent, cores in intents.items():
            for core in cores:
                # Every variant of one hand-written message goes to the same side of the split.
                side = train if _digest(language, core) % 100 < TRAIN_SHARE else test
                group = f"{_digest(language, core):x}"[:12]
                seen: set[str] = set()
                for text in variants(core, language, wrappers):
                    if text not in seen:
                        seen.add(text)
                        side.append({"text": text, "language": language, "intent": intent, "group": group})
    return train, test


def write(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    train_rows, test_rows = build()
    write(TRAIN, train_rows)
    write(TEST, test_rows)
    print(f"train {len(train_rows)}, test {len(test_rows)}")
