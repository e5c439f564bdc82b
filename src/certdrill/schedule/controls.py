"""What the learner says about the log and the items: an answer undone, an item suspended.

Both are events, never edits, so that every copy of the log agrees once merged:
- a `Tombstone` names an undone review by its id (and keeps its row). The set of tombstones only
  grows; the log is the reviews whose ids have none. Merging is a union either way, so the order of
  imports never matters and an export taken before an undo cannot bring the answer back.
- a `Suspension` is a suspend or unsuspend at a time: the latest per item wins (last writer wins,
  ties broken by id). One that an answer caused (a leech suspended) counts only while that answer
  is not undone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, get_args

from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import CardState

SuspendReason = Literal["manual", "leech"]
REASONS: tuple[SuspendReason, ...] = get_args(SuspendReason)


@dataclass(frozen=True, slots=True)
class Tombstone:
    review: Review  # the answer undone, as it was logged
    undone_at: datetime

    @property
    def review_id(self) -> str:
        return self.review.id


@dataclass(frozen=True, slots=True)
class Suspension:
    id: str
    item_id: str
    at: datetime
    suspended: bool  # False: unsuspended
    reason: SuspendReason = "manual"
    review_id: str | None = None  # the answer that made a leech of the item

    def order(self) -> tuple[datetime, str]:
        return self.at, self.id


def suspended_items(events: Iterable[Suspension], undone: Collection[str] = ()) -> dict[str, Suspension]:
    """The items suspended now, each with the event that suspended it: per item the latest event
    that counts (not caused by an undone answer) decides."""
    latest: dict[str, Suspension] = {}
    for event in events:
        if event.review_id is not None and event.review_id in undone:
            continue
        held = latest.get(event.item_id)
        if held is None or event.order() > held.order():
            latest[event.item_id] = event
    return {item_id: event for item_id, event in latest.items() if event.suspended}


class Lapsed(Protocol):
    """What a leech is told by: a card's lapses (`CardState`, or `stats`'s `CardFigures`)."""

    @property
    def lapses(self) -> int: ...


def is_leech(card: Lapsed | None, threshold: int) -> bool:
    """A leech: an item whose lapses (an Again once in review, FSRS's count) reached `leech-lapses`."""
    return card is not None and card.lapses >= threshold


def became_leech(prior: CardState | None, card: CardState, threshold: int) -> bool:
    """This answer made a leech of the item: its lapses reached the threshold just now."""
    return is_leech(card, threshold) and not is_leech(prior, threshold)
