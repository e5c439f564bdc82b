"""`certdrill stats`: progress figures, charts, confusions, and exam-day readiness with a plan."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer

from certdrill.cli.common import errors_to_exit, filter_topics, load_banks, open_store, out_console
from certdrill.cli.study import BankPaths, ExamDate, Topics, cards_for, load_settings_for, scheduler_config


@errors_to_exit
def stats(
    bank: BankPaths = None,
    topic: Topics = None,
    exam_date: ExamDate = None,
    show_plan: Annotated[bool, typer.Option("--plan", help="Also list the planned questions for every day until the exam.")] = False,
    top: Annotated[int, typer.Option("--top", help="How many confusions to show (1-1000).")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Every figure as one JSON object.")] = False,
) -> None:
    """Reviews, time, accuracy, true retention, streak, charts, confusions and exam readiness.

    Accuracy: the share of multiple-choice answers that were right. True retention: the share of recalls of mature items (cards in review whose interval before that answer was 21 days or more) that were right. Streak: consecutive days with a review, ending today or yesterday.

    With an exam date (config set exam-date, or --exam-date): the predicted share of the bank recalled on that day (FSRS forgetting curve; items never seen count as 0.25, a guess among four), the predicted mock-exam score (100 + 900 × predicted share right over multiple-choice items, topics weighted as in the bank's exam; 720 passes) and the daily load until the exam.
    """
    from certdrill import clock
    from certdrill.errors import InputError
    from certdrill.insight import stats as figures
    from certdrill.insight.confusions import counted_confusions
    from certdrill.insight.plan import plan, readiness
    from certdrill.schedule.queue import Limits

    if not 1 <= top <= 1000:
        raise InputError(f"--top: {top} is out of range (1 to 1000)")
    settings = load_settings_for(exam_date)
    if show_plan and settings.exam_date is None:
        raise InputError("--plan needs an exam date: --exam-date YYYY-MM-DD or certdrill config set exam-date YYYY-MM-DD")
    the_bank = load_banks(bank)
    items = [i for i in filter_topics(the_bank, topic) if i.status == "active"]
    ids = {i.id for i in items}
    now = clock.now()
    today = clock.local_day(now)
    day_start, _ = clock.day_bounds(now)
    store = open_store(writable=False)
    try:
        from certdrill.cli.optimize import parameters_summary
        from certdrill.insight.optimize import Record
        from certdrill.store.exams import history
        from certdrill.store.store import ItemScope

        config = scheduler_config(settings, store=store)
        stored = store.parameters()
        parameters = parameters_summary(Record.from_json(stored) if stored else None)
        every_card = cards_for(store, config, now)
        scope = ItemScope.of(ids, studied=every_card)
        totals = store.review_totals(scope)
        today_reviews = [r for r in store.reviews(since=day_start) if r.item_id in ids]
        counts = _daily_counts(store, scope, store.first_review_at(), today)
        counted = store.mature_counts(config)
        wrong = store.wrong_answers()
        cards = {k: c for k, c in every_card.items() if k in ids}
        new_done, reviews_done = store.done_today(day_start)
        mock_exams = [e for e in history(store) if e.bank == the_bank.name and e.scaled is not None]
    finally:
        store.close()

    report = {
        "today": figures.tally(today_reviews),
        "overall": figures.Tally(*totals),
        "retention": figures.counted_retention(counted[k] for k in ids if k in counted),
        "streak": figures.streak(counts, today),
        "heatmap": figures.heatmap(counts, today),
        "forecast": figures.forecast(cards.values(), today),
        "mastery": figures.mastery(items, cards, now, config, the_bank.topic_title),
        "confusions": counted_confusions(items, wrong, top),
        "mock_exams": mock_exams,
        "parameters": parameters,
    }
    ready = the_plan = None
    if settings.exam_date is not None and settings.exam_date >= today:
        ready = readiness(items, cards, exam_day=settings.exam_date, exam_at=config.exam_date, now=now, config=config, weights=the_bank.weights)
        limits = Limits(settings.new_per_day, settings.reviews_per_day)
        the_plan = plan(items, cards, now=now, limits=limits, config=config, new_done_today=new_done, reviews_done_today=reviews_done)

    if as_json:
        typer.echo(json.dumps(_as_json(the_bank, items, now, today, report, settings.exam_date, ready, the_plan), indent=1, ensure_ascii=False))
        return
    _show(the_bank, today, report, settings.exam_date, ready, the_plan, show_plan)


def _daily_counts(store, scope, first, today) -> dict:
    """Reviews a local day, from the first review to today, counted by the store."""
    from certdrill import clock
    from certdrill.insight import stats as figures

    if first is None:
        return {}
    start = min(clock.local_day(first), today)
    edges = figures.day_starts(start, today)
    counts = store.review_histogram(edges, scope)
    return {start + timedelta(days=n): count for n, count in enumerate(counts) if count}


def _as_json(the_bank, items, now, today, report, exam_day, ready, the_plan) -> dict:
    from certdrill.clock import iso

    exam = None
    if exam_day is not None:
        exam = {"date": exam_day.isoformat(), "passed": ready is None}
        if ready is not None:
            exam |= ready.to_json() | {"plan": the_plan.to_json() if the_plan else None}
    return {
        "bank": {"name": the_bank.name, "title": the_bank.title, "items": len(items)},
        "now": iso(now),
        "today": {"date": today.isoformat(), **report["today"].to_json()},
        "overall": report["overall"].to_json(),
        "retention": report["retention"].to_json(),
        "streak": {"days": report["streak"]},
        "heatmap": report["heatmap"].to_json(),
        "forecast": {day.isoformat(): n for day, n in report["forecast"].items()},
        "mastery": [row.to_json() for row in report["mastery"]],
        "confusions": [c.to_json() for c in report["confusions"]],
        "mock_exams": _mock_exams_json(report["mock_exams"]),
        "fsrs": report["parameters"],
        "exam": exam,
    }


def _mock_exams_json(rows) -> dict:
    """Scored mock exams of this bank (certdrill exam --history has them all)."""
    from certdrill.clock import iso

    last = rows[-1] if rows else None
    return {
        "scored": len(rows),
        "best": max((e.scaled for e in rows), default=None),
        "last": None if last is None else {"started_at": iso(last.started_at), "questions": last.count, "scaled": last.scaled, "passed": last.passed},
    }


def _show(the_bank, today, report, exam_day, ready, the_plan, show_plan: bool) -> None:
    from rich.text import Text

    from certdrill.ui import charts
    from certdrill.ui.console import plain_terminal
    from certdrill.ui.render import safe

    console = out_console()
    plain = plain_terminal(console)
    console.print(safe(f"{the_bank.title}: progress on {today.isoformat()}", "bold"))
    parts = [
        charts.figures(report["today"], report["overall"], report["retention"], report["streak"], report["mock_exams"]),
        charts.heatmap(report["heatmap"], plain=plain, width=console.width),
        charts.forecast(report["forecast"], plain=plain, width=console.width),
        charts.mastery(report["mastery"], plain=plain, width=console.width),
        charts.confusions(report["confusions"]),
    ]
    if ready is not None:
        parts.append(charts.exam(ready, the_plan))
        if show_plan and the_plan is not None and the_plan.days:
            parts.append(charts.plan_table(the_plan))
    elif exam_day is not None:
        parts.append(Text(f"The exam date {exam_day.isoformat()} has passed: set a new one with certdrill config set exam-date YYYY-MM-DD."))
    else:
        parts.append(Text("No exam date: certdrill config set exam-date YYYY-MM-DD (or --exam-date) predicts your score on that day.", style="dim"))
    from certdrill.cli.optimize import summary_line

    parts.append(Text(summary_line(report["parameters"]), style="dim"))
    for part in parts:
        console.print()
        console.print(part)
