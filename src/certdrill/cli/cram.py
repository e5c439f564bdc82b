"""`certdrill cram`: practise what is not due yet, most at risk first, without wrecking the schedule."""

from __future__ import annotations

from typing import Annotated

import typer

from certdrill.cli.common import err_line, errors_to_exit, present_drill, synced
from certdrill.cli.options import BankPaths, ExamDate, Seed, Topics, Unreviewed, check_range


@errors_to_exit
@synced
def cram(
    bank: BankPaths = None,
    topic: Topics = None,
    count: Annotated[int, typer.Option("--count", help="Items at most (1-10000).")] = 20,
    due_within: Annotated[float | None, typer.Option("--due-within", metavar="DAYS", help="Only items due within this many days after today.")] = None,
    weakest: Annotated[bool, typer.Option("--weakest", help="Lowest stability first (instead of lowest predicted recall now).")] = False,
    exam_date: ExamDate = None,
    include_unreviewed: Unreviewed = False,
    seed: Seed = None,
) -> None:
    """Practise items that are not due, most at risk first (lowest predicted recall now).

    Answers are logged with kind cram and scheduled as early reviews: FSRS gives a review long before its due date a smaller stability gain, so cramming does not push items out of reach (benchmarks/cram.py). New items are left to study.

    Examples:
        certdrill cram --count 10
        certdrill cram --topic iam --due-within 3
        certdrill cram --weakest
    """
    from certdrill import clock
    from certdrill.services.cram import start_cram

    check_range("--count", count, 1, 10_000)
    check_range("--due-within", due_within, 0, 36_500)
    drill = start_cram(
        bank,
        topic,
        count=count,
        due_within=due_within,
        weakest=weakest,
        exam_date=exam_date,
        include_unreviewed=include_unreviewed,
        now=clock.now(),
        warn=err_line,
    )
    present_drill(drill, seed, title="Cram summary")


def register(app: typer.Typer) -> None:
    app.command()(cram)
