"""`study` and `missed`: what to ask, with its cards, and how each answer is saved."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from certdrill import clock
from certdrill.services.banks import filter_topics, load_banks, pick_items
from certdrill.services.controls import SessionControls, unsuspended
from certdrill.services.workspace import Warn, cards_for, catch_up, ignore, load_settings_for, open_store, scheduler_config

if TYPE_CHECKING:
    from certdrill.bank.items import Bank, Item
    from certdrill.drill.session import Outcome, Session
    from certdrill.drill.undo import UndoableSession
    from certdrill.insight.leeches import Leech
    from certdrill.schedule.review_log import ReviewKind
    from certdrill.schedule.scheduler import CardState, SchedulerConfig
    from certdrill.services.controls import SessionControls
    from certdrill.store.store import Store


@dataclass
class Drill:
    """A run of `study` or `missed`, ready to ask: `todo` in order (empty: say `empty` instead).

    Holds the store open: `close` it when the run ends.
    """

    store: Store
    bank: Bank
    items: list[Item]  # the chosen topics' items: what "due tomorrow" counts
    todo: list[Item]
    cards: dict[str, CardState]
    config: SchedulerConfig
    kind: ReviewKind
    day_end: datetime
    heading: str
    empty: str = ""
    controls: SessionControls | None = None  # undo and leeches (services/controls.py)

    def session(self, seed: int | None) -> UndoableSession:
        from certdrill.drill.undo import UndoableSession

        return UndoableSession(self.todo, self.cards, bank=self.bank.name, kind=self.kind, config=self.config, rng=random.Random(seed))

    def save(self, session: Session, outcome: Outcome) -> Leech | None:
        """Commit an answer; the session goes on with the card as stored (another session may have moved it).
        Returns the leech the answer made, if it made one."""
        card = self.store.record(outcome.review, outcome.card, prior=outcome.prior, config=self.config)
        session.cards[outcome.review.item_id] = card
        return self.controls.after_save(session, outcome, card) if self.controls is not None else None

    def undo(self, session: UndoableSession, now: datetime) -> Outcome | None:
        """`u`: the session's latest answer taken back (None: nothing to take back)."""
        return self.controls.undo(session, now) if self.controls is not None else None

    def save_amend(self, session: Session, outcome: Outcome) -> None:
        session.cards[outcome.review.item_id] = self.store.amend_rating(outcome.review.id, outcome.review.rating, outcome.card, config=self.config)

    was_new: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.was_new = frozenset(i.id for i in self.todo if i.id not in self.cards)

    def status(self, session: Session) -> str:
        """The header's count of what is left: due items, and new ones not answered yet."""
        new_left = sum(1 for i in session.pending if i.id in self.was_new and i.id not in session.cards)
        return f"due {len(session.pending) - new_left} · new {new_left} left"

    def due_tomorrow(self, session: Session, now: datetime) -> int:
        """The chosen topics' items due before the end of tomorrow, after this run."""
        ids = {i.id for i in self.items}
        due = cards_for(self.store, session.config, now, due_before=self.day_end + timedelta(days=1))
        return sum(1 for item_id in due if item_id in ids)

    def close(self) -> None:
        self.store.close()


def start_study(
    bank_paths: Sequence[Path] | None,
    topics: Sequence[str] | None,
    *,
    new: int | None,
    reviews: int | None,
    retention: float | None,
    exam_date: str | None,
    include_unreviewed: bool,
    item_ids: Sequence[str] | None,
    now: datetime,
    warn: Warn = ignore,
) -> Drill:
    """Today's session: due items first (most at risk first), then new ones; or the items named in `item_ids`."""
    from certdrill.insight.plan import exam_focus
    from certdrill.schedule.queue import Limits, build_queue
    from certdrill.schedule.scheduler import retrievability

    settings = load_settings_for(exam_date)
    the_bank = load_banks(bank_paths)
    items = filter_topics(the_bank, topics)
    chosen = pick_items(the_bank, items, item_ids) if item_ids else None
    day_start, day_end = clock.day_bounds(now)
    store = open_store(warn=warn)
    try:
        config = scheduler_config(settings, retention, store=store)
        catch_up(store, the_bank, config)
        controls = SessionControls.of(store, config, settings)
        if chosen:
            chosen = unsuspended(store, chosen)
            cards = cards_for(store, config, now, item_ids=[i.id for i in chosen])
            heading = f"{the_bank.title}: {len(chosen)} chosen item{'s' if len(chosen) != 1 else ''}."
            return Drill(
                store, the_bank, items, chosen, cards, config, "study", day_end, heading, "" if chosen else "Every chosen item is suspended.", controls
            )
        cards = cards_for(store, config, now, due_before=day_end)
        new_done, reviews_done = store.done_today(day_start)
        limits = Limits(new if new is not None else settings.new_per_day, reviews if reviews is not None else settings.reviews_per_day)
        queue = build_queue(
            unsuspended(store, items),
            cards,
            now=now,
            day_end=day_end,
            limits=limits,
            new_done_today=new_done,
            reviews_done_today=reviews_done,
            recall=lambda c: retrievability(c, now, config),
            include_unreviewed=include_unreviewed,
            exam=exam_focus(config),
            seen=store.item_ids_with_progress(),
        )
        heading = f"{the_bank.title}: {len(queue.due)} due, {len(queue.new)} new."
        empty = ""
        if not queue.items:
            empty = " ".join(filter(None, [f"Nothing due today in {the_bank.title}.", _next_due_text(cards_for(store, config, now), items, now)]))
        return Drill(store, the_bank, items, list(queue.items), cards, config, "study", day_end, heading, empty, controls)
    except BaseException:
        store.close()
        raise


def start_missed(
    bank_paths: Sequence[Path] | None,
    topics: Sequence[str] | None,
    *,
    days: int,
    limit: int | None,
    confusions: bool,
    top: int,
    exam_date: str | None,
    include_unreviewed: bool,
    now: datetime,
    warn: Warn = ignore,
) -> Drill:
    """What you got wrong in the last `days` (or the items behind your `top` confusions), until each is right once."""
    from certdrill.drill.missed import missed_items

    settings = load_settings_for(exam_date)
    the_bank = load_banks(bank_paths)
    items = filter_topics(the_bank, topics)
    _, day_end = clock.day_bounds(now)
    store = open_store(warn=warn)
    try:
        config = scheduler_config(settings, store=store)
        catch_up(store, the_bank, config)
        askable = unsuspended(store, [i for i in items if include_unreviewed or i.status == "active"])
        if confusions:
            from certdrill.insight.confusions import counted_confusions, items_in

            todo = items_in(counted_confusions(askable, store.wrong_answers(), top), askable)
            empty, heading = "No confusions yet: no wrong picks on multiple-choice items.", f"{{n}} item(s) behind your top {top} confusion(s)"
        else:
            todo = missed_items(askable, store.reviews(since=now - timedelta(days=days)))
            empty, heading = f"No missed items in the last {days} days.", f"{{n}} missed in the last {days} days"
        if limit:
            todo = todo[:limit]
        cards = cards_for(store, config, now, item_ids=[i.id for i in todo]) if todo else {}
        heading = heading.format(n=len(todo)) + ": each comes back until you get it right."
        return Drill(
            store, the_bank, items, todo, cards, config, "missed", day_end, heading, "" if todo else empty, SessionControls.of(store, config, settings)
        )
    except BaseException:
        store.close()
        raise


def _next_due_text(cards: dict[str, CardState], items: Sequence[Item], now: datetime) -> str:
    ids = {i.id for i in items}
    upcoming = [c.due for item_id, c in cards.items() if item_id in ids and c.due > now]
    if not upcoming:
        return ""
    return f"Next item due {min(upcoming).astimezone().strftime('%Y-%m-%d %H:%M')}."
