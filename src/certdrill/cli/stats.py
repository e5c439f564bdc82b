"""`certdrill stats`: progress figures, charts, confusions, and exam-day readiness with a plan."""

from __future__ import annotations

from typing import Annotated

import typer

from certdrill.cli.common import errors_to_exit, out_console
from certdrill.cli.options import BankPaths, ExamDate, Topics
from certdrill.text import inert_json


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

    With an exam date (config set exam-date, or --exam-date): the predicted share of the bank recalled on that day (FSRS forgetting curve; items never seen count as 0.25, a guess among four), the predicted score of a 65-question mock exam that day (each question right by recall or by a lucky guess among its choices: its centre, the 80% interval and the chance of 720 or more; 100-1000 scale, topics weighted as in the bank's exam), how past predictions did on your mock exams, and the daily load until the exam.

    Examples:
        certdrill stats
        certdrill stats --plan --exam-date 2027-03-15
        certdrill stats --json
    """
    from certdrill import clock
    from certdrill.services.stats import stats_report

    report = stats_report(bank, topic, exam_date=exam_date, top=top, plan_wanted=show_plan, now=clock.now())
    if as_json:
        typer.echo(inert_json(report.to_json(), indent=1))
        return
    from certdrill.ui.stats import show_stats

    show_stats(out_console(), report, show_plan=show_plan)
