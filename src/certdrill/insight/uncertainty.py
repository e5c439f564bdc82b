"""How far the memory model itself may be off: the shift and spread that move and widen the score interval.

Per question, the score model takes the chance of a right answer P = R + (1 − R)·g as exact. It is
not: FSRS's parameters may not fit the learner, a lucky guess in study inflates R, some days go
better than others. That error is shared by every question of one sitting, so it does not average
out over 65 questions. It is modelled as one shift δ ~ Normal(shift, spread²) of every question's
recall on the log-odds scale for the whole exam: R' = logistic(logit R + δ), P' = R' + (1 − R')·g.
An item never studied has no FSRS recall to be wrong about: its chance (the learner's share of
right first answers, estimated from all of them) is not moved. The score distribution is the
mixture over δ (Gauss-Hermite quadrature, QUADRATURE_NODES nodes).

The shift and spread are fitted to the learner's own scored mock exams (the predictions kept with
them) so that the scores are hit on average and missed by as much as the distribution says (two
moment equations, `fitted_error`), pooled with the default counted as PRIOR_EXAMS exams. Moments,
not the likelihood of each answer: a shared log-odds shift cannot fix a model whose R is too
extreme item by item (FSRS often is), and the likelihood then picks a shift that misses the score. The default was fitted the same way on the kept
predictions of simulated learners (benchmarks/readiness.py, training learners only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

PRIOR_EXAMS = 3.0  # the default counts as this many scored exams
MODEL_ERROR = "recall moved by delta ~ Normal(shift, spread^2) on the log-odds scale, one delta per exam"
MAX_SPREAD, MAX_SHIFT = 2.0, 4.0
RECENT_EXAMS = 20  # the fit reads the latest ones only
_STEP = 0.2
_DELTAS = tuple(_STEP * k for k in range(-40, 41))  # δ from -8 to 8: the grid an exam's expected score is read on

Answers = Sequence[tuple[float, float, bool]]  # (R, g, right) per question of one scored exam

# Nodes x of the probabilists' Hermite polynomial He_7 (Gauss-Hermite for a standard normal);
# the weights follow from them: n! / (n² He_{n-1}(x)²).
_NODES = (-3.750439717725742, -2.366759410734541, -1.154405394739968, 0.0, 1.154405394739968, 2.366759410734541, 3.750439717725742)
QUADRATURE_NODES = len(_NODES)


def _hermite(n: int, x: float) -> float:
    prev, cur = 1.0, x
    if n == 0:
        return prev
    for k in range(1, n):
        prev, cur = cur, x * cur - k * prev
    return cur


_WEIGHTS = tuple(math.factorial(QUADRATURE_NODES) / (QUADRATURE_NODES**2 * _hermite(QUADRATURE_NODES - 1, x) ** 2) for x in _NODES)


@dataclass(frozen=True)
class ModelError:
    """δ ~ Normal(shift, spread²): the memory model's error on one exam, in log-odds of recall."""

    shift: float = 0.0
    spread: float = 0.0
    exams: int = 0  # the learner's scored exams behind it (0: the default alone)

    def nodes(self) -> list[tuple[float, float]]:
        """(δ, weight) pairs that integrate over δ; one pair without a spread."""
        if self.spread <= 0:
            return [(self.shift, 1.0)]
        return [(self.shift + self.spread * x, w) for x, w in zip(_NODES, _WEIGHTS, strict=True)]

    def to_json(self) -> dict[str, object]:
        return {"model": MODEL_ERROR, "shift": self.shift, "spread": self.spread, "scored_exams": self.exams}


NONE = ModelError()
DEFAULT = ModelError(shift=-0.17, spread=0.54)  # fitted on benchmarks/readiness.py's 128 training learners (384 mock exams), posterior recall


def shifted(p: float, guess: float, delta: float) -> float:
    """P with the recall part R = (P − g) / (1 − g) moved by δ on the log-odds scale.

    A chance at or below the guess floor (nothing recalled) or a certain one has no recall to move.
    """
    if delta == 0 or guess >= 1:
        return p
    r = (p - guess) / (1 - guess)
    if r <= 0 or r >= 1:
        return p
    moved = 1 / (1 + math.exp(-(math.log(r / (1 - r)) + delta)))
    return moved + (1 - moved) * guess


def _informative(exams: Sequence[Answers]) -> list[Answers]:
    """The exams with a question whose recall a shift can move (strictly between 0 and 1)."""
    return [answers for answers in exams if any(0 < r < 1 and g < 1 for r, g, _ in answers)]


@dataclass(frozen=True)
class _Exam:
    """One scored exam: right answers, and the expected right and Bernoulli variance at every δ of the grid."""

    right: int
    mean: tuple[float, ...]
    variance: tuple[float, ...]

    @classmethod
    def of(cls, answers: Answers) -> _Exam:
        means, variances = [], []
        for delta in _DELTAS:
            chances = [shifted(r + (1 - r) * g, g, delta) for r, g, _ in answers]
            means.append(sum(chances))
            variances.append(sum(p * (1 - p) for p in chances))
        return cls(sum(right for _, _, right in answers), tuple(means), tuple(variances))

    def moments(self, shift: float, spread: float) -> tuple[float, float]:
        """Mean and variance of the number right with δ ~ Normal(shift, spread²)."""
        nodes = ModelError(shift, spread).nodes()
        means = [(_at(self.mean, d), w) for d, w in nodes]
        mean = sum(m * w for m, w in means)
        return mean, sum(_at(self.variance, d) * w for d, w in nodes) + sum(w * (m - mean) ** 2 for m, w in means)


def _at(values: Sequence[float], delta: float) -> float:
    """Linear interpolation on the δ grid (clamped at its ends)."""
    x = min(max((delta - _DELTAS[0]) / _STEP, 0.0), len(values) - 1.0)
    k = min(int(x), len(values) - 2)
    return values[k] + (x - k) * (values[k + 1] - values[k])


def _root(f, low: float, high: float) -> float:
    """Where a decreasing f crosses 0 on [low, high] (an end when it does not)."""
    if f(low) <= 0:
        return low
    if f(high) >= 0:
        return high
    for _ in range(30):
        mid = (low + high) / 2
        low, high = (mid, high) if f(mid) > 0 else (low, mid)
    return (low + high) / 2


def fitted_error(exams: Sequence[Answers]) -> ModelError:
    """The shift and spread under which these exams' scores are hit on average and missed by as much as predicted.

    Two moment equations, solved in turn: Σ (right − expected) = 0 for the shift; Σ (right −
    expected)² · n / (n − 1) = Σ predicted variance for the spread (0 when the Bernoulli variance
    alone already covers the misses; one exam has no spread to estimate).
    """
    scored = [_Exam.of(answers) for answers in _informative(exams)]
    n = len(scored)
    if n == 0:
        return NONE
    shift = spread = 0.0
    for _ in range(4):

        def missed(m: float, s: float = spread) -> float:
            return sum(e.right - e.moments(m, s)[0] for e in scored)

        shift = _root(missed, -MAX_SHIFT, MAX_SHIFT)
        if n == 1:
            break

        def excess(s: float, m: float = shift) -> float:
            moments = [e.moments(m, s) for e in scored]
            return n / (n - 1) * sum((e.right - mean) ** 2 for e, (mean, _) in zip(scored, moments, strict=True)) - sum(v for _, v in moments)

        spread = _root(excess, 0.0, MAX_SPREAD)
    return ModelError(shift, spread, n)


def learner_error(exams: Sequence[Answers], default: ModelError = DEFAULT) -> ModelError:
    """The learner's own fit pooled with `default` worth PRIOR_EXAMS exams (the moments of the two normals, mixed).

    Exams of items never studied (or just reviewed, R = 1) say nothing about the model's error and do not count.
    """
    own = fitted_error(list(exams)[-RECENT_EXAMS:])
    n, m = own.exams, PRIOR_EXAMS
    if n == 0:
        return default
    shift = (n * own.shift + m * default.shift) / (n + m)
    variance = (n * own.spread**2 + m * default.spread**2) / (n + m) + n * m * (own.shift - default.shift) ** 2 / (n + m) ** 2
    return ModelError(shift, math.sqrt(variance), n)
