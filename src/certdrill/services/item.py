"""`item ID`: one item's question, its card now, its whole history (undone answers included) and its flags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from certdrill.services.banks import load_banks, pick_items
from certdrill.services.workspace import cards_for, load_settings, open_store, scheduler_config

if TYPE_CHECKING:
    from certdrill.bank.items import Item
    from certdrill.schedule.controls import Suspension
    from certdrill.schedule.review_log import Review
    from certdrill.schedule.scheduler import CardState


@dataclass(frozen=True)
class Answer:
    """One line of an item's history: an answer, and when it was undone if it was."""

    review: Review
    undone_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        from certdrill.clock import iso

        r = self.review
        return {
            "id": r.id,
            "reviewed_at": iso(r.reviewed_at),
            "kind": r.kind,
            "rating": int(r.rating),
            "answer": None if r.answer is None else list(r.answer),
            "correct": r.correct,
            "undone_at": None if self.undone_at is None else iso(self.undone_at),
        }


@dataclass(frozen=True)
class ItemReport:
    item: Item
    now: datetime
    card: CardState | None  # None: never answered (or every answer undone)
    recall: float  # predicted recall now; 0 when never answered
    leech: bool
    leech_lapses: int
    suspension: Suspension | None  # the event that holds it suspended, if it is
    history: list[Answer]  # oldest first

    def to_json(self) -> dict[str, Any]:
        from certdrill.clock import iso
        from certdrill.exchange.export import card_json

        card = None if self.card is None else card_json(self.item.id, "", self.card) | {"recall_now": round(self.recall, 4)}
        if card is not None:
            del card["bank"]
        held = self.suspension
        return {
            "item": self.item.to_json(),
            "card": card,
            "leech": self.leech,
            "leech_lapses": self.leech_lapses,
            "suspended": None if held is None else {"since": iso(held.at), "reason": held.reason},
            "history": [answer.to_json() for answer in self.history],
        }


def item_report(bank_paths: Sequence[Path] | None, item_id: str, *, now: datetime) -> ItemReport:
    """Read without writing; an unknown id is an error naming the closest ones."""
    from certdrill.insight.leeches import is_leech
    from certdrill.schedule.scheduler import retrievability

    the_bank = load_banks(bank_paths)
    (item,) = pick_items(the_bank, the_bank.items, [item_id], flag="ID")
    settings = load_settings()
    store = open_store(writable=False)
    try:
        config = scheduler_config(settings, store=store)
        card = cards_for(store, config, now, item_ids=[item.id]).get(item.id)
        answers = [Answer(r) for r in store.reviews(item_id=item.id)] + [Answer(t.review, t.undone_at) for t in store.tombstones(item_id=item.id)]
        suspension = store.suspended().get(item.id)
    finally:
        store.close()
    answers.sort(key=lambda a: (a.review.reviewed_at, a.review.id))
    return ItemReport(item, now, card, retrievability(card, now, config), is_leech(card, settings.leech_lapses), settings.leech_lapses, suspension, answers)
