"""`certdrill exam`: a timed mock exam, resuming one, and the history of past exams."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from certdrill.cli.common import err_line, errors_to_exit, out_console, synced
from certdrill.cli.options import BankPaths, Topics, check_range
from certdrill.errors import InputError
from certdrill.text import inert_json

if TYPE_CHECKING:
    from datetime import datetime

    from rich.console import Console

    from certdrill.services.exam import Running, Sitting


@errors_to_exit
@synced
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

    Examples:
        certdrill exam
        certdrill exam --count 20 --topic iam --topic ecr
        certdrill exam --history --json
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
    from certdrill import clock
    from certdrill.services.exam import open_exam

    console = out_console()
    sitting = open_exam(bank, topic, resume=resume, warn=err_line)
    try:
        for note in sitting.notes:
            console.print(note, markup=False)
        running = sitting.running
        if resume and running is None:
            return
        if running is not None and not resume:
            choice = _offer(console, sitting, running)
            if choice is None:
                return
            if not choice:
                _close(console, sitting, running, abandon=True)
                running = None
        if running is None:
            running = _new(console, sitting, count=count, minutes=minutes, seed=seed, now=clock.now())
        _sit(console, sitting, running)
    finally:
        sitting.close()


def _new(console: Console, sitting: Sitting, *, count: int | None, minutes: int | None, seed: int | None, now: datetime) -> Running:
    from datetime import timedelta

    from certdrill.drill.exam import format_left
    from certdrill.ui.render import safe

    sitting.notes.clear()
    running = sitting.new(count=count, minutes=minutes, seed=seed, now=now)
    for note in sitting.notes:
        console.print(note, markup=False)
    exam = running.exam
    heading = f"Mock exam {running.id} on {sitting.bank.title}: {len(exam.items)} questions, {format_left(timedelta(minutes=exam.minutes))} to answer them."
    console.print(safe(heading, "bold"))
    console.print("No feedback until you submit; every answer is saved as you give it.", markup=False)
    return running


def _offer(console: Console, sitting: Sitting, running: Running) -> bool | None:
    from certdrill import clock
    from certdrill.drill.exam import format_left
    from certdrill.ui.exam import confirm

    row, exam = sitting.current, running.exam
    assert row is not None  # a running exam was restored from it
    started = row.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    left = format_left(exam.left(clock.now()))
    return confirm(
        console,
        f"Exam {row.id}, started {started}, is still in progress ({exam.answered_count()} of {len(exam.items)} answered, {left} left). "
        "Resume it? (n abandons it: not scored, its answers are kept as reviews)",
    )


def _sit(console: Console, sitting: Sitting, running: Running) -> None:
    from certdrill import clock
    from certdrill.drill.exam import ABANDONED
    from certdrill.ui.exam import run_exam

    try:
        step = run_exam(running.exam, console, now=clock.now, save=lambda position: sitting.save(running, position))
    except KeyboardInterrupt:
        from certdrill.ui.console import after_interrupt

        after_interrupt(console)
        console.print(f"Exam {running.id} is left in progress: certdrill exam --resume continues it (the clock keeps running).", markup=False)
        raise
    _close(console, sitting, running, abandon=step.kind == ABANDONED)


def _close(console: Console, sitting: Sitting, running: Running, *, abandon: bool) -> None:
    from certdrill import clock
    from certdrill.ui import exam as ui

    closed = sitting.finish(running, abandon=abandon, now=clock.now())
    if closed.result is None:
        kept = f"its {closed.reviews} {'answer was' if closed.reviews == 1 else 'answers were'}"
        console.print(f"Exam {running.id} abandoned: not scored; {kept} kept as reviews.", markup=False)
        return
    console.print()
    console.print(ui.result(closed.result, sitting.bank.topic_title))
    if closed.prediction is not None:
        console.print(ui.predicted_vs_actual(closed.prediction))
        console.print()
    console.print(ui.missed_review(running.exam, closed.result.missed, sitting.bank.topic_title))
    console.print("certdrill exam --history lists your exams.", markup=False, style="dim")


def _history(as_json: bool) -> None:
    from certdrill.services.exam import exam_history
    from certdrill.ui.exam import history

    entries = exam_history(warn=err_line)
    if as_json:
        typer.echo(inert_json(entries, indent=2))
        return
    history(entries, out_console())
