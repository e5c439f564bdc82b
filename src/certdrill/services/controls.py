"""`undo`, `suspend`, `unsuspend`, leeches, and the controls a study session gets (`u`, leech suspension)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from certdrill.errors import InputError
from certdrill.services.banks import Picked, filter_topics, load_banks, pick_items
from certdrill.services.workspace import Warn, ignore, load_settings, open_store, scheduler_config

if TYPE_CHECKING:
    from certdrill.config import LeechAction, Settings
    from certdrill.drill.session import Outcome, Session
    from certdrill.insight.leeches import Leech
    from certdrill.schedule.review_log import Review
    from certdrill.schedule.scheduler import CardState, SchedulerConfig
    from certdrill.store.store import Store


@dataclass(frozen=True)
class Undone:
    """An answer taken back, and its item's card now (None: the item is new again)."""

    review: Review
    card: CardState | None

    def to_json(self) -> dict[str, Any]:
        from certdrill.clock import iso
        from certdrill.exchange.export import card_json

        r = self.review
        answer = {
            "id": r.id,
            "item_id": r.item_id,
            "reviewed_at": iso(r.reviewed_at),
            "kind": r.kind,
            "rating": int(r.rating),
            "correct": r.correct,
        }
        return {"undone": answer, "card": None if self.card is None else card_json(r.item_id, r.bank, self.card)}


def undo_last(*, now: datetime, warn: Warn = ignore) -> Undone:
    """Take back the latest answer in the log, whenever it was given (a mock exam's answers are
    changed before the exam is submitted instead)."""
    store = open_store(warn=warn)
    try:
        last = store.last_answer()
        if last is None:
            raise InputError("nothing to undo: no study, missed or cram answer in the log")
        review, card = store.undo(last.id, now, scheduler_config(load_settings(), store=store))
    finally:
        store.close()
    return Undone(review, card)


@dataclass(frozen=True)
class SuspendChange:
    suspended: bool  # what was asked: suspend (True) or unsuspend
    changed: list[str]  # item ids whose state changed
    unchanged: list[str]  # already as asked

    def to_json(self) -> dict[str, Any]:
        return {"suspended": self.suspended, "changed": self.changed, "unchanged": self.unchanged}


def set_suspended(
    bank_paths: Sequence[Path] | None, item_ids: Sequence[str], topics: Sequence[str] | None, *, suspended: bool, now: datetime, warn: Warn = ignore
) -> SuspendChange:
    """Suspend (or unsuspend) the items named and every item of the topics named; one event each
    whose state changes, logged with the time (the latest event per item wins, on every device)."""
    from certdrill.schedule.controls import Suspension
    from certdrill.schedule.review_log import new_review_id

    if not item_ids and not topics:
        raise InputError("name the items (ID ...) or --topic T")
    the_bank = load_banks(bank_paths)
    chosen = pick_items(the_bank, the_bank.items, item_ids, flag="ID") if item_ids else []
    if topics:
        chosen += [i for i in filter_topics(the_bank, topics) if i not in chosen]
    store = open_store(warn=warn)
    try:
        now_suspended = store.suspended()
        changed = [i.id for i in chosen if (i.id in now_suspended) != suspended]
        store.add_suspensions([Suspension(new_review_id(now), item_id, now, suspended) for item_id in changed])
    finally:
        store.close()
    return SuspendChange(suspended, changed, [i.id for i in chosen if i.id not in changed])


def unsuspended(store: Store, items: Sequence[Picked]) -> list[Picked]:
    """The items that may be asked: those not suspended."""
    suspended = store.suspended()
    return [i for i in items if i.id not in suspended] if suspended else list(items)


@dataclass
class SessionControls:
    """What a session does on a new leech (`u` is the session's own: drill/undo.py, Drill.undo)."""

    store: Store
    config: SchedulerConfig
    leech_lapses: int
    leech_action: LeechAction

    @classmethod
    def of(cls, store: Store, config: SchedulerConfig, settings: Settings) -> SessionControls:
        return cls(store, config, settings.leech_lapses, settings.leech_action)

    def after_save(self, session: Session, outcome: Outcome, card: CardState) -> Leech | None:
        """After an answer is stored: if it made a leech of the item, say so and (leech-action
        suspend) suspend it, tied to this answer (an undo of it lifts the suspension), and drop it
        from the rest of the session."""
        from certdrill.insight.leeches import Leech, became_leech
        from certdrill.schedule.controls import Suspension
        from certdrill.schedule.review_log import new_review_id

        if not became_leech(outcome.prior, card, self.leech_lapses):
            return None
        review = outcome.review
        suspend = self.leech_action == "suspend"
        if suspend:
            self.store.add_suspensions([Suspension(new_review_id(review.reviewed_at), review.item_id, review.reviewed_at, True, "leech", review.id)])
            session.drop(review.item_id)  # the session dropped it already when its own card says so (Rules.leech_lapses)
        return Leech(review.item_id, card.lapses, suspend)
