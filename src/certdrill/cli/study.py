"""`certdrill study` and `certdrill missed`: the daily loop."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from certdrill.cli.common import catch_up, check_range, errors_to_exit, filter_topics, load_banks, load_settings, open_store, out_console
from certdrill.errors import InputError

BankPaths = Annotated[list[Path] | None, typer.Option("--bank", "-b", help="Bank folder or topic file instead of the built-in bank (repeatable).")]
Topics = Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only items of this topic (repeatable).")]
Seed = Annotated[int | None, typer.Option("--seed", help="Seed for shuffling choices (repeatable sessions).")]
Unreviewed = Annotated[bool, typer.Option("--include-unreviewed", help="Also ask items marked status: needs-review.")]
ItemIds = Annotated[list[str] | None, typer.Option("--item", "-i", help="Ask exactly this item, due or not (repeatable).")]


ExamDate = Annotated[
    str | None,
    typer.Option("--exam-date", metavar="YYYY-MM-DD", help="Exam date for this run ('none': ignore the configured one); default from config."),
]


def scheduler_config(settings, retention: float | None = None, *, store=None):
    """Settings, this run's flags and, from `store`, the FSRS parameters `certdrill optimize` adopted.

    The exam date means the start of that local day: reviews land on the days before it.
    """
    from certdrill.clock import local_midnight
    from certdrill.schedule.scheduler import SchedulerConfig

    exam = local_midnight(settings.exam_date) if settings.exam_date else None
    return SchedulerConfig(desired_retention=retention or settings.desired_retention, parameters=fitted_parameters(store), exam_date=exam)


def fitted_parameters(store) -> tuple[float, ...] | None:
    """The adopted parameters, or None (fsrs's own defaults, whatever its version) without a fit."""
    stored = store.parameters() if store is not None else None
    if stored is None:
        return None
    from certdrill.insight.optimize import Record

    record = Record.from_json(stored)
    return record.parameters if record.fitted else None


def load_settings_for(exam_date: str | None):
    """The settings file, with --exam-date (if given) in place of the configured exam date."""
    from dataclasses import replace

    from certdrill.config import parse_value

    settings = load_settings()
    if exam_date is None:
        return settings
    return replace(settings, exam_date=parse_value("exam-date", exam_date))


def cards_for(store, config, now, *, due_before=None, item_ids=None):
    """The stored cards (or those of `item_ids`), with due dates capped by an exam date set after their last review.

    With `due_before`, only the cards due before it: read through the due index when no capped
    due date can land that early, so a big collection is not read whole.
    """
    from certdrill.schedule.scheduler import earliest_capped_due, under_exam_date

    floor = earliest_capped_due(config)
    indexed = due_before is not None and (floor is None or due_before <= floor or now >= config.exam_date)
    stored = store.cards(due_before=due_before if indexed else None, item_ids=item_ids)
    cards = {item_id: under_exam_date(card, config, now) for item_id, card in stored.items()}
    if due_before is None or indexed:
        return cards
    return {item_id: card for item_id, card in cards.items() if card.due < due_before}


@errors_to_exit
def study(
    bank: BankPaths = None,
    topic: Topics = None,
    new: Annotated[int | None, typer.Option("--new", help="New items today at most (default from config: 20).")] = None,
    reviews: Annotated[int | None, typer.Option("--reviews", help="Reviews today at most (default from config: 200).")] = None,
    retention: Annotated[float | None, typer.Option("--retention", help="Desired retention for this run, 0.70-0.99.")] = None,
    exam_date: ExamDate = None,
    include_unreviewed: Unreviewed = False,
    item: ItemIds = None,
    seed: Seed = None,
) -> None:
    """Today's session: due items first (most at risk first), then new ones; or the items named with --item.

    With an exam date, no review is put off past the exam when predicted recall on exam day would drop below 95% (or the desired retention, if higher): it moves into the final 7 days, where the items most at risk on exam day come first.
    """
    from certdrill import clock
    from certdrill.insight.plan import exam_focus
    from certdrill.schedule.queue import Limits, build_queue
    from certdrill.schedule.scheduler import retrievability
    from certdrill.ui import render

    check_range("--new", new, 0, 10_000)
    check_range("--reviews", reviews, 0, 100_000)
    check_range("--retention", retention, 0.7, 0.99)
    settings = load_settings_for(exam_date)
    the_bank = load_banks(bank)
    items = filter_topics(the_bank, topic)
    chosen = pick_items(the_bank, items, item) if item else None
    now = clock.now()
    day_start, day_end = clock.day_bounds(now)
    store = open_store()
    try:
        config = scheduler_config(settings, retention, store=store)
        catch_up(store, the_bank, config)
        console = out_console()
        if chosen:
            cards = cards_for(store, config, now, item_ids=[i.id for i in chosen])
            console.print(render.safe(f"{the_bank.title}: {len(chosen)} chosen item{'s' if len(chosen) != 1 else ''}.", "bold"))
            _run(console, store, the_bank, chosen, cards, config, kind="study", seed=seed, day_end=day_end, items=items)
            return
        cards = cards_for(store, config, now, due_before=day_end)
        new_done, reviews_done = store.done_today(day_start)
        limits = Limits(new if new is not None else settings.new_per_day, reviews if reviews is not None else settings.reviews_per_day)
        queue = build_queue(
            items,
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
        if not queue.items:
            console.print(
                render.safe(" ".join(filter(None, [f"Nothing due today in {the_bank.title}.", _next_due_text(cards_for(store, config, now), items, now)])))
            )
            return
        console.print(render.safe(f"{the_bank.title}: {len(queue.due)} due, {len(queue.new)} new.", "bold"))
        _run(console, store, the_bank, list(queue.items), cards, config, kind="study", seed=seed, day_end=day_end, items=items)
    finally:
        store.close()


@errors_to_exit
def missed(
    bank: BankPaths = None,
    topic: Topics = None,
    days: Annotated[int, typer.Option("--days", help="How far back a wrong answer counts (1-3650).")] = 7,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many items.")] = None,
    confusions: Annotated[
        bool, typer.Option("--confusions", help="Instead: the items behind your most frequent confusions over all your answers (see certdrill stats).")
    ] = False,
    top: Annotated[int, typer.Option("--top", help="With --confusions: how many of the top confusions (1-1000).")] = 10,
    exam_date: ExamDate = None,
    include_unreviewed: Unreviewed = False,
    seed: Seed = None,
) -> None:
    """Drill what you got wrong recently, until each is right once."""
    from datetime import timedelta

    from certdrill import clock
    from certdrill.drill.missed import missed_items

    check_range("--days", days, 1, 3650)
    check_range("--limit", limit, 1, 100_000)
    check_range("--top", top, 1, 1000)
    settings = load_settings_for(exam_date)
    the_bank = load_banks(bank)
    items = filter_topics(the_bank, topic)
    now = clock.now()
    _, day_end = clock.day_bounds(now)
    store = open_store()
    try:
        config = scheduler_config(settings, store=store)
        catch_up(store, the_bank, config)
        askable = [i for i in items if include_unreviewed or i.status == "active"]
        if confusions:
            from certdrill.insight.confusions import counted_confusions, items_in

            todo = items_in(counted_confusions(askable, store.wrong_answers(), top), askable)
            empty, heading = "No confusions yet: no wrong picks on multiple-choice items.", f"{{n}} item(s) behind your top {top} confusion(s)"
        else:
            todo = missed_items(askable, store.reviews(since=now - timedelta(days=days)))
            empty, heading = f"No missed items in the last {days} days.", f"{{n}} missed in the last {days} days"
        if limit:
            todo = todo[:limit]
        console = out_console()
        if not todo:
            console.print(empty, markup=False)
            return
        console.print(heading.format(n=len(todo)) + ": each comes back until you get it right.", markup=False, style="bold")
        cards = cards_for(store, config, now, item_ids=[i.id for i in todo])
        _run(console, store, the_bank, todo, cards, config, kind="missed", seed=seed, day_end=day_end, items=items)
    finally:
        store.close()


def _run(console, store, bank, queue_items, cards, config, *, kind, seed, day_end, items):
    import random

    from certdrill import clock
    from certdrill.drill.session import Session
    from certdrill.ui import render
    from certdrill.ui.loop import run_session

    session = Session(queue_items, cards, bank=bank.name, kind=kind, config=config, rng=random.Random(seed))

    def save(outcome):
        session.cards[outcome.review.item_id] = store.record(outcome.review, outcome.card, prior=outcome.prior, config=config)

    def save_amend(outcome):
        session.cards[outcome.review.item_id] = store.amend_rating(outcome.review.id, outcome.review.rating, outcome.card, config=config)

    was_new = {i.id for i in queue_items if i.id not in cards}

    def status(s):
        new_left = sum(1 for i in s.pending if i.id in was_new and i.id not in s.cards)
        return f"due {len(s.pending) - new_left} · new {new_left} left"

    run_session(session, console, save=save, save_amend=save_amend, now=clock.now, status=status, interactive=sys.stdin.isatty())
    from datetime import timedelta

    ids = {i.id for i in items}
    due_tomorrow = sum(1 for item_id in cards_for(store, session.config, clock.now(), due_before=day_end + timedelta(days=1)) if item_id in ids)
    console.print(render.summary(session.tally, bank.topic_title, due_tomorrow))


def _next_due_text(cards, items, now) -> str:
    ids = {i.id for i in items}
    upcoming = [c.due for item_id, c in cards.items() if item_id in ids and c.due > now]
    if not upcoming:
        return ""
    return f"Next item due {min(upcoming).astimezone().strftime('%Y-%m-%d %H:%M')}."


def pick_items(bank, items, wanted: list[str]):
    """The items named with --item, in the order given; an old id (previous_ids) finds its item."""
    by_id = {i.id: i for i in items}
    renamed = {old: i for i in items for old in i.previous_ids}
    picked = []
    for item_id in wanted:
        found = by_id.get(item_id) or renamed.get(item_id)
        if found is None:
            where = "in the chosen topics" if len(items) < len(bank.items) and item_id in bank.by_id() else f"in {bank.name}"
            hint = _close_ids(item_id, list(by_id))
            raise InputError(f"--item: unknown item id {item_id!r} {where}{hint}")
        if found not in picked:
            picked.append(found)
    return picked


def _close_ids(item_id: str, known: list[str]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(item_id, known, n=3)
    return f"; did you mean {', '.join(close)}?" if close else " (certdrill bank list shows the ids)"
