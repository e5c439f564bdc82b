"""A study session as a pure state machine: which item is next, what an answer does.

It never reads the clock or the terminal: the caller passes `now` and what was typed, and
stores each Outcome before asking for the next item.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from certdrill.bank.items import Item
from certdrill.drill.grading import grade_answer
from certdrill.schedule.review_log import Review, ReviewKind, new_review_id
from certdrill.schedule.scheduler import AGAIN, CardState, Rating, SchedulerConfig, review

REQUEUE_GAP = 3


@dataclass(frozen=True)
class Outcome:
    review: Review
    card: CardState
    prior: CardState | None
    correct: bool | None


@dataclass
class TopicTally:
    answered: int = 0
    correct: int = 0


@dataclass
class Tally:
    answered: int = 0
    graded: int = 0
    correct: int = 0
    by_topic: dict[str, TopicTally] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        return 100.0 * self.correct / self.graded if self.graded else None


class Session:
    """Failed items come back a few questions later, until answered right."""

    def __init__(
        self,
        items: Iterable[Item],
        cards: dict[str, CardState],
        *,
        bank: str,
        kind: ReviewKind = "study",
        config: SchedulerConfig = SchedulerConfig(),
        rng: random.Random | None = None,
        session_id: str | None = None,
    ):
        self.pending: deque[Item] = deque(items)
        self.cards = cards
        self.bank = bank
        self.kind = kind
        self.config = config
        self.rng = rng or random.Random()
        self.session_id = session_id or new_review_id()
        self.tally = Tally()

    def next_item(self) -> Item | None:
        return self.pending[0] if self.pending else None

    @property
    def remaining(self) -> int:
        return len(self.pending)

    def choice_order(self, item: Item) -> tuple[int, ...]:
        """Display position → choice index, reshuffled at every showing (true/false stays put)."""
        order = list(range(len(item.choices)))
        if item.type in ("single", "multi"):
            self.rng.shuffle(order)
        return tuple(order)

    def answer(
        self, item: Item, now: datetime, *, chosen: tuple[int, ...] | None = None, rating: Rating | None = None, duration_ms: int | None = None
    ) -> Outcome:
        """Grade a multiple-choice answer (`chosen`, in file indices) or take a flashcard's self-rating."""
        if self.pending and self.pending[0].id == item.id:
            self.pending.popleft()
        correct: bool | None = None
        if item.is_choice:
            if chosen is None:
                raise ValueError("a multiple-choice answer needs the chosen indices")
            grade = grade_answer(item, chosen)
            correct, rating = grade.correct, grade.rating
        elif rating is None:
            raise ValueError("a flashcard needs a self-rating")
        prior = self.cards.get(item.id)
        rid = new_review_id(now)
        card = review(prior, rating, now, rid, self.config)
        self.cards[item.id] = card
        entry = Review(
            rid, item.id, self.bank, now, rating, tuple(sorted(chosen)) if chosen is not None else None, correct, duration_ms, self.kind, self.session_id
        )
        self._count(item, correct)
        if rating == AGAIN:
            self.pending.insert(min(REQUEUE_GAP, len(self.pending)), item)
        return Outcome(entry, card, prior, correct)

    def amend(self, outcome: Outcome, rating: Rating) -> Outcome:
        """Change the rating of the answer just given (Hard/Easy override); the card is recomputed."""
        card = review(outcome.prior, rating, outcome.review.reviewed_at, outcome.review.id, self.config)
        self.cards[outcome.review.item_id] = card
        return replace(outcome, review=replace(outcome.review, rating=rating), card=card)

    def _count(self, item: Item, correct: bool | None) -> None:
        self.tally.answered += 1
        topic = self.tally.by_topic.setdefault(item.topic, TopicTally())
        topic.answered += 1
        if correct is not None:
            self.tally.graded += 1
            self.tally.correct += int(correct)
            topic.correct += int(correct)
