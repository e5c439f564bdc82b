"""Anki's review log and certdrill's, both ways (pure).

In, for `bank import --with-progress`: the revlog entries Anki's FSRS learns from (`answers`) become
certdrill reviews (`reviews_of`): the rating is Anki's button, the time the entry's.

Out, for `export --format anki --with-progress`: each review is replayed through certdrill's
scheduler to know what Anki would have logged: the kind (learning for a card's first answers,
review, relearning after a lapse), the interval it set (days, or negative seconds for a step) and
the one before. The button is the rating (1–4). Anki's FSRS starts a card's history at its first
learning entry, so a card's first answer is always logged as learning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from certdrill.bank.importers.anki_records import FILTERED, LEARNING, MANUAL, RELEARNING, REVIEW, Collection, RevlogEntry, RevlogKind
from certdrill.clock import FIRST_YEAR, LAST_YEAR, from_ms, to_ms
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import RATINGS, CardState, Rating, SchedulerConfig, State, review

__all__ = ["LEARNING", "RELEARNING", "REVIEW", "RevlogRow", "answers", "histories", "reviews_of", "revlog_rows", "undatable"]

FACTOR = 2500  # Anki's ease factor column; FSRS ignores it (0 would mark a cram entry)
MAX_TAKEN_MS = 60_000  # Anki caps an answer's time at its "maximum answer seconds", 60 by default
MAX_DURATION_MS = 24 * 3600 * 1000  # an imported answer's time, bounded


# in: Anki's revlog → certdrill's reviews


def answers(entries: Sequence[RevlogEntry]) -> list[RevlogEntry]:
    """One card's revlog entries (oldest first) that are answers FSRS learns from, as Anki picks
    them for a card's memory state: from the first learning step of the card's last run of learning
    steps (a card reset to new and learned again starts over), without cram answers in a filtered
    deck with rescheduling off (kind filtered, factor 0) and without entries that are no answer
    (set due date, reset, rescheduled: ease 0)."""
    first_learning = first_graded = None
    for index in range(len(entries) - 1, -1, -1):
        entry = entries[index]
        if _cramming(entry):
            continue
        graded = entry.ease in RATINGS
        if graded and (entry.interval >= 1 or entry.interval <= -86400):
            first_graded = index
        if graded and entry.kind == LEARNING:
            first_learning = index
        elif entry.kind == MANUAL and entry.factor == 0:  # "reset to new"
            if first_learning is None and first_graded is None:
                return []
            break
        elif first_learning is not None:
            break
    start = first_learning if first_learning is not None else first_graded
    if start is None:
        return []
    return [e for e in entries[start:] if e.ease in RATINGS and not _cramming(e)]


def _cramming(entry: RevlogEntry) -> bool:
    return entry.kind == FILTERED and entry.factor == 0


# The times every command can compute with (clock.FIRST_YEAR): a revlog id outside them is damage.
EARLIEST_MS, AFTER_LAST_MS = to_ms(datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)), to_ms(datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC))


def undatable(collection: Collection) -> RevlogEntry | None:
    """The first revlog entry whose id (its time) lies outside the years certdrill accepts: one
    from 1970 or from the year 33658 would be accepted and then break stats, or not convert at all."""
    return next((entry for entry in collection.revlog if not EARLIEST_MS <= entry.id < AFTER_LAST_MS), None)


def reviews_of(collection: Collection, item_for_card: dict[int, str], *, bank: str) -> list[Review]:
    """The answers of the cards that became items, as certdrill reviews (kind "import"): the rating
    is Anki's button (1 Again … 4 Easy), the time the entry's, the id `anki-<entry id>-<card id>`
    (so importing again adds nothing)."""
    by_card: dict[int, list[RevlogEntry]] = {}
    for entry in collection.revlog:
        if entry.card_id in item_for_card:
            by_card.setdefault(entry.card_id, []).append(entry)
    out = []
    for card_id, entries in by_card.items():
        entries.sort(key=lambda e: e.id)
        for entry in answers(entries):
            duration = min(max(0, entry.taken_ms), MAX_DURATION_MS)
            rating = RATINGS[entry.ease]
            out.append(Review(f"anki-{entry.id}-{card_id}", item_for_card[card_id], bank, from_ms(entry.id), rating, None, None, duration, "import"))
    out.sort(key=lambda r: (r.reviewed_at, r.id))
    return out


# out: certdrill's reviews → Anki's revlog


@dataclass(frozen=True, slots=True)
class RevlogRow:
    ms: int  # the answer's time; Anki's revlog id (made unique when written)
    ease: Rating
    interval: int
    last_interval: int
    factor: int
    taken_ms: int
    kind: RevlogKind


def _interval(card: CardState, when: datetime) -> int:
    """Days for a card in review, negative seconds for one in a (re)learning step."""
    if card.state == State.REVIEW:
        return max(1, round((card.due - when).total_seconds() / 86_400))
    return -max(1, round((card.due - when).total_seconds()))


def revlog_rows(reviews: Sequence[Review], config: SchedulerConfig = SchedulerConfig()) -> list[RevlogRow]:
    """One item's reviews (any order) as revlog rows, oldest first."""
    rows = []
    card: CardState | None = None
    last_interval = 0
    for r in sorted(reviews, key=lambda r: (r.reviewed_at, r.id)):
        kind = LEARNING if card is None or card.state == State.LEARNING else REVIEW if card.state == State.REVIEW else RELEARNING
        card = review(card, r.rating, r.reviewed_at, r.id, config)
        interval = _interval(card, r.reviewed_at)
        taken = min(max(0, r.duration_ms or 0), MAX_TAKEN_MS)
        rows.append(RevlogRow(to_ms(r.reviewed_at), r.rating, interval, last_interval, FACTOR, taken, kind))
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
