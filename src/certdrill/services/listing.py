"""`bank list`: every item of a bank beside its progress (due, interval, lapses, predicted recall now, flags).

Read whole in one pass so that 50,000 items stay quick: the cards in one query, the suspensions in
another, recall from fsrs through `schedule.scheduler.retrievability` (what `certdrill item` shows).
A home without a store is listed as it is: nothing is created to read it.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from certdrill import paths
from certdrill.gcpause import paused_gc
from certdrill.services.banks import filter_topics, load_banks
from certdrill.services.workspace import Warn, ignore

if TYPE_CHECKING:
    from certdrill.bank.items import Bank, Item
    from certdrill.schedule.scheduler import CardState

SORTS = ("due", "recall", "lapses")  # soonest due, lowest recall, most lapses first; items never seen last
DAY_SECONDS = 86_400


class Listed(NamedTuple):
    """One item and its progress; `card` and `recall` are None for an item never answered (a
    NamedTuple: made in a third of the time a frozen dataclass takes, 50,000 times a listing)."""

    item: Item
    card: CardState | None = None
    recall: float | None = None
    suspended: bool = False
    leech: bool = False

    @property
    def interval_days(self) -> float | None:
        """Days from the last review to the due date: what the scheduler gave the card (a learning step is a fraction)."""
        card = self.card
        if card is None or card.last_review is None:
            return None
        return round((card.due - card.last_review).total_seconds() / DAY_SECONDS, 2)

    def progress_json(self) -> dict[str, Any]:
        from certdrill.clock import iso

        card = self.card
        return {
            "due": None if card is None else iso(card.due),
            "interval_days": self.interval_days,
            "lapses": None if card is None else card.lapses,
            "recall": None if self.recall is None else round(self.recall, 4),
            "suspended": self.suspended,
            "leech": self.leech,
        }

    def to_json(self) -> dict[str, Any]:
        return self.item.to_json() | self.progress_json()


@dataclass(frozen=True)
class Listing:
    bank: Bank
    rows: list[Listed]


def list_bank(bank_paths: Sequence[Path] | None, topics: Sequence[str] | None, *, now: datetime, sort: str | None = None, warn: Warn = ignore) -> Listing:
    """The items (bank order, or by `sort`) with their progress; reads the store, never writes it."""
    if sort is not None and sort not in SORTS:
        from certdrill.errors import InputError

        raise InputError(f"--sort: unknown order {sort!r} (known: {', '.join(SORTS)})")
    the_bank = load_banks(bank_paths)
    items = filter_topics(the_bank, topics)
    with paused_gc():  # 50,000 rows and their cards are acyclic: collections while they are made cost 20-30% of the making
        rows = _with_progress(items, now, warn) if paths.has_store() else [Listed(item) for item in items]
    gc.freeze()  # kept until the command ends, as the bank is (`load_banks`): later collections need not walk them
    return Listing(the_bank, sort_rows(rows, sort) if sort else rows)


def _with_progress(items: list[Item], now: datetime, warn: Warn) -> list[Listed]:
    """The items with their cards; a store that cannot be read (damaged, its log unreadable in a
    read-only folder) leaves the bank listed without progress, and says why in one line."""
    from certdrill.errors import StoreError
    from certdrill.schedule.controls import is_leech
    from certdrill.schedule.scheduler import retrievability
    from certdrill.services.workspace import cards_for, load_settings, open_store, scheduler_config

    settings = load_settings()
    try:
        store = open_store(writable=False)
    except StoreError as exc:
        warn(f"progress not shown: {exc}")
        return [Listed(item) for item in items]
    try:
        config = scheduler_config(settings, store=store)
        cards = cards_for(store, config, now)
        held = store.suspended()
    finally:
        store.close()
    threshold = settings.leech_lapses
    rows = []
    for item in items:
        card = cards.get(item.id)
        if card is None:
            rows.append(Listed(item, suspended=item.id in held))
        else:
            rows.append(Listed(item, card, retrievability(card, now, config), item.id in held, is_leech(card, threshold)))
    return rows


def sort_rows(rows: list[Listed], sort: str) -> list[Listed]:
    """Soonest due, lowest recall or most lapses first; items never seen after the rest, ties in bank order."""
    keys: dict[str, Callable[[CardState, float], Any]] = {"due": lambda c, _: c.due, "recall": lambda _, r: r, "lapses": lambda c, _: -c.lapses}
    key = keys[sort]
    seen = sorted(((r, r.card) for r in rows if r.card is not None), key=lambda pair: key(pair[1], pair[0].recall or 0.0))
    return [r for r, _ in seen] + [r for r in rows if r.card is None]
