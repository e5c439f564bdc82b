"""The mock-exam score as a distribution: a central value, an 80% interval and the chance of passing.

A mock exam draws a fixed number of questions from each topic (`drill.exam.allocate`), without
replacement, and each drawn question is right with its own chance P. The number right in a topic
is then exact: the Poisson-binomial distribution of the n drawn items' chances, averaged over every
draw of n of the topic's N items (one generating function, `topic_distribution`). Topics are independent, so their
distributions convolve. A topic of more than EXACT_ITEMS items is taken as n draws with
replacement (binomial at the topic's mean P), which differs from the exact one by under n/N.

That takes every P as exact. With a model error (insight.uncertainty) the distribution is mixed
over one shift of every question's recall, on the log-odds scale, shared by the whole exam: the
memory model's own error, which does not average out over the questions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from certdrill.drill.exam import MIN_SCALED, PASS_SCALED, exam_score
from certdrill.insight.guessing import log_loss, p_right
from certdrill.insight.uncertainty import NONE, ModelError, learner_error, shifted

EXACT_ITEMS = 500
LEVEL = 0.8  # the interval's nominal coverage: 10% of the chance below it, 10% above (mid-p)


def poisson_binomial(chances: Sequence[float]) -> list[float]:
    """P(exactly k right) for independent questions right with the given chances, k = 0..len."""
    dist = [1.0]
    for p in chances:
        q = 1.0 - p
        nxt = [0.0] * (len(dist) + 1)
        for k, w in enumerate(dist):
            nxt[k] += w * q
            nxt[k + 1] += w * p
        dist = nxt
    return dist


def binomial(n: int, p: float) -> list[float]:
    return [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]


def topic_distribution(chances: Sequence[float], seats: int) -> list[float]:
    """Right answers among `seats` questions drawn without replacement from items with these chances.

    Averaged over every draw of `seats` items: the coefficient of t^seats in Π (1 + t·(q + p·z)),
    divided by C(items, seats), read off as a polynomial in z. O(items × seats²), all terms positive.
    """
    n_items = len(chances)
    seats = min(seats, n_items)
    if seats <= 0:
        return [1.0]
    if seats == n_items:
        return poisson_binomial(chances)
    if n_items > EXACT_ITEMS:
        return binomial(seats, sum(chances) / n_items)
    poly = [[1.0]] + [[0.0] * (j + 1) for j in range(1, seats + 1)]  # poly[j][k]: t^j z^k
    for p in chances:
        q = 1.0 - p
        for j in range(seats, 0, -1):
            row, below = poly[j], poly[j - 1]
            for k, w in enumerate(below):
                if w:
                    row[k] += w * q
                    row[k + 1] += w * p
    draws = math.comb(n_items, seats)
    return [w / draws for w in poly[seats]]


def convolve(a: Sequence[float], b: Sequence[float]) -> list[float]:
    out = [0.0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] += x * y
    return out


@dataclass(frozen=True)
class ScoreForecast:
    """The distribution of right answers on one mock exam, read on the 100-1000 scale."""

    distribution: tuple[float, ...]  # P(k right), k = 0..questions
    error: ModelError = NONE  # the memory model's error mixed in (insight.uncertainty)

    @property
    def questions(self) -> int:
        return len(self.distribution) - 1

    @property
    def expected_right(self) -> float:
        return sum(k * w for k, w in enumerate(self.distribution))

    @property
    def score(self) -> int:
        """The central value: the score of the expected share right (rounded as the exam rounds)."""
        n = self.questions
        return math.floor(MIN_SCALED + 900 * self.expected_right / n + 0.5) if n else MIN_SCALED

    @property
    def sd(self) -> float:
        """The standard deviation of the score, in points of the 100-1000 scale."""
        n, mean = self.questions, self.expected_right
        return 900 / n * math.sqrt(max(0.0, sum(w * (k - mean) ** 2 for k, w in enumerate(self.distribution)))) if n else 0.0

    def quantile(self, q: float) -> int:
        """The lowest score whose cumulative chance reaches q."""
        total = 0.0
        for k, w in enumerate(self.distribution):
            total += w
            if total >= q - 1e-12:
                return exam_score(k, self.questions)
        return exam_score(self.questions, self.questions)

    @property
    def interval(self) -> tuple[int, int]:
        """The mid-p interval: each tail holds (1 − LEVEL) / 2, counting half the chance of the score at its end.

        Scores come in steps of 900 / questions, so "at least LEVEL" (`conservative_interval`)
        often holds 95% or more; mid-p holds about LEVEL, as the learner reads it.
        """
        tail, dist, n = (1 - LEVEL) / 2, self.distribution, self.questions
        below = above = 0.0
        low = high = None
        for k, w in enumerate(dist):
            if low is None and below + w / 2 >= tail - 1e-12:
                low = k
            below += w
        for k in range(n, -1, -1):
            if high is None and above + dist[k] / 2 >= tail - 1e-12:
                high = k
            above += dist[k]
        low, high = low or 0, n if high is None else high
        return exam_score(low, n), exam_score(max(low, high), n)

    @property
    def conservative_interval(self) -> tuple[int, int]:
        """From the 10th to the 90th percentile, ends included: at least LEVEL (the rule before mid-p, for comparison)."""
        tail = (1 - LEVEL) / 2
        return self.quantile(tail), self.quantile(1 - tail)

    @property
    def coverage(self) -> float:
        """The chance the interval holds the score: about LEVEL (scores come in steps of 900 / questions)."""
        low, high = self.interval
        return sum(w for k, w in enumerate(self.distribution) if low <= exam_score(k, self.questions) <= high)

    @property
    def pass_chance(self) -> float:
        return sum(w for k, w in enumerate(self.distribution) if exam_score(k, self.questions) >= PASS_SCALED)

    def to_json(self) -> dict[str, object]:
        low, high = self.interval
        return {
            "questions": self.questions,
            "score": self.score,
            "sd": self.sd,
            "interval": {"level": LEVEL, "low": low, "high": high, "coverage": self.coverage, "width": high - low},
            "pass_chance": self.pass_chance,
            "pass_score": PASS_SCALED,
        }


def forecast(
    chances_by_topic: Mapping[str, Sequence[float]],
    seats: Mapping[str, int],
    *,
    error: ModelError = NONE,
    guesses_by_topic: Mapping[str, Sequence[float]] | None = None,
) -> ScoreForecast:
    """The exam's score distribution: per topic, `seats[topic]` questions drawn from items right with these chances.

    With a model `error`, mixed over the shared shift of recall (the guess chances, 0 where not
    given, are the floor the shift leaves alone).
    """
    guesses = guesses_by_topic or {}
    mixed = [0.0] * (sum(min(seats.get(t, 0), len(c)) for t, c in chances_by_topic.items() if seats.get(t, 0) > 0) + 1)
    for delta, weight in error.nodes():
        dist: list[float] = [1.0]
        for topic in sorted(chances_by_topic):
            chances = chances_by_topic[topic]
            floors = guesses.get(topic) or [0.0] * len(chances)
            moved = [shifted(p, g, delta) for p, g in zip(chances, floors, strict=True)]
            dist = convolve(dist, topic_distribution(moved, seats.get(topic, 0)))
        for k, w in enumerate(dist):
            mixed[k] += weight * w
    return ScoreForecast(tuple(mixed), error)


def drawn_forecast(chances: Sequence[float], *, error: ModelError = NONE, guesses: Sequence[float] | None = None) -> ScoreForecast:
    """The score distribution of an exam already drawn: every question asked, each right with its chance."""
    everything = {"": list(chances)}
    return forecast(everything, {"": len(chances)}, error=error, guesses_by_topic=None if guesses is None else {"": list(guesses)})


@dataclass(frozen=True)
class ExamPrediction:
    """What was predicted for one mock exam as drawn, and, once it is scored, what happened: the learner's own calibration data."""

    score: int
    low: int
    high: int
    pass_chance: float
    questions: tuple[tuple[str, float, float], ...]  # by position: item id, predicted recall R, guess chance g
    actual: int | None = None  # the scaled score; None until scored
    right: tuple[bool, ...] | None = None  # by position; an unanswered question counts wrong
    error: ModelError = NONE  # the model error the prediction allowed for (none in predictions older than it)

    @classmethod
    def of(cls, questions: Sequence[tuple[str, float, float]], *, error: ModelError = NONE) -> ExamPrediction:
        f = drawn_forecast([p_right(r, g) for _, r, g in questions], error=error, guesses=[g for _, _, g in questions])
        low, high = f.interval
        return cls(f.score, low, high, f.pass_chance, tuple(questions), error=error)

    def scored(self, actual: int, right: Sequence[bool]) -> ExamPrediction:
        return replace(self, actual=actual, right=tuple(right))

    @property
    def inside(self) -> bool | None:
        return None if self.actual is None else self.low <= self.actual <= self.high

    def to_json(self) -> dict[str, object]:
        return {
            "predicted": {"score": self.score, "low": self.low, "high": self.high, "level": LEVEL, "pass_chance": self.pass_chance, **self._error_json()},
            "questions": [list(q) for q in self.questions],
            "actual": self.actual,
            "right": None if self.right is None else list(self.right),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExamPrediction:
        p = data["predicted"]
        right = data.get("right")
        questions = tuple((str(i), float(r), float(g)) for i, r, g in data["questions"])
        right = None if right is None else tuple(right)
        error = ModelError(float(p.get("shift", 0.0)), float(p.get("spread", 0.0)), int(p.get("error_exams", 0)))
        return cls(int(p["score"]), int(p["low"]), int(p["high"]), float(p["pass_chance"]), questions, data.get("actual"), right, error)

    def _error_json(self) -> dict[str, object]:
        return {"shift": self.error.shift, "spread": self.error.spread, "error_exams": self.error.exams}

    @property
    def answers(self) -> list[tuple[float, float, bool]]:
        """(R, g, right) per question once scored: what the spread is fitted to."""
        return [(r, g, right) for (_, r, g), right in zip(self.questions, self.right or (), strict=False)]


def error_for(predictions: Sequence[ExamPrediction]) -> ModelError:
    """The model error for a learner with these kept predictions, oldest first (the default until one is scored)."""
    return learner_error([p.answers for p in predictions if p.actual is not None and p.right is not None])


MIN_EXAMS_FOR_CALIBRATION = 3


@dataclass(frozen=True)
class Calibration:
    """How the predictions did on the learner's own scored mock exams."""

    exams: int
    bias: float  # mean predicted − actual score
    mean_abs_error: float
    inside: float  # share of actual scores inside the 80% interval
    brier: float  # of the pass chance against passed or not
    log_loss_guess: float  # per question, P = R + (1 − R)·g
    log_loss_recall: float  # per question, P = R (recall only)

    def to_json(self) -> dict[str, object]:
        return {
            "exams": self.exams,
            "bias": self.bias,
            "mean_abs_error": self.mean_abs_error,
            "inside_interval": self.inside,
            "brier_pass": self.brier,
            "log_loss": {"recall_or_guess": self.log_loss_guess, "recall_only": self.log_loss_recall},
        }


def calibration(predictions: Sequence[ExamPrediction]) -> Calibration | None:
    """None until MIN_EXAMS_FOR_CALIBRATION exams with a prediction have been scored."""
    done = [p for p in predictions if p.actual is not None and p.right is not None]
    if len(done) < MIN_EXAMS_FOR_CALIBRATION:
        return None
    errors = [p.score - p.actual for p in done if p.actual is not None]
    answers = [(r, g, right) for p in done for (_, r, g), right in zip(p.questions, p.right or (), strict=False)]
    return Calibration(
        exams=len(done),
        bias=sum(errors) / len(errors),
        mean_abs_error=sum(abs(e) for e in errors) / len(errors),
        inside=sum(bool(p.inside) for p in done) / len(done),
        brier=sum((p.pass_chance - ((p.actual or 0) >= PASS_SCALED)) ** 2 for p in done) / len(done),
        log_loss_guess=log_loss((p_right(r, g), right) for r, g, right in answers),
        log_loss_recall=log_loss((r, right) for r, _, right in answers),
    )
