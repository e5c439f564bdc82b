"""Exam day: predicted recall and mock-exam score from the memory model, and the daily load up to it.

The prediction is FSRS's forgetting curve evaluated at the exam date for every card. Items never
seen have no memory to forget; in the recall-only figures they count at NEW_ITEM_PRIOR, a guess
among four options. The score forecast adds guessing (insight.guessing): a question is right with
P = R + (1 - R)·g, g from its own choices, and the score is a distribution (insight.readiness).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from certdrill.bank.items import Item
from certdrill.clock import day_bounds, local_day
from certdrill.drill.exam import DEFAULT_COUNT, MAX_SCALED, MIN_SCALED, PASS_SCALED, allocate, eligible, weight_of
from certdrill.insight.guessing import GuessModel, p_right
from certdrill.insight.readiness import ScoreForecast, forecast
from certdrill.insight.uncertainty import DEFAULT, NONE, ModelError
from certdrill.schedule.posterior import Belief, belief_recall
from certdrill.schedule.queue import ExamFocus, Limits, build_queue
from certdrill.schedule.scheduler import GOOD, CardState, SchedulerConfig, retrievability, review

NEW_ITEM_PRIOR = 0.25  # chance of getting an item never studied right: a guess among four options
PLAN_HORIZON_DAYS = 365  # an exam further out is planned for its first year only


def exam_focus(config: SchedulerConfig) -> ExamFocus | None:
    """How the queue orders reviews in the final days before `config`'s exam date, if it has one."""
    exam = config.exam_date
    if exam is None:
        return None
    return ExamFocus(exam, lambda card: retrievability(card, exam, config))


def recall_on(card: CardState | None, at: datetime, config: SchedulerConfig) -> float:
    return NEW_ITEM_PRIOR if card is None else retrievability(card, at, config)


def chance_right(item: Item, card: CardState | None, at: datetime, config: SchedulerConfig, guess: GuessModel | None, belief: Belief | None = None) -> float:
    """The chance of answering `item` right at `at`: recall or a lucky guess; recall only (new items at NEW_ITEM_PRIOR) without a model.

    With a `belief` (`guessing.recall_beliefs`) the recall is the belief's, lucky guesses not taken as memory.
    """
    if guess is None:
        return recall_on(card, at, config)
    if card is None:
        return guess.unseen(item)
    recall = retrievability(card, at, config) if belief is None else belief_recall(belief, at, config)
    return p_right(recall, guess.chance(item))


def exam_forecast(
    items: Sequence[Item],
    chances: Mapping[str, float],
    weights: Mapping[str, float],
    count: int = DEFAULT_COUNT,
    *,
    error: ModelError = NONE,
    guesses: Mapping[str, float] | None = None,
) -> ScoreForecast | None:
    """The score distribution of a `count`-question mock exam drawn from `items` as `exam` draws it; None without eligible items.

    `error` is the memory model's own (insight.uncertainty); `guesses` the floor it leaves alone (0 where missing).
    """
    by_topic: dict[str, list[float]] = {}
    floors: dict[str, list[float]] = {}
    for item in eligible(items, weights):
        by_topic.setdefault(item.topic, []).append(chances[item.id])
        floors.setdefault(item.topic, []).append((guesses or {}).get(item.id, 0.0))
    if not by_topic:
        return None
    seats = allocate({t: len(v) for t, v in by_topic.items()}, weights, count)
    return forecast(by_topic, seats, error=error, guesses_by_topic=floors)


def predicted_score(share_correct: float) -> int:
    """The mock exam's scale (exam.exam_score) for a predicted share of right answers."""
    return math.floor(MIN_SCALED + (MAX_SCALED - MIN_SCALED) * share_correct + 0.5)


@dataclass(frozen=True)
class Readiness:
    exam_day: date
    days_left: int
    recall: float  # predicted share of the bank's items recalled on exam day
    share_correct: float | None  # recall only: predicted share of a mock exam recalled; None without multiple-choice items
    forecast: ScoreForecast | None = None  # the score distribution of a mock exam on exam day (recall or guess)
    guess: GuessModel | None = None  # the guessing model behind `forecast`; None: recall only
    posterior: bool = False  # the forecast's recall is the posterior replay's (lucky guesses not taken as memory)

    @property
    def score(self) -> int | None:
        return None if self.share_correct is None else predicted_score(self.share_correct)

    @property
    def passes(self) -> bool | None:
        return None if self.score is None else self.score >= PASS_SCALED

    def to_json(self) -> dict:
        return {
            "date": self.exam_day.isoformat(),
            "days_left": self.days_left,
            "new_item_prior": NEW_ITEM_PRIOR,
            "predicted_recall": self.recall,
            "predicted_share_correct": self.share_correct,
            "predicted_score": self.score,
            "pass_score": PASS_SCALED,
            "passes": self.passes,
            "score_forecast": None if self.forecast is None else self.forecast.to_json() | {"model": self._model(), "uncertainty": self._uncertainty()},
        }

    def _model(self) -> object:
        if self.guess is None:
            return "recall only"
        return self.guess.to_json() | {"recall": "posterior replay: a right answer is recall or a lucky guess" if self.posterior else "plain FSRS"}

    def _uncertainty(self) -> dict[str, object]:
        error = NONE if self.forecast is None else self.forecast.error
        source = "none" if error == NONE else "default" if error.exams == 0 else f"default pooled with {error.exams} scored mock exams"
        return error.to_json() | {"default": {"shift": DEFAULT.shift, "spread": DEFAULT.spread}, "source": source}


def readiness(
    items: Sequence[Item],
    cards: Mapping[str, CardState],
    *,
    exam_day: date,
    exam_at: datetime,
    now: datetime,
    config: SchedulerConfig,
    weights: Mapping[str, float] | None = None,
    guess: GuessModel | None = GuessModel(),
    count: int = DEFAULT_COUNT,
    error: ModelError = NONE,
    beliefs: Mapping[str, Belief] | None = None,
) -> Readiness:
    """Recall over all items; the score over the items a mock exam draws from, each topic weighted as it draws them.

    `forecast` is the score distribution of a `count`-question exam on exam day, each question
    right by recall or by a guess under `guess` (recall only when None), allowing for the memory
    model's `error` (insight.uncertainty: fitted to the learner's mock exams, or the default).
    `beliefs` replace the plain cards' recall in the forecast (`guessing.recall_beliefs`).
    """
    at = max(exam_at, now)
    recall = {item.id: recall_on(cards.get(item.id), at, config) for item in items}
    weights = weights or {}
    by_topic: dict[str, list[float]] = {}
    for item in eligible(items, weights):
        by_topic.setdefault(item.topic, []).append(recall[item.id])
    total_weight = sum(weight_of(weights, t) for t in by_topic)
    share = sum(weight_of(weights, t) * sum(r) / len(r) for t, r in by_topic.items()) / total_weight if total_weight else None
    mean = sum(recall.values()) / len(recall) if recall else 0.0
    found = beliefs or {}
    chances = {item.id: chance_right(item, cards.get(item.id), at, config, guess, found.get(item.id)) for item in items}
    floors = {item.id: (0.0 if guess is None else guess.chance(item)) if item.id in cards else chances[item.id] for item in items}  # unseen: no recall to move
    predicted = exam_forecast(items, chances, weights, count, error=error, guesses=floors)
    return Readiness(exam_day, (exam_day - local_day(now)).days, mean, share, predicted, guess, posterior=beliefs is not None)


@dataclass(frozen=True)
class PlanDay:
    day: date
    due: int  # seen items due that day, before the review limit
    reviews: int  # of those, asked
    new: int  # items shown for the first time

    def to_json(self) -> dict:
        return {"date": self.day.isoformat(), "due": self.due, "reviews": self.reviews, "new": self.new}


@dataclass(frozen=True)
class Plan:
    days: tuple[PlanDay, ...]
    limits: Limits
    unseen: int  # never seen now
    unseen_at_end: int  # still never seen when the plan ends
    backlog_at_end: int  # due on the last day but cut by the review limit
    truncated: bool  # the exam is beyond PLAN_HORIZON_DAYS
    reviews_needed: int  # reviews a day that would leave no backlog (the busiest day without a limit)

    @property
    def all_seen(self) -> bool:
        return self.unseen_at_end == 0

    @property
    def backlog_cleared(self) -> bool:
        return self.backlog_at_end == 0

    @property
    def enough(self) -> bool:
        return self.all_seen and self.backlog_cleared

    @property
    def new_needed(self) -> int:
        """New items a day that would show every item at least once before the exam."""
        return math.ceil(self.unseen / len(self.days)) if self.days else self.unseen

    @property
    def last_new_day(self) -> date | None:
        return max((d.day for d in self.days if d.new), default=None)

    @property
    def mean_per_day(self) -> float:
        return sum(d.reviews + d.new for d in self.days) / len(self.days) if self.days else 0.0

    @property
    def peak(self) -> PlanDay | None:
        return max(self.days, key=lambda d: (d.reviews + d.new, -d.day.toordinal()), default=None)

    def to_json(self) -> dict:
        return {
            "assumes": "one session a day, every answer right",
            "limits": {"new_per_day": self.limits.new_per_day, "reviews_per_day": self.limits.reviews_per_day},
            "days_planned": len(self.days),
            "truncated": self.truncated,
            "mean_per_day": self.mean_per_day,
            "peak_per_day": (self.peak.reviews + self.peak.new) if self.peak else 0,
            "unseen": self.unseen,
            "unseen_at_exam": self.unseen_at_end,
            "backlog_at_exam": self.backlog_at_end,
            "all_seen": self.all_seen,
            "backlog_cleared": self.backlog_cleared,
            "enough": self.enough,
            "new_per_day_needed": self.new_needed,
            "reviews_per_day_needed": self.reviews_needed,
            "days": [d.to_json() for d in self.days],
        }


def plan(
    items: Sequence[Item],
    cards: Mapping[str, CardState],
    *,
    now: datetime,
    limits: Limits,
    config: SchedulerConfig,
    new_done_today: int = 0,
    reviews_done_today: int = 0,
    bounds: Callable[[datetime], tuple[datetime, datetime]] = day_bounds,
) -> Plan:
    """Run the real queue and scheduler forward, one session a day, every answer right, until the exam."""
    if config.exam_date is None:
        raise ValueError("a plan needs an exam date")
    days = _simulate(items, cards, now, limits, config, new_done_today, reviews_done_today, bounds)
    unseen = sum(1 for i in items if i.id not in cards)
    unseen_at_end = unseen - sum(d.new for d in days)
    backlog = days[-1].due - days[-1].reviews if days else 0
    needed = limits.reviews_per_day
    if backlog:
        free = _simulate(items, cards, now, replace(limits, reviews_per_day=10**9), config, new_done_today, 0, bounds)
        needed = max(d.reviews for d in free)
    truncated = bool(days) and days[-1].day < local_day(config.exam_date - timedelta(days=1))
    return Plan(tuple(days), limits, unseen, unseen_at_end, backlog, truncated, needed)


def _simulate(items, cards, now, limits, config, new_done_today, reviews_done_today, bounds) -> list[PlanDay]:
    cards = dict(cards)
    focus = exam_focus(config)
    out: list[PlanDay] = []
    for n in range(PLAN_HORIZON_DAYS):
        moment = now + timedelta(days=n)
        start, end = bounds(moment)
        if start >= config.exam_date:
            break

        def recall(card: CardState | None, at: datetime = moment) -> float:
            return retrievability(card, at, config)

        queue = build_queue(
            items,
            cards,
            now=moment,
            day_end=end,
            limits=limits,
            new_done_today=new_done_today if n == 0 else 0,
            reviews_done_today=reviews_done_today if n == 0 else 0,
            recall=recall,
            exam=focus,
        )
        for item in queue.items:
            cards[item.id] = review(cards.get(item.id), GOOD, moment, f"plan{n}:{item.id}", config)
        out.append(PlanDay(start.date(), queue.due_total, len(queue.due), len(queue.new)))
    return out
