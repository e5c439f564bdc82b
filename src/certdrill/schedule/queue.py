"""Which items to ask today, in which order: a pure function of the bank, the cards and the limits."""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from certdrill.bank.items import Item
from certdrill.schedule.scheduler import EXAM_FINAL_DAYS, LEARNING_STATES, CardState


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

    @property
    def reviews_held(self) -> int:
        """Due today but held back by the review limit."""
        return self.due_total - len(self.due)

    @property
    def new_held(self) -> int:
        """Never seen and not in today's queue: the new-item limit keeps them for later days."""
        return self.new_total - len(self.new)


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
    order_new: Callable[[Sequence[Item]], list[Item]] | None = None,
    learn_ahead: timedelta | None = None,
) -> Queue:
    """Due items first, lowest predicted recall first; then new items in `order_new`'s order
    (default: `interleave_topics`).

    In the final days before an exam the due items are ordered by predicted recall on exam day
    instead, so that when the review limit cuts the list, what is cut is what will hold anyway.
    `cards` need hold only the cards due before `day_end` if `seen` names every item that has a
    card (a big collection then need not be read whole).
    """
    seen = cards if seen is None else seen
    active = [i for i in items if include_unreviewed or i.status == "active"]
    due = [i for i in active if (card := cards.get(i.id)) is not None and card.due < day_end and card.due < _due_by(card, now, day_end, learn_ahead)]
    risk = exam.recall if exam is not None and exam.applies(now) else recall
    due.sort(key=lambda i: (risk(cards[i.id]), cards[i.id].due, i.id))
    fresh = [i for i in active if i.id not in seen]
    review_room = max(0, limits.reviews_per_day - reviews_done_today)
    new_room = max(0, limits.new_per_day - new_done_today)
    ordered = (order_new or interleave_topics)(fresh)
    return Queue(tuple(due[:review_room]), tuple(ordered[:new_room]), len(due), len(fresh))


NEW_ORDERS = ("mixed", "file")


def new_item_order(order: str, seed: str) -> Callable[[Sequence[Item]], list[Item]]:
    """The order new items come in: "mixed" (`mix_new`, from `seed`) or "file" (`interleave_topics`:
    the topic files in turn, each in its own order)."""
    if order == "file":
        return interleave_topics
    if order != "mixed":
        raise ValueError(f"unknown new-item order {order!r}")
    return lambda items: mix_new(items, random.Random(seed))


def mix_new(items: Sequence[Item], rng: random.Random) -> list[Item]:
    """Round-robin over topics; within a topic, round-robin over its item types; file order within
    a type. Topics and types are put in an order drawn from `rng`, and each topic starts its types
    one further along than the topic before it: from the first session on, a new item changes topic
    at every step, and the first round already spans the types. The same seed and the same items
    give the same order."""
    by_topic: dict[str, list[Item]] = {}
    for item in items:
        by_topic.setdefault(item.topic, []).append(item)
    topics = sorted(by_topic)
    rng.shuffle(topics)
    kinds = sorted({i.type for i in items})
    rng.shuffle(kinds)
    per_topic: list[Item] = []
    for position, topic in enumerate(topics):
        rank = {kind: (n - position) % len(kinds) for n, kind in enumerate(kinds)}
        own = sorted(by_topic[topic], key=lambda i: rank[i.type])
        per_topic.extend(_round_robin(own, lambda i: i.type))
    return _round_robin(per_topic, lambda i: i.topic)


def _due_by(card: CardState, now: datetime, day_end: datetime, learn_ahead: timedelta | None) -> datetime:
    """Reviews count as due today; with `learn_ahead`, a (re)learning step only once it is due
    within that limit (a step hours away is taken then, not now). Never after `day_end`, so
    `build_queue` passes over a card due after it without asking."""
    if learn_ahead is None or card.state not in LEARNING_STATES:
        return day_end
    return min(day_end, now + learn_ahead + timedelta(microseconds=1))


def interleave_topics(items: Sequence[Item]) -> list[Item]:
    """Round-robin over topics, keeping file order within each: a new session touches every topic."""
    return _round_robin(items, lambda i: i.topic)


def _round_robin(items: Sequence[Item], lane_of: Callable[[Item], Hashable]) -> list[Item]:
    """One item from each lane in turn (lanes in order of first appearance, items in order within one)."""
    by_lane: dict[Hashable, list[Item]] = {}
    for item in items:
        by_lane.setdefault(lane_of(item), []).append(item)
    lanes = list(by_lane.values())
    out: list[Item] = []
    for depth in range(max((len(lane) for lane in lanes), default=0)):
        out.extend(lane[depth] for lane in lanes if depth < len(lane))
    return out
