"""Undo inside a session: `u` takes back the answer just given, then the one before, back to the start.

`UndoableSession` is a `Session` whose `handle` also takes `u`: before each answer it remembers
everything the answer changes in the session (today's queue, the learning steps waiting, the items
parked, the asks, the numbering, the tally, what is on screen), so an undo puts the session exactly
as it was and shows that question again. The Step it returns carries the answer in `undone`: the
caller logs its tombstone before drawing and gives the session the item's card as the log replayed
without the answer gives it (the only truth); until then the card is the one the answer started from.
"""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, is_dataclass
from datetime import datetime
from typing import Any

from certdrill.drill.session import FINAL, QUESTION, REVEAL, Outcome, Session, Step
from certdrill.schedule.scheduler import CardState, Rating

UNDO_WORDS = frozenset({"u", "undo"})  # never an answer: letters a-h (bank.items.LETTERS), t/f/y/n, 1-4 or a/h/g/e, h/e after; marks are ? and !
NOTHING_TO_UNDO = "Nothing to undo in this session yet."
_KEPT = frozenset({"cards", "rng", "config", "answered", "last_id"})  # shared, fixed or only growing: never rolled back


@dataclass(frozen=True)
class Answered:
    outcome: Outcome
    before: dict[str, Any]  # the session's state just before the answer


class UndoableSession(Session):
    """A Session whose answers can be taken back, newest first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered: list[Answered] = []

    def handle(self, line: str, now: datetime, *, duration_ms: int | None = None) -> Step:
        if line.strip().lower() in UNDO_WORDS and self.phase not in FINAL:
            return self.undo()
        return super().handle(line, now, duration_ms=duration_ms)

    def _answer(self, item: Any, now: datetime, chosen: Any, rating: Rating, correct: bool | None, duration_ms: int | None) -> Outcome:
        before = {name: _copied(value) for name, value in vars(self).items() if name not in _KEPT}
        outcome = super()._answer(item, now, chosen, rating, correct, duration_ms)
        self.answered.append(Answered(outcome, before))
        return outcome

    def amend(self, outcome: Outcome, rating: Rating) -> Outcome:
        amended = super().amend(outcome, rating)
        if self.answered and self.answered[-1].outcome.review.id == outcome.review.id:
            self.answered[-1] = Answered(amended, self.answered[-1].before)
        return amended

    @property
    def can_undo(self) -> bool:
        return bool(self.answered)

    def undo(self) -> Step:
        """Take back the session's latest answer: the session as it was just before it, its question
        on screen again (a flashcard's front), the item's card the one the answer started from."""
        if not self.answered:
            return Step(self.phase, message=NOTHING_TO_UNDO)
        last = self.answered.pop()
        for name, value in last.before.items():
            setattr(self, name, value)
        self.set_card(last.outcome.review.item_id, last.outcome.prior)
        assert self.shown is not None  # an answer is always to the question on screen
        self.phase = QUESTION if self.shown.item.is_choice else REVEAL
        return Step(self.phase, question=self.shown, undone=last.outcome)

    def set_card(self, item_id: str, card: CardState | None) -> None:
        """The item's card (None: never answered, new again)."""
        if card is None:
            self.cards.pop(item_id, None)
        else:
            self.cards[item_id] = card


def _copied(value: Any) -> Any:
    """A copy deep enough that an answer cannot change it: containers copied with their mutable
    records (the tally, a waiting step), immutable values (items, cards, outcomes) shared."""
    if isinstance(value, dict):
        return type(value)({key: _copied(v) for key, v in value.items()})
    if isinstance(value, deque | list | set):
        return type(value)(_copied(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type) and not getattr(type(value), "__dataclass_params__").frozen:  # noqa: B009 - the dataclass machinery's own attribute
        return copy.deepcopy(value)
    return value
