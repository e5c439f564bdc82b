"""One answered question: the unit of the append-only log that everything else is rebuilt from."""

from __future__ import annotations

import itertools
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple, get_args

from certdrill.clock import to_ms
from certdrill.schedule.scheduler import Rating, ReviewEvent

# What asked the question (an import keeps the kind it came with); `cram` is practice ahead of the
# due date, which FSRS takes as an early review (see docs/architecture.md, "Cram").
ReviewKind = Literal["study", "missed", "exam", "import", "cram"]
KINDS: tuple[ReviewKind, ...] = get_args(ReviewKind)
UNDOABLE_KINDS: tuple[ReviewKind, ...] = tuple(k for k in KINDS if k != "exam")  # a mock exam's answers belong to its score


@dataclass(frozen=True, slots=True)
class Review:
    id: str
    item_id: str
    bank: str
    reviewed_at: datetime
    rating: Rating
    answer: tuple[int, ...] | None  # chosen choice indices in file order; None for flashcards
    correct: bool | None  # None for self-graded flashcards
    duration_ms: int | None
    kind: ReviewKind = "study"
    session_id: str | None = None

    def event(self) -> ReviewEvent:
        return ReviewEvent(self.id, self.reviewed_at, self.rating)


class ReviewRow(NamedTuple):
    """A review as a flat row, as the store keeps it and export reads it: time in ms since the
    epoch, the answer as compact JSON, correct as 0/1. The fields are the store's columns."""

    id: str
    item_id: str
    bank: str
    reviewed_at: int
    rating: int
    answer: str | None
    correct: int | None
    duration_ms: int | None
    kind: str
    session_id: str | None


def review_row(r: Review) -> ReviewRow:
    answer = json.dumps(list(r.answer), separators=(",", ":")) if r.answer is not None else None
    correct = None if r.correct is None else int(r.correct)
    return ReviewRow(r.id, r.item_id, r.bank, to_ms(r.reviewed_at), r.rating, answer, correct, r.duration_ms, r.kind, r.session_id)


_sequence = itertools.count()


def new_review_id(at: datetime | None = None, *, after: str | None = None) -> str:
    """Unique and time-ordered (ms, then a sequence, then randomness), like UUIDv7.

    Replay sorts by (time, id): answers given within one millisecond, or under a frozen clock,
    still replay in the order they were given. The sequence counts within this process; given
    `after` (the latest id logged, by any process), an id of the same millisecond sorts after it.
    """
    ms = (to_ms(at) if at is not None else 0) & 0xFFFFFFFFFFFF
    sequence = next(_sequence) & 0xFFFF
    prefix = f"{ms:012x}"
    if after is not None and after[:12] == prefix:
        try:
            sequence = max(sequence, int(after[12:16], 16) + 1) & 0xFFFF
        except ValueError:
            pass  # an id from elsewhere (an import) that does not follow this layout
    return f"{prefix}{sequence:04x}{secrets.token_hex(8)}"
