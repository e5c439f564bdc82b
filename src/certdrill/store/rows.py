"""Rows as the store keeps them, named: reviews, cards, and what a replay reads; and their mapping to the core's types."""

from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple, cast

from certdrill.clock import from_ms, to_ms
from certdrill.schedule.review_log import Review, ReviewKind, ReviewRow
from certdrill.schedule.scheduler import RATINGS, STATES, CardState


class CardRow(NamedTuple):
    """A row of the card cache: the scheduler's state, when the item was first answered, and the
    recalls asked of it while mature with how many were right (None: not counted yet)."""

    item_id: str
    bank: str
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: int
    last_review: int | None
    reps: int
    lapses: int
    first_review: int
    mature_recalls: int | None
    mature_right: int | None


class ReplayRow(NamedTuple):
    """What a replay reads of a review: the `reviews_replay` index's columns, in its order."""

    item_id: str
    reviewed_at: int
    id: str
    rating: int
    correct: int | None
    bank: str


REVIEW_COLUMNS = ", ".join(ReviewRow._fields)
REVIEW_MARKS = ",".join("?" * len(ReviewRow._fields))
CARD_COLUMNS = ", ".join(CardRow._fields)
CARD_MARKS = ",".join("?" * len(CardRow._fields))
REPLAY_COLUMNS = ", ".join(ReplayRow._fields)
REPLAY_ORDER = "ORDER BY item_id, reviewed_at, id"


def row_review(row: tuple) -> Review:
    r = ReviewRow._make(row)
    return Review(
        r.id,
        r.item_id,
        r.bank,
        from_ms(r.reviewed_at),
        RATINGS[r.rating],
        tuple(json.loads(r.answer)) if r.answer is not None else None,
        None if r.correct is None else bool(r.correct),
        r.duration_ms,
        cast(ReviewKind, r.kind),  # written from a Review, or from an import checked against KINDS
        r.session_id,
    )


def card_row(item_id: str, bank: str, c: CardState, first_review: datetime, mature: tuple[int | None, int | None] = (None, None)) -> CardRow:
    """`mature`: recalls asked of the card while mature, and how many were right (None: not known)."""
    last = to_ms(c.last_review) if c.last_review else None
    return CardRow(item_id, bank, c.state, c.step, c.stability, c.difficulty, to_ms(c.due), last, c.reps, c.lapses, to_ms(first_review), *mature)


def row_card(row: tuple) -> CardState:
    r = CardRow._make(row)
    last = from_ms(r.last_review) if r.last_review is not None else None
    return CardState(STATES[r.state], r.step, r.stability, r.difficulty, from_ms(r.due), last, r.reps, r.lapses)


def same_schedule(stored: CardRow, card: CardState) -> bool:
    """The stored card's scheduling state is `card`'s, compared as stored (whole milliseconds)."""
    mine = card_row("", "", card, card.due)
    return (stored.state, stored.step, stored.stability, stored.difficulty, stored.due, stored.last_review, stored.reps, stored.lapses) == (
        mine.state,
        mine.step,
        mine.stability,
        mine.difficulty,
        mine.due,
        mine.last_review,
        mine.reps,
        mine.lapses,
    )


def row_key(row: tuple) -> tuple:
    """A total order on review rows (None first), so a conflict between two copies of one review
    resolves the same way on every device: merge keeps the greater row."""
    return tuple((0, 0) if v is None else (1, v) for v in row)
