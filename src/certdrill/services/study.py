"""`study` and `missed`: what to ask, with its cards, and how each answer is saved."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, cast

from certdrill.services.banks import pick_items
from certdrill.services.controls import SessionControls, unsuspended
from certdrill.services.drill_setup import DrillInputs, open_drill
from certdrill.services.workspace import Warn, cards_for, ignore

if TYPE_CHECKING:
    from certdrill.bank.items import Bank, Entry, Item
    from certdrill.drill.session import Outcome, Session
    from certdrill.drill.undo import UndoableSession
    from certdrill.insight.leeches import Leech
    from certdrill.schedule.queue import Limits, Queue
    from certdrill.schedule.review_log import ReviewKind
    from certdrill.schedule.scheduler import CardState, SchedulerConfig
    from certdrill.store.store import Store


@dataclass
class Drill:
    """A run of `study` or `missed`, ready to ask: `todo` in order (empty: say `empty` instead).

    Holds the store open: `close` it when the run ends.
    """

    store: Store
    bank: Bank
    items: Sequence[Item | Entry]  # the chosen topics' items (or their entries): what "due tomorrow" counts
    todo: list[Item]
    cards: dict[str, CardState]
    config: SchedulerConfig
    kind: ReviewKind
    day_end: datetime
    heading: str
    empty: str = ""
    notes: list[str] = field(default_factory=list)  # what the daily limits hold back, and how to ask for more
    status: str = ""  # shown in every question's header (the backlog over the review limit)
    learn_ahead: timedelta = timedelta(minutes=20)
    controls: SessionControls | None = None  # undo and leeches (services/controls.py)

    def session(self, seed: int | None, *, pause_after_answer: bool) -> UndoableSession:
        """The session: on a terminal (`pause_after_answer`) a verdict waits for Enter, or h / e;
        `u` takes an answer back; with leech-action suspend, a new leech leaves the session."""
        from certdrill.drill.session import MISSED_RULES, Rules
        from certdrill.drill.undo import UndoableSession

        rules = MISSED_RULES if self.kind == "missed" else Rules(learn_ahead=self.learn_ahead)
        leech_lapses = self.controls.leech_lapses if self.controls is not None and self.controls.leech_action == "suspend" else None
        rules = replace(rules, pause_after_answer=pause_after_answer, leech_lapses=leech_lapses)
        return UndoableSession(
            self.todo,
            self.cards,
            bank=self.bank.name,
            kind=self.kind,
            config=self.config,
            rules=rules,
            rng=random.Random(seed),
            last_review_id=self.store.last_review_id(),
        )

    def save(self, session: Session, outcome: Outcome) -> Leech | None:
        """Commit an answer; the session goes on with the card as stored (another session may have moved it).
        Returns the leech the answer made, if it made one."""
        card = self.store.record(outcome.review, outcome.card, prior=outcome.prior, config=self.config)
        session.cards[outcome.review.item_id] = card
        return self.controls.after_save(session, outcome, card) if self.controls is not None else None

    def undo(self, session: UndoableSession, outcome: Outcome, now: datetime) -> None:
        """`u`: the answer the session just took back leaves the log (a tombstone); the session goes
        on with the item's card as the log without it gives it."""
        _, card = self.store.undo(outcome.review.id, now, self.config)
        session.set_card(outcome.review.item_id, card)

    def save_amend(self, session: Session, outcome: Outcome) -> None:
        session.cards[outcome.review.item_id] = self.store.amend_rating(outcome.review.id, outcome.review.rating, outcome.card, config=self.config)

    def due_after(self, session: Session, now: datetime) -> tuple[int, int]:
        """After this run, the chosen topics' items still due today (new ones of today's queue not
        asked included), and those due tomorrow."""
        ids = {i.id for i in self.items}
        due = cards_for(self.store, session.config, now, due_before=self.day_end + timedelta(days=1))
        today = sum(1 for item_id, c in due.items() if item_id in ids and c.due < self.day_end)
        today += sum(1 for i in session.todo if i.id in session.new_ids)
        left = session.unanswered
        if left is not None and left.id in session.new_ids and left.id not in due:
            today += 1  # a new item left on screen unanswered is still today's
        tomorrow = sum(1 for item_id, c in due.items() if item_id in ids and c.due >= self.day_end)
        return today, tomorrow

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
    new_order: str | None = None,
    seed: int | None = None,
) -> Drill:
    """Today's session: due items first (most at risk first), then new ones; or the items named in `item_ids`."""
    from certdrill.insight.plan import exam_focus
    from certdrill.schedule.queue import Limits, build_queue, new_item_order
    from certdrill.schedule.scheduler import retrievability

    inputs = DrillInputs.load(bank_paths, topics, exam_date, now)
    # a cached bank's items are read only for the questions asked (Bank.load)
    the_bank, items, settings, day_end = inputs.bank, inputs.entries, inputs.settings, inputs.day_end
    learn_ahead = timedelta(minutes=settings.learn_ahead)
    chosen = pick_items(the_bank, items, item_ids) if item_ids else None
    with open_drill(inputs, warn=warn, retention=retention) as opened:
        store, config, controls = opened.store, opened.config, opened.controls
        if chosen:
            asked = the_bank.load(unsuspended(store, chosen))
            cards = cards_for(store, config, now, item_ids=[i.id for i in asked])
            heading = f"{the_bank.title}: {len(asked)} chosen item{'s' if len(asked) != 1 else ''}."
            empty = "" if asked else "Every chosen item is suspended."
            return Drill(store, the_bank, items, asked, cards, config, "study", day_end, heading, empty, learn_ahead=learn_ahead, controls=controls)
        cards = cards_for(store, config, now, due_before=day_end)
        new_done, reviews_done = store.done_today(inputs.day_start)
        limits = Limits(new if new is not None else settings.new_per_day, reviews if reviews is not None else settings.reviews_per_day)
        queue = build_queue(
            cast("list[Item]", unsuspended(store, items)),  # it reads only id, status, topic and type, which an Entry has too
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
            order_new=new_item_order(new_order or settings.new_order, the_bank.name if seed is None else f"{the_bank.name}:{seed}"),
            learn_ahead=learn_ahead,
        )
        heading = f"{the_bank.title}: {len(queue.due)} due, {len(queue.new)} new."
        notes = limit_lines(queue, limits, new_done, reviews_done)
        status = f"{queue.reviews_held} more due over the review limit" if queue.reviews_held else ""
        empty = ""
        if not queue.items and queue.reviews_held:
            empty = f"Nothing left within today's review limit in {the_bank.title}."
        elif not queue.items:
            empty = " ".join(filter(None, [f"Nothing due today in {the_bank.title}.", _next_due_text(cards_for(store, config, now), items, now)]))
        todo = the_bank.load(queue.items)
        return Drill(store, the_bank, items, todo, cards, config, "study", day_end, heading, empty, notes, status, learn_ahead, controls)


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

    inputs = DrillInputs.load(bank_paths, topics, exam_date, now)
    with open_drill(inputs, warn=warn) as opened:
        store = opened.store
        askable = unsuspended(store, [i for i in inputs.items if include_unreviewed or i.status == "active"])
        if confusions:
            from certdrill.insight.confusions import counted_confusions, items_in

            todo = items_in(counted_confusions(askable, store.wrong_answers(), top), askable)
            empty, heading = "No confusions yet: no wrong picks on multiple-choice items.", f"{{n}} item(s) behind your top {top} confusion(s)"
        else:
            todo = missed_items(askable, store.reviews(since=now - timedelta(days=days)))
            empty, heading = f"No missed items in the last {days} days.", f"{{n}} missed in the last {days} days"
        if limit:
            todo = todo[:limit]
        cards = cards_for(store, opened.config, now, item_ids=[i.id for i in todo]) if todo else {}
        heading = heading.format(n=len(todo)) + ": each comes back until you get it right."
        return Drill(
            store, inputs.bank, inputs.entries, todo, cards, opened.config, "missed", inputs.day_end, heading, "" if todo else empty, controls=opened.controls
        )


def limit_lines(queue: Queue, limits: Limits, new_done: int, reviews_done: int) -> list[str]:
    """What the daily limits hold back, and how to ask for more: reviews whenever some wait; new
    items when the limit leaves none for today."""
    lines = []
    if queue.reviews_held:
        wanted = reviews_done + queue.due_total
        lines.append(
            f"Review limit reached: {queue.reviews_held} more due today (limit {limits.reviews_per_day}); "
            f"--reviews {wanted} or certdrill config set reviews-per-day {wanted} asks them."
        )
    if queue.new_held and not queue.new:
        lines.append(
            f"New-item limit reached: {new_done} new today (limit {limits.new_per_day}), {queue.new_held} more "
            f"{'waits' if queue.new_held == 1 else 'wait'}; --new N or certdrill config set new-per-day N."
        )
    return lines


def _next_due_text(cards: dict[str, CardState], items: Sequence[Item | Entry], now: datetime) -> str:
    ids = {i.id for i in items}
    upcoming = [c.due for item_id, c in cards.items() if item_id in ids and c.due > now]
    if not upcoming:
        return ""
    return f"Next item due {min(upcoming).astimezone().strftime('%Y-%m-%d %H:%M')}."
