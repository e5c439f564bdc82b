"""How far the memory model itself may be off: the shift and spread that move and widen the score interval.

Per question, the score model takes the chance of a right answer P = R + (1 − R)·g as exact. It is
not: FSRS's parameters may not fit the learner, a lucky guess in study inflates R, some days go
better than others. That error is shared by every question of one sitting, so it does not average
out over 65 questions. It is modelled as one shift δ ~ Normal(shift, spread²) of every question's
recall on the log-odds scale for the whole exam: R' = logistic(logit R + δ), P' = R' + (1 − R')·g
(for an item never studied, R is the share of items known at first sight). The score distribution
is the mixture over δ (Gauss-Hermite quadrature, QUADRATURE_NODES nodes).

The shift and spread are fitted to the learner's own scored mock exams (the predictions kept with
them): the maximum of the marginal likelihood of every answer, δ integrated out per exam, pooled
with the default counted as PRIOR_EXAMS exams. The default was fitted the same way on the kept
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
_STEP = 0.1
_DELTAS = tuple(_STEP * k for k in range(-60, 61))  # δ from -6 to 6, the grid the likelihood is integrated on

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
DEFAULT = ModelError(shift=-0.3, spread=0.6)  # benchmarks/readiness.py fits it on its training learners


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


def _loglik(answers: Answers, delta: float) -> float:
    total = 0.0
    for r, g, right in answers:
        p = min(max(shifted(r + (1 - r) * g, g, delta), 1e-9), 1 - 1e-9)
        total += math.log(p if right else 1 - p)
    return total


def _informative(exams: Sequence[Answers]) -> list[list[tuple[float, float, bool]]]:
    """Each exam's answers that say something about δ (recall strictly between 0 and 1); exams with none left out."""
    kept = [[a for a in answers if 0 < a[0] < 1 and a[1] < 1] for answers in exams]
    return [answers for answers in kept if answers]


def _marginal(grid: Sequence[float], answers: Answers, shift: float, logw: Sequence[float] | None) -> float:
    """log ∫ P(answers | δ) Normal(δ; shift, spread²) dδ on the grid; `logw` the normal's log weights there (None: δ = shift)."""
    if logw is None:
        return _loglik(answers, shift)
    terms = [w + ll for w, ll in zip(logw, grid, strict=True)]
    top = max(terms)
    return top + math.log(sum(math.exp(t - top) for t in terms))


def _log_weights(shift: float, spread: float) -> list[float] | None:
    """Normal(shift, spread²) on the δ grid, normalised, in logs; None for a spread under a grid step."""
    if spread < _STEP:
        return None
    logw = [-0.5 * ((d - shift) / spread) ** 2 for d in _DELTAS]
    top = max(logw)
    norm = top + math.log(sum(math.exp(w - top) for w in logw))
    return [w - norm for w in logw]


def _golden(f, low: float, high: float, rounds: int = 24) -> float:
    """The maximum of a unimodal f on [low, high]."""
    ratio = (math.sqrt(5) - 1) / 2
    a, b = high - ratio * (high - low), low + ratio * (high - low)
    fa, fb = f(a), f(b)
    for _ in range(rounds):
        if fa < fb:
            low, a, fa = a, b, fb
            b = low + ratio * (high - low)
            fb = f(b)
        else:
            high, b, fb = b, a, fa
            a = high - ratio * (high - low)
            fa = f(a)
    return (low + high) / 2


def fitted_error(exams: Sequence[Answers]) -> ModelError:
    """The shift and spread that best explain these exams' answers (maximum marginal likelihood, by coordinate ascent)."""
    informative = _informative(exams)
    if not informative:
        return NONE
    grids = [[_loglik(answers, d) for d in _DELTAS] for answers in informative]

    def total(shift: float, spread: float) -> float:
        logw = _log_weights(shift, spread)
        return sum(_marginal(grid, answers, shift, logw) for grid, answers in zip(grids, informative, strict=True))

    shift, spread = 0.0, 0.5
    for _ in range(4):
        shift = _golden(lambda m, s=spread: total(m, s), -MAX_SHIFT, MAX_SHIFT)
        spread = _golden(lambda s, m=shift: total(m, s), 0.0, MAX_SPREAD)
    if total(shift, 0.0) >= total(shift, spread):
        spread = 0.0
    return ModelError(shift, spread, len(informative))


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
