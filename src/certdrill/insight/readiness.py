"""The mock-exam score as a distribution: a central value, an 80% interval and the chance of passing.

A mock exam draws a fixed number of questions from each topic (`drill.exam.allocate`), without
replacement, and each drawn question is right with its own chance P. The number right in a topic
is then exact: the Poisson-binomial distribution of how many of the topic's N items would be right,
mixed over which n of them the exam draws (hypergeometric). Topics are independent, so their
distributions convolve. A topic of more than EXACT_ITEMS items is taken as n draws with
replacement (binomial at the topic's mean P), which differs from the exact one by under n/N.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from certdrill.drill.exam import MIN_SCALED, PASS_SCALED, exam_score

EXACT_ITEMS = 500
LEVEL = 0.8  # the interval's nominal coverage: from the 10th to the 90th percentile


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
    """Right answers among `seats` questions drawn without replacement from items with these chances."""
    n_items = len(chances)
    seats = min(seats, n_items)
    if seats <= 0:
        return [1.0]
    if seats == n_items:
        return poisson_binomial(chances)
    if n_items > EXACT_ITEMS:
        return binomial(seats, sum(chances) / n_items)
    every = poisson_binomial(chances)
    draws = math.comb(n_items, seats)
    out = [0.0] * (seats + 1)
    for known, weight in enumerate(every):
        if weight < 1e-300:
            continue
        for k in range(max(0, seats - (n_items - known)), min(seats, known) + 1):
            out[k] += weight * math.comb(known, k) * math.comb(n_items - known, seats - k) / draws
    return out


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
        tail = (1 - LEVEL) / 2
        return self.quantile(tail), self.quantile(1 - tail)

    @property
    def coverage(self) -> float:
        """The chance the interval holds the score: at least LEVEL (scores come in steps of 900 / questions)."""
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
            "interval": {"level": LEVEL, "low": low, "high": high, "coverage": self.coverage},
            "pass_chance": self.pass_chance,
            "pass_score": PASS_SCALED,
        }


def forecast(chances_by_topic: Mapping[str, Sequence[float]], seats: Mapping[str, int]) -> ScoreForecast:
    """The exam's score distribution: per topic, `seats[topic]` questions drawn from items right with these chances."""
    dist: list[float] = [1.0]
    for topic in sorted(chances_by_topic):
        dist = convolve(dist, topic_distribution(chances_by_topic[topic], seats.get(topic, 0)))
    return ScoreForecast(tuple(dist))


def drawn_forecast(chances: Sequence[float]) -> ScoreForecast:
    """The score distribution of an exam already drawn: every question asked, each right with its chance."""
    return ScoreForecast(tuple(poisson_binomial(chances)))
