"""Bayesian logistic regression with an independent Gaussian per weight, updated in batches.

The posterior of each weight is kept as a mean and a precision (the Laplace approximation with a diagonal
covariance, as in Chapelle and Li's evaluation of Thompson sampling). A batch of settled contacts is
learned by finding the most probable weights given the batch and the current posterior as the prior,
then adding each weight's curvature (sum of x * p * (1 - p) over the batch) to its precision. Weights the
batch does not touch stay as they are, so the state is a table of (feature, mean, precision, trials)
rows and an update writes only the features it saw.

A feature never seen has its prior (`features.prior`): an unknown effect is taken as none, except that
the fixed strategy's own option starts with an advantage.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, sparse  # type: ignore[import-untyped]

from paypage.decisions import features


@dataclass(frozen=True)
class Weight:
    mean: float
    precision: float
    trials: int
    """Settled contacts that had this feature."""


def prior(name: str) -> Weight:
    mean, precision = features.prior(name)
    return Weight(mean, precision, 0)


@dataclass
class Posterior:
    weights: dict[str, Weight] = field(default_factory=dict)

    def get(self, name: str) -> Weight:
        return self.weights.get(name) or prior(name)

    def moments(self, names: Iterable[str]) -> tuple[float, float]:
        """Mean and variance of the sum of the named weights (independent Gaussians)."""
        mean = variance = 0.0
        for name in names:
            weight = self.get(name)
            mean += weight.mean
            variance += 1.0 / weight.precision
        return mean, variance

    def trials(self, name: str) -> int:
        return self.get(name).trials

    def learn(self, rows: Sequence[tuple[Sequence[str], int]]) -> dict[str, Weight]:
        """Update with settled contacts (their features, their reward 0/1); returns the changed weights."""
        if not rows:
            return {}
        names = sorted({name for features, _ in rows for name in features})
        column = {name: index for index, name in enumerate(names)}
        indices = [column[name] for features, _ in rows for name in features]
        pointers = np.cumsum([0, *(len(features) for features, _ in rows)])
        design = sparse.csr_matrix((np.ones(len(indices)), indices, pointers), shape=(len(rows), len(names)))
        rewards = np.array([reward for _, reward in rows], dtype=float)
        start = np.array([self.get(name).mean for name in names])
        precision = np.array([self.get(name).precision for name in names])

        def objective(w: np.ndarray) -> tuple[float, np.ndarray]:
            z = design @ w
            # log(1 + e^z) - y z, written so that no exponent overflows
            loss = float(np.sum(np.logaddexp(0.0, z) - rewards * z))
            gap = w - start
            value = loss + 0.5 * float(np.sum(precision * gap * gap))
            gradient = design.T @ (sigmoid(z) - rewards) + precision * gap
            return value, gradient

        fitted = optimize.minimize(objective, start, jac=True, method="L-BFGS-B").x
        p = sigmoid(design @ fitted)
        curvature = design.T @ (p * (1 - p))
        counts = np.asarray(design.sum(axis=0)).ravel()
        changed = {
            name: Weight(float(fitted[i]), float(precision[i] + curvature[i]), self.get(name).trials + int(counts[i]))
            for name, i in column.items()
        }
        self.weights.update(changed)
        return changed


def sigmoid(z: np.ndarray) -> np.ndarray:
    result: np.ndarray = 0.5 * (1.0 + np.tanh(0.5 * z))
    return result


def probability(posterior: Posterior, names: Iterable[str]) -> float:
    """The posterior mean's payment probability for a decision with these features (a point estimate)."""
    mean, _ = posterior.moments(names)
    return 1.0 / (1.0 + math.exp(-mean))


def from_rows(rows: Mapping[str, tuple[float, float, int]]) -> Posterior:
    return Posterior({name: Weight(mean, precision, trials) for name, (mean, precision, trials) in rows.items()})
