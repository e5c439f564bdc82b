"""Which items to ask today, in which order: a pure function of the bank, the cards and the limits."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from certdrill.bank.items import Item
from certdrill.schedule.scheduler import EXAM_FINAL_DAYS, CardState


@dataclass(frozen=True)
class Limits:
    new_per_day: int = 20
    reviews_per_day: int = 200


@dataclass(frozen=True)
class ExamFocus:
    """The last days before an exam: what matters then is recall on exam day, not today."""

    at: datetime
    recall: Callable[[CardState], float]  # predicted recall at `at`
    final_days: int = EXAM_FINAL_DAYS

    def applies(self, now: datetime) -> bool:
        return self.at - timedelta(days=self.final_days) <= now < self.at


@dataclass(frozen=True)
class Queue:
    due: tuple[Item, ...]
    new: tuple[Item, ...]
    due_total: int  # due today before the review limit cut
    new_total: int  # never seen, before the new limit cut

    @property
    def items(self) -> tuple[Item, ...]:
        return self.due + self.new


def build_queue(
    items: Sequence[Item],
    cards: dict[str, CardState],
    *,
    now: datetime,
    day_end: datetime,
    limits: Limits,
    new_done_today: int = 0,
    reviews_done_today: int = 0,
    recall: Callable[[CardState], float],
    include_unreviewed: bool = False,
    exam: ExamFocus | None = None,
    seen: Collection[str] | None = None,
) -> Queue:
    """Due items first, lowest predicted recall first; then new items in bank order, topics mixed.

    In the final days before an exam the due items are ordered by predicted recall on exam day
    instead, so that when the review limit cuts the list, what is cut is what will hold anyway.
    `cards` need hold only the cards due before `day_end` if `seen` names every item that has a
    card (a big collection then need not be read whole).
    """
    seen = cards if seen is None else seen
    active = [i for i in items if include_unreviewed or i.status == "active"]
    due = [i for i in active if i.id in cards and cards[i.id].due < day_end]
    risk = exam.recall if exam is not None and exam.applies(now) else recall
    due.sort(key=lambda i: (risk(cards[i.id]), cards[i.id].due, i.id))
    fresh = [i for i in active if i.id not in seen]
    review_room = max(0, limits.reviews_per_day - reviews_done_today)
    new_room = max(0, limits.new_per_day - new_done_today)
    return Queue(tuple(due[:review_room]), tuple(interleave_topics(fresh)[:new_room]), len(due), len(fresh))


def interleave_topics(items: Sequence[Item]) -> list[Item]:
    """Round-robin over topics, keeping file order within each: a new session touches every topic."""
    by_topic: dict[str, list[Item]] = {}
    for item in items:
        by_topic.setdefault(item.topic, []).append(item)
    lanes = list(by_topic.values())
    out: list[Item] = []
    for depth in range(max((len(lane) for lane in lanes), default=0)):
        out.extend(lane[depth] for lane in lanes if depth < len(lane))
    return out
