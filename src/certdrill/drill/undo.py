"""Undo inside a session: `u` takes back the answer just given, then the one before, back to the start.

`UndoableSession` is a `Session` that remembers, before each answer, everything the answer changes
in it (the queue, the tally, whatever else a session keeps), so `take_back` puts the session as it
was: the item is next again. The card comes back from the log (the caller replays the item without
the undone answer, the only truth), and the caller records the tombstone.
"""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, is_dataclass
from typing import Any

from certdrill.drill.session import Outcome, Session
from certdrill.schedule.scheduler import CardState

_KEPT = frozenset({"cards", "rng", "config", "answered"})  # shared or fixed: never rolled back


@dataclass(frozen=True)
class Answered:
    outcome: Outcome
    before: dict[str, Any]  # the session's state just before the answer


class UndoableSession(Session):
    """A Session whose answers can be taken back, newest first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered: list[Answered] = []

    def answer(self, *args: Any, **kwargs: Any) -> Outcome:
        before = {name: _copied(value) for name, value in vars(self).items() if name not in _KEPT}
        outcome = super().answer(*args, **kwargs)
        self.answered.append(Answered(outcome, before))
        return outcome

    def amend(self, outcome: Outcome, rating: Any) -> Outcome:
        amended = super().amend(outcome, rating)
        if self.answered and self.answered[-1].outcome.review.id == outcome.review.id:
            self.answered[-1] = Answered(amended, self.answered[-1].before)
        return amended

    @property
    def can_undo(self) -> bool:
        return bool(self.answered)

    def last_answer(self) -> Outcome | None:
        return self.answered[-1].outcome if self.answered else None

    def take_back(self, card: CardState | None) -> Outcome | None:
        """Undo the latest answer of this session: the session as it was before it, the item's card
        `card` (the log replayed without the answer; None: never answered). None: nothing to undo."""
        if not self.answered:
            return None
        last = self.answered.pop()
        for name, value in last.before.items():
            setattr(self, name, value)
        item_id = last.outcome.review.item_id
        if card is None:
            self.cards.pop(item_id, None)
        else:
            self.cards[item_id] = card
        return last.outcome


def _copied(value: Any) -> Any:
    """A copy deep enough that the answer cannot change it: containers copied (their items are
    immutable), mutable records (the tally) copied whole."""
    if isinstance(value, deque | list | dict | set):
        return copy.copy(value)
    if is_dataclass(value) and not getattr(type(value), "__dataclass_params__").frozen:  # noqa: B009 - the dataclass machinery's own attribute
        return copy.deepcopy(value)
    return value


def drop(session: Session, item_id: str) -> None:
    """The rest of the session without this item (it was just suspended)."""
    session.pending = deque(item for item in session.pending if item.id != item_id)
