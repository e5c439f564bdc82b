"""`certdrill study` and `certdrill missed`: the daily loop."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from certdrill.cli.common import catch_up, check_range, errors_to_exit, filter_topics, load_banks, load_settings, open_store, out_console
from certdrill.errors import InputError

if TYPE_CHECKING:
    from datetime import datetime

    from rich.console import Console

    from certdrill.bank.items import Bank, Item
    from certdrill.config import Settings
    from certdrill.queue import Limits, Queue
    from certdrill.scheduler import CardState, SchedulerConfig
    from certdrill.store.store import Store

BankPaths = Annotated[list[Path] | None, typer.Option("--bank", "-b", help="Bank folder or topic file instead of the built-in bank (repeatable).")]
Topics = Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only items of this topic (repeatable).")]
Seed = Annotated[int | None, typer.Option("--seed", help="Seed for shuffling choices and mixing new items (repeatable sessions).")]
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
    from certdrill.scheduler import SchedulerConfig

    exam = local_midnight(settings.exam_date) if settings.exam_date else None
    return SchedulerConfig(desired_retention=retention or settings.desired_retention, parameters=fitted_parameters(store), exam_date=exam)


def fitted_parameters(store) -> tuple[float, ...] | None:
    """The adopted parameters, or None (fsrs's own defaults, whatever its version) without a fit."""
    stored = store.parameters() if store is not None else None
    if stored is None:
        return None
    from certdrill.optimize import Record

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
    from certdrill.scheduler import earliest_capped_due, under_exam_date

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
    new_order: Annotated[
        str | None,
        typer.Option(
            "--new-order", metavar="mixed|file", help="New items: topics and types mixed (default), or file: topic files in turn, each in its own order."
        ),
    ] = None,
) -> None:
    """Today's session: due items first (most at risk first), then new ones; or the items named with --item.

    With an exam date, no review is put off past the exam when predicted recall on exam day would drop below 95% (or the desired retention, if higher): it moves into the final 7 days, where the items most at risk on exam day come first.
    """
    from datetime import timedelta

    from certdrill import clock
    from certdrill.plan import exam_focus
    from certdrill.queue import NEW_ORDERS, Limits, build_queue, new_item_order
    from certdrill.scheduler import retrievability
    from certdrill.ui import render

    check_range("--new", new, 0, 10_000)
    check_range("--reviews", reviews, 0, 100_000)
    check_range("--retention", retention, 0.7, 0.99)
    if new_order is not None and new_order not in NEW_ORDERS:
        raise InputError(f"--new-order: {new_order!r} is not one of {', '.join(NEW_ORDERS)}")
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
            _run(console, store, the_bank, chosen, cards, config, kind="study", seed=seed, day_end=day_end, items=items, settings=settings)
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
            order_new=new_item_order(new_order or settings.new_order, the_bank.name if seed is None else f"{the_bank.name}:{seed}"),
            learn_ahead=timedelta(minutes=settings.learn_ahead),
        )
        held = limit_lines(queue, limits, new_done, reviews_done)
        if not queue.items:
            first = f"Nothing left within today's review limit in {the_bank.title}." if queue.reviews_held else f"Nothing due today in {the_bank.title}."
            later = "" if queue.reviews_held else _next_due_text(cards_for(store, config, now), items, now)
            console.print(render.safe(" ".join(filter(None, [first, later]))))
            for line in held:
                console.print(render.safe(line, "yellow"))
            return
        console.print(render.safe(f"{the_bank.title}: {len(queue.due)} due, {len(queue.new)} new.", "bold"))
        for line in held:
            console.print(render.safe(line, "yellow"))
        status = f"{queue.reviews_held} more due over the review limit" if queue.reviews_held else ""
        _run(
            console, store, the_bank, list(queue.items), cards, config, kind="study", seed=seed, day_end=day_end, items=items, settings=settings, status=status
        )
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
    from certdrill.missed import missed_items

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
            from certdrill.confusions import counted_confusions, items_in

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
        _run(console, store, the_bank, todo, cards, config, kind="missed", seed=seed, day_end=day_end, items=items, settings=settings)
    finally:
        store.close()


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


def _run(
    console: Console,
    store: Store,
    bank: Bank,
    queue_items: list[Item],
    cards: dict[str, CardState],
    config: SchedulerConfig,
    *,
    kind: str,
    seed: int | None,
    day_end: datetime,
    items: list[Item],
    settings: Settings,
    status: str = "",
) -> None:
    import random
    from dataclasses import replace
    from datetime import timedelta

    from certdrill import clock
    from certdrill.session import MISSED_RULES, Outcome, Rules, Session
    from certdrill.ui import render
    from certdrill.ui.loop import run_session

    rules = MISSED_RULES if kind == "missed" else Rules(learn_ahead=timedelta(minutes=settings.learn_ahead))
    rules = replace(rules, pause_after_answer=sys.stdin.isatty())
    session = Session(queue_items, cards, bank=bank.name, kind=kind, config=config, rules=rules, rng=random.Random(seed), last_review_id=store.last_review_id())

    def save(outcome: Outcome) -> None:
        session.cards[outcome.review.item_id] = store.record(outcome.review, outcome.card, prior=outcome.prior, config=config)

    def save_amend(outcome: Outcome) -> None:
        session.cards[outcome.review.item_id] = store.amend_rating(outcome.review.id, outcome.review.rating, outcome.card, config=config)

    interrupted = False
    try:
        run_session(session, console, save=save, save_amend=save_amend, now=clock.now, status=lambda: status)
    except KeyboardInterrupt:
        interrupted = True
        console.print()
    ids = {i.id for i in items}
    later = cards_for(store, session.config, clock.now(), due_before=day_end + timedelta(days=1))
    today = sum(1 for item_id, c in later.items() if item_id in ids and c.due < day_end) + sum(1 for i in session.todo if i.id in session.new_ids)
    tomorrow = sum(1 for item_id, c in later.items() if item_id in ids and c.due >= day_end)
    due = render.DueLater(today, tomorrow, len(session.parked), rules.max_asks)
    console.print(render.summary(session.tally, bank.topic_title, due))
    if interrupted:
        raise typer.Exit(130)


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
