"""How far the memory model itself may be off: the spread that widens the score interval.

Per question, the score model takes the chance of a right answer P = R + (1 − R)·g as exact. It is
not: FSRS's parameters may not fit the learner, a lucky guess in study inflates R, some days go
better than others. That error is shared by every question of one sitting, so it does not average
out over 65 questions. It is modelled as one shift δ ~ Normal(0, spread²) of every question's
recall on the log-odds scale for the whole exam: R' = logistic(logit R + δ), P' = R' + (1 − R')·g.
The score distribution is the mixture over δ (Gauss-Hermite quadrature, QUADRATURE_NODES nodes).

`spread` is fitted to the learner's own scored mock exams (the predictions kept with them): the
maximum of the marginal likelihood of every answer, δ integrated out per exam, pooled with
DEFAULT_SPREAD counted as PRIOR_EXAMS exams. DEFAULT_SPREAD was fitted the same way on the kept
predictions of simulated learners (benchmarks/readiness.py, training learners only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

DEFAULT_SPREAD = 0.4  # log-odds; benchmarks/readiness.py fits it on its training learners
MODEL_ERROR = "recall shifted by delta ~ Normal(0, spread^2) on the log-odds scale, one delta per exam"
PRIOR_EXAMS = 3.0  # the default counts as this many scored exams
MAX_SPREAD = 2.0
_GRID_STEP = 0.05  # of the spread searched, and of δ when integrating over it
_DELTAS = tuple(_GRID_STEP * k for k in range(-100, 101))  # δ from -5 to 5

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


def shifts(spread: float) -> list[tuple[float, float]]:
    """(δ, weight) pairs that integrate over δ ~ Normal(0, spread²); one pair (0, 1) without a spread."""
    if spread <= 0:
        return [(0.0, 1.0)]
    return [(spread * x, w) for x, w in zip(_NODES, _WEIGHTS, strict=True)]


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


def _exam_loglik(answers: Sequence[tuple[float, float, bool]]) -> list[float]:
    """log P(these answers | δ) for every δ of the grid; answers are (R, g, right)."""
    out = []
    for delta in _DELTAS:
        total = 0.0
        for r, g, right in answers:
            p = shifted(r + (1 - r) * g, g, delta)
            p = min(max(p, 1e-9), 1 - 1e-9)
            total += math.log(p if right else 1 - p)
        out.append(total)
    return out


def _marginal(loglik: Sequence[float], spread: float) -> float:
    """log ∫ P(answers | δ) Normal(δ; 0, spread²) dδ on the grid."""
    if spread < _GRID_STEP / 2:
        return loglik[len(loglik) // 2]
    logw = [-0.5 * (d / spread) ** 2 for d in _DELTAS]
    norm = max(logw) + math.log(sum(math.exp(w - max(logw)) for w in logw))
    terms = [w - norm + ll for w, ll in zip(logw, loglik, strict=True)]
    top = max(terms)
    return top + math.log(sum(math.exp(t - top) for t in terms))


def _informative(exams: Sequence[Sequence[tuple[float, float, bool]]]) -> list[list[tuple[float, float, bool]]]:
    """Each exam's answers that say something about a shift (recall strictly between 0 and 1); exams with none left out."""
    kept = [[a for a in answers if 0 < a[0] < 1 and a[1] < 1] for answers in exams]
    return [answers for answers in kept if answers]


def fitted_spread(exams: Sequence[Sequence[tuple[float, float, bool]]]) -> float:
    """The spread that best explains these exams' answers, (R, g, right) each: maximum marginal likelihood, 0 to MAX_SPREAD."""
    logliks = [_exam_loglik(answers) for answers in _informative(exams)]
    if not logliks:
        return 0.0
    candidates = [_GRID_STEP * k for k in range(round(MAX_SPREAD / _GRID_STEP) + 1)]
    return max(candidates, key=lambda s: sum(_marginal(ll, s) for ll in logliks))


def learner_spread(exams: Sequence[Sequence[tuple[float, float, bool]]], default: float = DEFAULT_SPREAD) -> tuple[float, int]:
    """The spread for this learner and the exams behind it: their fit pooled (as variances) with `default` worth PRIOR_EXAMS exams.

    Exams of items never studied (or just reviewed, R = 1) say nothing about the model's error and do not count.
    """
    informative = _informative(exams)
    n = len(informative)
    if n == 0:
        return default, 0
    own = fitted_spread(informative)
    return math.sqrt((n * own**2 + PRIOR_EXAMS * default**2) / (n + PRIOR_EXAMS)), n
