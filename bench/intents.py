"""Debtor message intents: how well each classifier does on the held-out test set, side by side.

    .venv/bin/python bench/intents.py [--only tfidf|embedding]

For each classifier (the default TF-IDF character n-gram model, and the multilingual sentence-embedding
model when `inkasso[embeddings]` is installed), trained on the shipped training part only, with its
threshold chosen on grouped out-of-fold predictions of that training part (never on the test set):

- macro-F1 of the top intent, per language and overall, on `tests/data/intents/test.jsonl`;
- the threshold, the precision of the messages it would answer automatically, and their share;
- hardship and dispute: how many test messages of each were answered automatically (must be 0), and
  where the classifier's top guess put them (the confusion that matters: a template answer to someone
  in hardship or with a dispute);
- training time and classification time per message.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from paypage.decisions.intents import dataset, embedding, model  # noqa: E402
from paypage.decisions.intents.labels import HUMAN_ONLY, INTENTS  # noqa: E402
from paypage.decisions.intents.tfidf import CharNgramClassifier  # noqa: E402

TEST_FILE = ROOT / "tests" / "data" / "intents" / "test.jsonl"


def evaluate(
    name: str, make: model.ClassifierFactory, train: list[dataset.Example], test: list[dataset.Example]
) -> dict[str, object]:
    started = time.perf_counter()
    trained = model.train(train, make)
    trained_in = time.perf_counter() - started
    embedding.forget()  # time classification with no embedding remembered from training or an earlier run
    started = time.perf_counter()
    verdicts = trained.classify_many([e.text for e in test])
    per_message = (time.perf_counter() - started) / len(test)
    truth = [e.intent for e in test]
    guess = [v.intent for v in verdicts]
    answered = [(v, e) for v, e in zip(verdicts, test, strict=True) if v.auto]
    right = sum(v.intent == e.intent for v, e in answered)
    print(f"\n== {name} ==")
    print(f"trained in {trained_in:.1f} s; {per_message * 1000:.2f} ms per message; threshold {trained.threshold:.3f}")
    print(
        f"validation (out-of-fold, training part): precision {trained.choice.precision:.3f} "
        f"at answered share {trained.choice.answered_share:.3f}"
    )
    overall = f1_score(truth, guess, labels=list(INTENTS), average="macro")
    accuracy = sum(g == t for g, t in zip(guess, truth, strict=True)) / len(truth)
    print(f"macro-F1 overall {overall:.3f}; accuracy {accuracy:.3f}")
    print(f"{'language':<9}{'macro-F1':>9}{'answered':>10}{'precision':>11}{'n':>6}")
    for language in dataset.languages(test):
        index = [i for i, e in enumerate(test) if e.language == language]
        f1 = f1_score(
            [truth[i] for i in index], [guess[i] for i in index], labels=list(INTENTS), average="macro", zero_division=0
        )
        auto = [i for i in index if verdicts[i].auto]
        precision = sum(guess[i] == truth[i] for i in auto) / len(auto) if auto else float("nan")
        print(f"{language:<9}{f1:>9.3f}{len(auto) / len(index):>10.3f}{precision:>11.3f}{len(index):>6}")
    precision = right / len(answered) if answered else float("nan")
    print(
        f"TEST: answered automatically {len(answered)}/{len(test)} = {len(answered) / len(test):.3f}, "
        f"precision at threshold {precision:.3f} (goal >= 0.95)"
    )
    for intent in sorted(HUMAN_ONLY):
        of_intent = [i for i, e in enumerate(test) if e.intent == intent]
        auto = sum(verdicts[i].auto for i in of_intent)
        guessed = collections.Counter(guess[i] for i in of_intent)
        print(
            f"{intent}: {len(of_intent)} in test, answered automatically {auto} (goal 0); top guesses {dict(guessed)}"
        )
    wrongly_human_only = collections.Counter(
        (e.intent, v.intent)
        for v, e in zip(verdicts, test, strict=True)
        if v.intent in HUMAN_ONLY and e.intent != v.intent
    )
    print(f"taken for hardship/dispute though not: {dict(wrongly_human_only)}")
    return {"name": name, "f1": overall, "precision": precision, "share": len(answered) / len(test)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=("tfidf", "embedding", "combined"))
    args = parser.parse_args()
    train, test = dataset.load(), dataset.load(TEST_FILE)
    print(
        f"training part {len(train)} messages, test part {len(test)} messages, {len(dataset.languages(test))} languages"
    )
    results = []
    if args.only in (None, "tfidf"):
        results.append(evaluate("TF-IDF char 2-5 + linear SVM (default)", CharNgramClassifier, train, test))
    if args.only in (None, "embedding"):
        if embedding.available():
            results.append(
                evaluate(
                    "USE multilingual v3 + linear SVM (inkasso[embeddings])", embedding.EmbeddingClassifier, train, test
                )
            )
        else:
            print("\nembedding model not installed (pip install inkasso[embeddings]): skipped")
    if args.only in (None, "combined") and embedding.available():
        results.append(
            evaluate("both: one calibration over both models' scores", embedding.CombinedClassifier, train, test)
        )
    print("\nside by side: name | macro-F1 | precision at threshold | answered share")
    for result in results:
        print(f"  {result['name']:<58} {result['f1']:.3f}  {result['precision']:.3f}  {result['share']:.3f}")


if __name__ == "__main__":
    main()
