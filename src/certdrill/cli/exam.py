"""`certdrill exam`: a timed mock exam, resuming one, and the history of past exams."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from certdrill.cli.common import catch_up, check_range, errors_to_exit, filter_topics, load_banks, load_settings, open_store, out_console
from certdrill.cli.study import BankPaths, Topics, scheduler_config
from certdrill.errors import InputError

if TYPE_CHECKING:
    from certdrill.exam import Exam


@errors_to_exit
def exam(
    bank: BankPaths = None,
    topic: Topics = None,
    count: Annotated[int | None, typer.Option("--count", "-n", help="Questions (default 65; at most the eligible ones).")] = None,
    minutes: Annotated[int | None, typer.Option("--minutes", help="Time limit (default: questions × the bank's minutes_per_question, 2).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for drawing questions and shuffling choices (repeatable exams).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the exam in progress on this bank (answers are saved as you go).")] = False,
    history: Annotated[bool, typer.Option("--history", help="List past exams: date, questions, score, pass/fail, duration.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --history: as a JSON array.")] = False,
) -> None:
    """A timed mock exam like SOA-C03 / DVA-C02: questions drawn across topics by the bank's weights, no feedback until you submit.

    Only multiple-choice items are asked (no flashcards, no needs-review items). Score: 100 + 900 × right / questions, rounded, on the exams' 100-1000 scale; 720 passes. The mapping is linear because AWS's real scaling is not public. Every answer also counts as a review for the scheduler.

    In the exam: letters answer, Enter/n next, p back, g 12 go to, f flag, l list, s submit, q abandon. End of input submits; Ctrl-C leaves the exam for --resume (the clock keeps running).
    """
    if as_json and not history:
        raise InputError("--json goes with --history")
    if history:
        _history(as_json)
        return
    if resume and (count is not None or minutes is not None or seed is not None or topic):
        raise InputError("--resume continues the exam as it was drawn; --count, --minutes, --topic and --seed do not apply")
    check_range("--count", count, 1, 10_000)
    check_range("--minutes", minutes, 1, 10_000)
    check_range("--seed", seed, 0, 2**63 - 1)
    from certdrill.store import exams

    the_bank = load_banks(bank)
    items = filter_topics(the_bank, topic)
    console = out_console()
    store = open_store()
    try:
        config = scheduler_config(load_settings(), store=store)
        catch_up(store, the_bank, config)
        current = next((row for row in exams.in_progress(store) if row.bank == the_bank.name), None)
        if resume and current is None:
            others = sorted({row.bank for row in exams.in_progress(store)})
            hint = f" (there is one on {', '.join(others)}: pass the --bank it was started with)" if others else ""
            raise InputError(f"--resume: no exam in progress on {the_bank.name}{hint}")
        running = _restore(store, current, the_bank, console) if current is not None else None
        if resume and running is None:
            return
        if running is not None and not resume:
            choice = _offer(console, current, running)
            if choice is None:
                return
            if not choice:
                _close(console, store, running, the_bank, config, abandon=True)
                running = None
        if running is None:
            running = _new(console, store, the_bank, items, count=count, minutes=minutes, seed=seed)
        _sit(console, store, running, the_bank, config)
    finally:
        store.close()


@dataclass
class _Running:
    """An exam with its row id and the item ids its answer rows are stored under."""

    id: int
    exam: Exam
    stored_ids: list[str]


def _new(console, store, the_bank, items, *, count, minutes, seed) -> _Running:
    import random
    from datetime import timedelta

    from certdrill import clock
    from certdrill.exam import DEFAULT_COUNT, Exam, draw_exam, eligible, format_left
    from certdrill.store import exams

    pool = eligible(items, the_bank.weights)
    if not pool:
        raise InputError("no questions to draw: an exam asks only multiple-choice items (not flashcards, not status: needs-review)")
    wanted = count or DEFAULT_COUNT
    if wanted > len(pool):
        console.print(f"Note: only {len(pool)} eligible multiple-choice questions, so the exam has {len(pool)} instead of {wanted}.", markup=False)
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    drawn = draw_exam(items, the_bank.weights, wanted, random.Random(seed))
    limit = minutes or len(drawn) * the_bank.minutes_per_question
    now = clock.now()
    exam_id = exams.start(store, bank=the_bank.name, started_at=now, minutes=limit, seed=seed, item_ids=[i.id for i in drawn])
    console.print(
        f"Mock exam {exam_id} on {the_bank.title}: {len(drawn)} questions, {format_left(timedelta(minutes=limit))} to answer them.",
        markup=False,
        style="bold",
    )
    console.print("No feedback until you submit; every answer is saved as you give it.", markup=False)
    return _Running(exam_id, Exam(tuple(drawn), now, limit, seed), [i.id for i in drawn])


def _restore(store, row, the_bank, console) -> _Running | None:
    """The saved exam on today's bank text; questions since removed from the bank are left out.

    An exam with no question left is closed as abandoned (None): there is nothing to resume.
    """
    from certdrill.exam import Exam
    from certdrill.store import exams

    by_id = the_bank.by_id()
    by_id.update({old: item for item in the_bank.items for old in item.previous_ids if old not in by_id})
    kept = [(saved, by_id[saved.item_id]) for saved in exams.answers(store, row.id) if saved.item_id in by_id]
    if len(kept) < row.count:
        console.print(f"Note: {row.count - len(kept)} questions of exam {row.id} are no longer in the bank and are left out.", markup=False)
    if not kept:
        exams.finish(store, row.id, status=exams.ABANDONED, finished_at=row.started_at, result=None, reviews=[])
        return None

    def valid(saved, item):
        return saved.chosen if saved.chosen is not None and all(i < len(item.choices) for i in saved.chosen) else None

    exam = Exam(
        tuple(item for _, item in kept),
        row.started_at,
        row.minutes,
        row.seed,
        answers=[valid(saved, item) for saved, item in kept],
        answered_at=[saved.answered_at if valid(saved, item) is not None else None for saved, item in kept],
        flagged=[saved.flagged for saved, _ in kept],
    )
    unanswered = exam.unanswered()
    exam.current = unanswered[0] if unanswered else 0
    return _Running(row.id, exam, [saved.item_id for saved, _ in kept])


def _offer(console, row, running: _Running) -> bool | None:
    from certdrill import clock
    from certdrill.exam import format_left
    from certdrill.ui.exam import confirm

    exam = running.exam
    started = row.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    left = format_left(exam.left(clock.now()))
    return confirm(
        console,
        f"Exam {row.id}, started {started}, is still in progress ({exam.answered_count()} of {len(exam.items)} answered, {left} left). "
        "Resume it? (n abandons it: not scored, its answers are kept as reviews)",
    )


def _sit(console, store, running: _Running, the_bank, config) -> None:
    from certdrill import clock
    from certdrill.exam import ABANDONED
    from certdrill.store import exams
    from certdrill.ui.exam import run_exam

    exam = running.exam

    def save(position: int) -> None:
        saved = exams.SavedAnswer(position, running.stored_ids[position], exam.answers[position], exam.answered_at[position], exam.flagged[position])
        exams.save_answer(store, running.id, saved)

    try:
        step = run_exam(exam, console, now=clock.now, save=save)
    except KeyboardInterrupt:
        console.print(f"Exam {running.id} is left in progress: certdrill exam --resume continues it (the clock keeps running).", markup=False)
        raise
    _close(console, store, running, the_bank, config, abandon=step.kind == ABANDONED)


def _close(console, store, running: _Running, the_bank, config, *, abandon: bool) -> None:
    """Log every answer as a review; score the exam unless it was abandoned."""
    from certdrill import clock
    from certdrill.store import exams
    from certdrill.ui import exam as ui

    exam = running.exam
    finished = min(clock.now(), exam.deadline)
    reviews = exam.reviews(store.cards(), bank=the_bank.name, session_id=f"exam-{running.id}", config=config)
    if abandon:
        exams.finish(store, running.id, status=exams.ABANDONED, finished_at=finished, result=None, reviews=reviews)
        kept = f"its {len(reviews)} {'answer was' if len(reviews) == 1 else 'answers were'}"
        console.print(f"Exam {running.id} abandoned: not scored; {kept} kept as reviews.", markup=False)
        return
    result = exam.score()
    exams.finish(store, running.id, status=exams.SUBMITTED, finished_at=finished, result=result, reviews=reviews)
    console.print()
    console.print(ui.result(result, the_bank.topic_title))
    console.print(ui.missed_review(exam, result.missed, the_bank.topic_title))
    console.print("certdrill exam --history lists your exams.", markup=False, style="dim")


def _history(as_json: bool) -> None:
    from certdrill import clock
    from certdrill.store import exams
    from certdrill.ui.exam import history

    store = open_store()
    try:
        rows = exams.history(store)
    finally:
        store.close()
    entries = [
        {
            "id": r.id,
            "bank": r.bank,
            "status": r.status,
            "started_at": clock.iso(r.started_at),
            "finished_at": clock.iso(r.finished_at) if r.finished_at else None,
            "duration_seconds": round((r.finished_at - r.started_at).total_seconds()) if r.finished_at else None,
            "minutes": r.minutes,
            "questions": r.count,
            "answered": r.answered,
            "correct": r.correct,
            "scaled": r.scaled,
            "passed": r.passed,
            "per_topic": r.per_topic,
        }
        for r in rows
    ]
    if as_json:
        typer.echo(json.dumps(entries, indent=2))
        return
    history(entries, out_console())
