"""The default classifier: TF-IDF over character n-grams within word boundaries and a linear SVM, whose
scores a multinomial logistic regression turns into calibrated probabilities.

Character n-grams carry across the eleven languages, typos and missing diacritics without a tokenizer or
a stemmer per language. The SVM fits in a fraction of a second (a logistic regression on the same 100k+
sparse features took about ten times longer for the same accuracy); calibration is a logistic regression
on the SVM's eight scores, fitted on scores of messages the SVM did not see (`calibrate`), so a
confidence of 0.9 is right about nine times in ten, which the auto-answer threshold relies on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from paypage.decisions.intents.text import normalise


class CharNgramClassifier:
    name = "tfidf-char"

    def __init__(self) -> None:
        self.labels: tuple[str, ...] = ()
        self._vectorizer: TfidfVectorizer | None = None
        self._svm: LinearSVC | None = None
        self._calibration: LogisticRegression | None = None

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> CharNgramClassifier:
        self._vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
        features = self._vectorizer.fit_transform([normalise(text) for text in texts])
        self._svm = LinearSVC(C=0.5, random_state=0).fit(features, list(intents))
        self.labels = tuple(str(label) for label in self._svm.classes_)
        return self

    def scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        if self._vectorizer is None or self._svm is None:
            raise RuntimeError("fit the classifier first")
        features = self._vectorizer.transform([normalise(text) for text in texts])
        return np.asarray(self._svm.decision_function(features), dtype=np.float64)

    def calibrate(self, scores: NDArray[np.float64], intents: Sequence[str]) -> CharNgramClassifier:
        """Learn probabilities from SVM scores of held-out messages (see `model.train`)."""
        self._calibration = fit_calibration(scores, intents)
        if tuple(str(label) for label in self._calibration.classes_) != self.labels:
            raise ValueError("the calibration data lacks an intent")
        return self

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """One row per text, columns in the order of `self.labels`."""
        if self._calibration is None:
            raise RuntimeError("calibrate the classifier first")
        return np.asarray(self._calibration.predict_proba(self.scores(texts)), dtype=np.float64)


def fit_calibration(scores: NDArray[np.float64], intents: Sequence[str]) -> LogisticRegression:
    """A multinomial logistic regression from the eight scores to probabilities."""
    return LogisticRegression(C=1.0, max_iter=1000).fit(scores, list(intents))
