"""The mock exam on screen: questions with a countdown, the overview, the result and the review.

The loop reads a line, hands it to the pure `Exam` with the time it arrived, and saves whatever
answer or flag changed before drawing anything else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Console, Group, JustifyMethod
from rich.table import Table
from rich.text import Text

from certdrill.bank.items import LETTERS
from certdrill.clock import parse_instant
from certdrill.drill.exam import CONFIRM, FINAL, OVERVIEW, PASS_SCALED, QUESTION, Exam, Result, Step, format_left
from certdrill.ui import render
from certdrill.ui.prompt import read_line

if TYPE_CHECKING:
    from certdrill.insight.readiness import ExamPrediction

KEYS = "a-d answers (ac for choose two; t/f for true/false) · Enter/n next · p back · g 12 go to · ! flag · l list · s submit · q abandon"
SCALE = "Scaled score = 100 + 900 × right / questions, rounded; 720 passes (a linear stand-in: AWS's own scaling is not public)."
TRUEFALSE_HINT = "(t = true, f = false)"


def run_exam(exam: Exam, console: Console, *, now: Callable[[], datetime], save: Callable[[int], None]) -> Step:
    """Until submitted, abandoned or out of time; the returned Step says which. Ctrl-C propagates."""
    step = exam.start(now())
    if step.kind == QUESTION:
        console.print(Text(KEYS, style="dim"))
        console.print()
    while step.kind not in FINAL:
        show(console, exam, step, now())
        line = read_line(console, "y/n > " if step.kind == CONFIRM else "Answer or key > ", interruptible=True)
        step = exam.end_of_input(now()) if line is None else exam.handle(line, now())
        if step.changed is not None:
            save(step.changed)
    if step.message:
        console.print(Text(step.message, style="bold yellow"))
    return step


def show(console: Console, exam: Exam, step: Step, now: datetime) -> None:
    if step.message:
        console.print(Text(step.message, style="bold" if step.kind == CONFIRM else "yellow"))
    if step.kind == QUESTION:
        console.print()
        console.print(question(exam, now))
    elif step.kind == OVERVIEW:
        console.print(overview(exam, now))


def answer_letters(chosen: tuple[int, ...], order: tuple[int, ...]) -> str:
    return "".join(sorted(LETTERS[order.index(i)] for i in chosen))


def question(exam: Exam, now: datetime) -> Group:
    position, item, order = exam.current, exam.item(), exam.order()
    head = Text(f"Question {position + 1} of {len(exam.items)}  ·  {format_left(exam.left(now))} left", style="bold")
    if exam.flagged[position]:
        head.append("  ·  flagged", style="bold magenta")
    parts: list = [render.question(item, order, head, truefalse_hint=TRUEFALSE_HINT)]
    chosen = exam.answers[position]
    if chosen is not None:
        parts.append(Text(f"Your answer: {answer_letters(chosen, order)}", style="cyan"))
    return Group(*parts)


def overview(exam: Exam, now: datetime) -> Group:
    lines = [Text("All questions (letters: your answer · -: unanswered · F: flagged)", style="bold")]
    cells = []
    for position in range(len(exam.items)):
        chosen = exam.answers[position]
        letters = answer_letters(chosen, exam.order(position)) if chosen is not None else "-"
        cells.append(f"{position + 1:>3} {letters:<5}{'F' if exam.flagged[position] else ' '}")
    for start in range(0, len(cells), 8):
        lines.append(Text("  ".join(cells[start : start + 8])))
    flagged = len(exam.flagged_positions())
    lines.append(Text(f"{exam.answered_count()} of {len(exam.items)} answered · {flagged} flagged · {format_left(exam.left(now))} left", style="bold"))
    lines.append(Text())
    return Group(*lines)


def result(res: Result, topic_title: Callable[[str], str]) -> Group:
    verdict = Text(f"Score {res.scaled} / 1000  ·  ", style="bold")
    verdict.append("PASS" if res.passed else "FAIL", style="bold green" if res.passed else "bold red")
    verdict.append(f"  (pass line {PASS_SCALED})", style="dim")
    percent = 100.0 * res.correct / res.total if res.total else 0.0
    detail = f"{res.correct} of {res.total} right ({percent:.0f}%)"
    if res.answered < res.total:
        detail += f"; {res.total - res.answered} unanswered, counted wrong"
    table = Table(show_edge=False, pad_edge=False, box=None)
    columns: tuple[tuple[str, JustifyMethod], ...] = (("Topic", "left"), ("Questions", "right"), ("Right", "right"), ("%", "right"))
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for topic, score in res.per_topic.items():
        table.add_row(render.safe(topic_title(topic)), str(score.total), str(score.correct), f"{score.percent:.0f}")
    return Group(Text("Exam result", style="bold"), verdict, Text(detail), Text(SCALE, style="dim"), Text(), table, Text())


def predicted_vs_actual(prediction: ExamPrediction) -> Text:
    """What certdrill predicted when the exam was drawn, against the score: the learner's own check of the prediction."""
    line = Text(f"Predicted when drawn: {prediction.score} (80% likely {prediction.low}-{prediction.high}, chance of passing {prediction.pass_chance:.0%}); ")
    line.append(f"you scored {prediction.actual}, ")
    line.append(
        "inside the interval." if prediction.inside else ("above the interval." if (prediction.actual or 0) > prediction.high else "below the interval.")
    )
    return line


def missed_review(exam: Exam, positions: Sequence[int], topic_title: Callable[[str], str]) -> Group:
    if not positions:
        return Group(Text("No missed questions.", style="bold green"))
    parts: list = [Text(f"Review: {len(positions)} missed", style="bold"), Text()]
    for position in positions:
        item, order, chosen = exam.item(position), exam.order(position), exam.answers[position]
        head = Text(f"Question {position + 1}", style="bold")
        head.append("  ·  ")
        head.append_text(render.safe(topic_title(item.topic), style="dim"))
        parts.append(render.question(item, order, head, truefalse_hint=""))
        mine = Text("Your answer: ", style="bold")
        if chosen is None:
            mine.append("none (unanswered)")
        parts.append(mine)
        for index in sorted(chosen or (), key=order.index):
            line = Text(f"  {LETTERS[order.index(index)]}) ", style="red")
            line.append_text(render.safe(item.choices[index]))
            parts.append(line)
        parts.append(render.feedback(item, order, chosen, False, every_rationale=True))
    return Group(*parts)


def confirm(console: Console, question: str) -> bool | None:
    """y/n, asked again until answered; None at end of input."""
    while True:
        console.print(Text(question, style="bold"))
        line = read_line(console, "y/n > ")
        if line is None:
            return None
        if line.lower() in ("y", "yes", "n", "no"):
            return line.lower().startswith("y")


def history(entries: Sequence[dict], console: Console) -> None:
    """Past exams as a table (entries as `certdrill exam --history --json` prints them), then the trend."""
    if not entries:
        console.print("No exams yet: certdrill exam starts one.")
        return
    table = Table(show_edge=False, pad_edge=False, box=None)
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"),
        ("Date", "left"),
        ("Bank", "left"),
        ("Questions", "right"),
        ("Score", "right"),
        ("Result", "left"),
        ("Duration", "right"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for e in entries:
        when = parse_instant(e["started_at"]).astimezone().strftime("%Y-%m-%d %H:%M")
        outcome = {"submitted": "PASS" if e["passed"] else "FAIL", "abandoned": "abandoned"}.get(e["status"], "in progress")
        score = "" if e["scaled"] is None else str(e["scaled"])
        duration = "" if e["duration_seconds"] is None else _duration(e["duration_seconds"])
        table.add_row(str(e["id"]), when, render.safe(e["bank"]), str(e["questions"]), score, outcome, duration)
    console.print(table)
    scores = [e["scaled"] for e in entries if e["status"] == "submitted"]
    if len(scores) >= 2:
        recent = scores[-8:]
        change = recent[-1] - recent[0]
        console.print(Text(f"Trend (last {len(recent)}): {' → '.join(map(str, recent))}  ({change:+d})"))


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
