"""Progress figures from the review log and the cards: pure functions; the CLI fetches, the UI draws.

Days are local calendar days: every function that groups by day takes `day_of` (a moment → its
date), so tests and other time zones pass their own.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from certdrill.bank.items import Entry, Item
from certdrill.clock import local_day, local_midnight, to_ms
from certdrill.drill.missed import is_miss
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import MATURE_DAYS, CardState, SchedulerConfig, is_mature, retrievability, review

HEATMAP_WEEKS = 16
FORECAST_DAYS = 30

DayOf = Callable[[datetime], date]


@dataclass(frozen=True)
class Totals:
    reviews: int = 0
    time_ms: int = 0
    graded: int = 0  # multiple-choice answers (flashcards are self-rated, not graded)
    right: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.right / self.graded if self.graded else None

    def to_json(self) -> dict:
        return {"reviews": self.reviews, "time_ms": self.time_ms, "graded": self.graded, "right": self.right, "accuracy": self.accuracy}


def totals(reviews: Iterable[Review]) -> Totals:
    count = time_ms = graded = right = 0
    for r in reviews:
        count += 1
        time_ms += r.duration_ms or 0
        if r.correct is not None:
            graded += 1
            right += r.correct
    return Totals(count, time_ms, graded, right)


@dataclass(frozen=True)
class Retention:
    """True retention: of the recalls asked of mature items, the share that were right."""

    mature: int
    right: int

    @property
    def value(self) -> float | None:
        return self.right / self.mature if self.mature else None

    def to_json(self) -> dict:
        return {"mature_days": MATURE_DAYS, "mature_recalls": self.mature, "right": self.right, "true_retention": self.value}


def true_retention(reviews: Iterable[Review], config: SchedulerConfig = SchedulerConfig()) -> Retention:
    """Replays each item's log to know, before every answer, whether the card was in review with an interval of 21+ days."""
    by_item: dict[str, list[Review]] = {}
    for r in reviews:
        by_item.setdefault(r.item_id, []).append(r)
    mature = right = 0
    for log in by_item.values():
        card: CardState | None = None
        for r in sorted(log, key=lambda r: (r.reviewed_at, r.id)):
            if is_mature(card):
                mature += 1
                right += not is_miss(r)
            card = review(card, r.rating, r.reviewed_at, r.id, config)
    return Retention(mature, right)


def counted_retention(counts: Iterable[tuple[int, int]]) -> Retention:
    """`true_retention` from counts kept per card as reviews come in: (mature recalls, right ones)."""
    mature = right = 0
    for recalls, ok in counts:
        mature += recalls
        right += ok
    return Retention(mature, right)


def daily_counts(reviews: Iterable[Review], day_of: DayOf = local_day) -> Counter[date]:
    return Counter(day_of(r.reviewed_at) for r in reviews)


def day_starts(first: date, last: date) -> list[datetime]:
    """The start of each local day from `first` to `last`, and of the day after: edges to count reviews between."""
    return [local_midnight(first + timedelta(days=n)) for n in range((last - first).days + 2)]


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive days with at least one review, ending today, or yesterday if today has none yet."""
    active = set(days)
    day = today if today in active else today - timedelta(days=1)
    count = 0
    while day in active:
        count += 1
        day -= timedelta(days=1)
    return count


@dataclass(frozen=True)
class Heatmap:
    """Reviews a day for whole weeks (Monday first) up to today; later days of this week are None."""

    start: date  # a Monday
    today: date
    counts: dict[date, int]

    @property
    def weeks(self) -> list[list[int | None]]:
        n_weeks = (self.today - self.start).days // 7 + 1
        return [[self._cell(self.start + timedelta(days=7 * w + d)) for d in range(7)] for w in range(n_weeks)]

    def _cell(self, day: date) -> int | None:
        return None if day > self.today else self.counts.get(day, 0)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.today - self.start).days + 1)]

    def to_json(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.today.isoformat(), "counts": {d.isoformat(): self.counts.get(d, 0) for d in self.days()}}


def heatmap(counts: Counter[date] | dict[date, int], today: date, weeks: int = HEATMAP_WEEKS) -> Heatmap:
    start = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    return Heatmap(start, today, {d: n for d, n in counts.items() if start <= d <= today})


def forecast(cards: Iterable[CardState], today: date, days: int = FORECAST_DAYS, day_start: Callable[[date], datetime] = local_midnight) -> dict[date, int]:
    """Cards falling due each day from today on; anything overdue counts today."""
    return due_forecast((to_ms(card.due) for card in cards), today, days, day_start)


def due_forecast(dues: Iterable[int], today: date, days: int = FORECAST_DAYS, day_start: Callable[[date], datetime] = local_midnight) -> dict[date, int]:
    """`forecast` from the due dates alone, in epoch ms as stored (day edges are whole ms, so it is exact)."""
    ends = [to_ms(day_start(today + timedelta(days=n + 1))) for n in range(days)]
    counts = [0] * (days + 1)
    for due in dues:
        counts[bisect_right(ends, due)] += 1
    return {today + timedelta(days=n): counts[n] for n in range(days)}


@dataclass(frozen=True)
class TopicMastery:
    topic: str
    title: str
    items: int
    seen: int
    recall: float  # mean predicted recall now; items never seen count 0

    def to_json(self) -> dict:
        return {"topic": self.topic, "title": self.title, "items": self.items, "seen": self.seen, "recall": self.recall}


def mastery(
    items: Sequence[Item | Entry],
    cards: dict[str, CardState],
    now: datetime,
    config: SchedulerConfig = SchedulerConfig(),
    title: Callable[[str], str] = str,
) -> list[TopicMastery]:
    """Per topic, in bank order: how much of it you would recall right now."""
    return topic_mastery(items, {item_id: retrievability(card, now, config) for item_id, card in cards.items()}, title)


def topic_mastery(items: Sequence[Item | Entry], recalls: Mapping[str, float], title: Callable[[str], str] = str) -> list[TopicMastery]:
    """`mastery` from each studied item's predicted recall now (`scheduler.retrievabilities`), by item id."""
    by_topic: dict[str, list[Item | Entry]] = {}
    for item in items:
        by_topic.setdefault(item.topic, []).append(item)
    rows = []
    for topic, members in by_topic.items():
        seen = [recalls[i.id] for i in members if i.id in recalls]
        rows.append(TopicMastery(topic, title(topic), len(members), len(seen), sum(seen) / len(members)))
    return rows
