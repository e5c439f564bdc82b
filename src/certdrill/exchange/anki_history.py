"""certdrill's reviews as Anki revlog entries (pure), for `export --format anki --with-progress`.

Each review is replayed through certdrill's scheduler to know what Anki would have logged: the
kind (learning for a card's first answers, review, relearning after a lapse), the interval it set
(days, or negative seconds for a step) and the one before. The button is the rating (1–4). Anki's
FSRS starts a card's history at its first learning entry, so a card's first answer is always
logged as learning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from certdrill.review_log import Review
from certdrill.scheduler import REVIEW_STATE, CardState, SchedulerConfig, review

LEARNING, REVIEW, RELEARNING = 0, 1, 2  # revlog.type
FACTOR = 2500  # Anki's ease factor column; FSRS ignores it (0 would mark a cram entry)
MAX_TAKEN_MS = 60_000  # Anki caps an answer's time at its "maximum answer seconds", 60 by default


@dataclass(frozen=True, slots=True)
class RevlogRow:
    ms: int  # the answer's time; Anki's revlog id (made unique when written)
    ease: int
    interval: int
    last_interval: int
    factor: int
    taken_ms: int
    kind: int


def _interval(card: CardState, when: datetime) -> int:
    """Days for a card in review, negative seconds for one in a (re)learning step."""
    if card.state == REVIEW_STATE:
        return max(1, round((card.due - when).total_seconds() / 86_400))
    return -max(1, round((card.due - when).total_seconds()))


def revlog_rows(reviews: Sequence[Review], config: SchedulerConfig = SchedulerConfig()) -> list[RevlogRow]:
    """One item's reviews (any order) as revlog rows, oldest first."""
    rows = []
    card: CardState | None = None
    last_interval = 0
    for r in sorted(reviews, key=lambda r: (r.reviewed_at, r.id)):
        kind = LEARNING if card is None or card.state == 1 else REVIEW if card.state == REVIEW_STATE else RELEARNING
        card = review(card, r.rating, r.reviewed_at, r.id, config)
        interval = _interval(card, r.reviewed_at)
        taken = min(max(0, r.duration_ms or 0), MAX_TAKEN_MS)
        rows.append(RevlogRow(int(r.reviewed_at.timestamp() * 1000), r.rating, interval, last_interval, FACTOR, taken, kind))
        last_interval = interval
    return rows


def histories(reviews: Iterable[Review], item_ids: Iterable[str], config: SchedulerConfig = SchedulerConfig()) -> dict[str, tuple[RevlogRow, ...]]:
    """Revlog rows per item id, for the items being exported."""
    wanted = set(item_ids)
    by_item: dict[str, list[Review]] = {}
    for r in reviews:
        if r.item_id in wanted:
            by_item.setdefault(r.item_id, []).append(r)
    return {item_id: tuple(revlog_rows(rs, config)) for item_id, rs in by_item.items()}
