"""Which items count as recently missed: a pure function of the review log."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from certdrill.bank.items import Item
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import AGAIN


def is_miss(review: Review) -> bool:
    return answer_missed(review.correct, review.rating)


def answer_missed(correct: bool | int | None, rating: int) -> bool:
    """A wrong multiple-choice answer, or a flashcard rated Again; `correct` as logged or stored (0/1)."""
    return (correct is not None and not correct) or (correct is None and rating == AGAIN)


def missed_items(items: Sequence[Item], reviews: Iterable[Review]) -> list[Item]:
    """Items answered wrong in `reviews` and not yet put right in a `missed` drill since; latest miss first."""
    last_miss: dict[str, tuple] = {}
    cleared: set[str] = set()
    for r in sorted(reviews, key=lambda r: (r.reviewed_at, r.id)):
        if is_miss(r):
            last_miss[r.item_id] = (r.reviewed_at, r.id)
            cleared.discard(r.item_id)
        elif r.kind == "missed" and r.item_id in last_miss:
            cleared.add(r.item_id)
    by_id = {item.id: item for item in items}
    still = [i for i in last_miss if i not in cleared and i in by_id]
    still.sort(key=lambda i: last_miss[i], reverse=True)
    return [by_id[i] for i in still]
