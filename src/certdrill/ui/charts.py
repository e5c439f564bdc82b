"""Terminal charts for `certdrill stats`, built from Rich Text; each has a plain-text form.

The plain form (tables and numbers, no block characters, no colour) is what NO_COLOR, TERM=dumb,
pipes and terminals narrower than 60 columns get: see `ui.console.plain_terminal`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from certdrill.drill.exam import PASS_SCALED
from certdrill.insight.confusions import Confusion
from certdrill.insight.plan import NEW_ITEM_PRIOR, Plan, Readiness
from certdrill.insight.readiness import Calibration, ScoreForecast
from certdrill.insight.stats import Heatmap, Retention, TopicMastery, Totals
from certdrill.ui.render import safe

SHADES = "░▒▓█"
SHADE_STYLES = ("green4", "green3", "green1", "bold bright_green")
EIGHTHS = " ▁▂▃▄▅▆▇█"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NARROW = 60  # below this, plain tables shorten dates and day names
FORECAST_HEIGHT = 6


def percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.0f}%"


def odds(chance: float) -> str:
    """A chance as a whole percent, never a certainty it is not: 'over 99%', 'under 1%'."""
    if chance > 0.99:
        return "over 99%"
    if chance < 0.01:
        return "under 1%"
    return f"{100 * chance:.0f}%"


def duration(ms: int) -> str:
    seconds = round(ms / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def _table(*columns: str, right_from: int = 1) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for n, column in enumerate(columns):
        table.add_column(column, justify="right" if n >= right_from else "left")
    return table


def figures(today: Totals, overall: Totals, retention: Retention, streak: int, mock_exams: Sequence = ()) -> Group:
    """The headline numbers; `mock_exams` are scored exams (store.exams rows), oldest first."""
    table = _table("", "Today", "Overall")
    table.add_row("Reviews", str(today.reviews), str(overall.reviews))
    table.add_row("Time spent", duration(today.time_ms), duration(overall.time_ms))
    table.add_row("Accuracy", percent(today.accuracy), percent(overall.accuracy))
    lines: list[RenderableType] = [table, Text()]
    if retention.mature:
        lines.append(Text(f"True retention: {percent(retention.value)} ({retention.right} of {retention.mature} recalls of mature items right)"))
    else:
        lines.append(Text("True retention: – (no recalls of mature items yet)"))
    lines.append(Text(f"Streak: {streak} day{'s' if streak != 1 else ''}"))
    if mock_exams:
        last = mock_exams[-1]
        when = last.started_at.astimezone().date().isoformat()
        best = max(e.scaled for e in mock_exams)
        lines.append(Text(f"Mock exams: {len(mock_exams)} scored; last {last.scaled} on {when} ({'pass' if last.passed else 'fail'}), best {best}"))
    return Group(*lines)


def _level(count: int, top: int) -> int:
    return 0 if count <= 0 or top <= 0 else max(1, math.ceil(len(SHADES) * count / top))


def heatmap(h: Heatmap, *, plain: bool, width: int) -> RenderableType:
    title = Text(f"Reviews, last {len(h.weeks)} weeks", style="bold")
    if not any(h.counts.values()):
        return Group(title, Text(f"No reviews since {h.start.isoformat()}."))
    if plain:
        first = min(d for d, n in h.counts.items() if n)
        start = first - timedelta(days=first.weekday())
        return Group(title, week_table(start, h.today, h.counts, width=width))
    top = max(h.counts.values())
    weeks = h.weeks
    lines = [title, _month_labels([h.start + timedelta(weeks=w) for w in range(len(weeks))], gutter=4)]
    for d, name in enumerate(WEEKDAYS):
        line = Text(f"{name} " if d % 2 == 0 else "    ", style="dim")
        for week in weeks:
            count = week[d]
            level = 0 if count is None else _level(count, top)
            if count is None:
                line.append("  ")
            elif level == 0:
                line.append("· ", style="dim")
            else:
                line.append(SHADES[level - 1] + " ", style=SHADE_STYLES[level - 1])
        lines.append(line)
    legend = Text("    less ", style="dim")
    for n, shade in enumerate(SHADES):
        legend.append(shade, style=SHADE_STYLES[n])
    legend.append(f" more (busiest day: {top})", style="dim")
    lines.append(legend)
    return Group(*lines)


def _month_labels(mondays: Sequence[date], gutter: int, cell: int = 2) -> Text:
    line, used, last_month = Text(" " * gutter, style="dim"), gutter, None
    for n, monday in enumerate(mondays):
        at = gutter + n * cell
        if monday.month != last_month and at >= used:
            line.append(" " * (at - used) + monday.strftime("%b"))
            used = at + 3
        last_month = monday.month
    return line


def week_table(start: date, last: date, counts: dict[date, int], *, width: int, since: date | None = None) -> Table:
    """Plain form of a calendar: a row a week from Monday `start`, a column a weekday, and the week's total."""
    narrow = width < NARROW
    table = _table("Week of", *(d[:2] if narrow else d for d in WEEKDAYS), "Total")
    table.columns[0].no_wrap = True
    monday = start
    while monday <= last:
        days = [monday + timedelta(days=d) for d in range(7)]
        shown = [d for d in days if (since is None or d >= since) and d <= last]
        cells = [str(counts.get(d, 0)) if d in shown else "" for d in days]
        table.add_row(monday.strftime("%m-%d") if narrow else monday.isoformat(), *cells, str(sum(counts.get(d, 0) for d in shown)))
        monday += timedelta(weeks=1)
    return table


def forecast(by_day: dict[date, int], *, plain: bool, width: int) -> RenderableType:
    days = sorted(by_day)
    total = sum(by_day.values())
    title = Text(f"Due, next {len(days)} days: {total} reviews", style="bold")
    if not total:
        return Group(title, Text("Nothing scheduled yet."))
    if plain:
        today = days[0]
        return Group(title, week_table(today - timedelta(days=today.weekday()), days[-1], by_day, width=width, since=today))
    top = max(by_day.values())
    gutter = len(str(top)) + 1
    cell = 2 if gutter + 2 * len(days) <= width else 1
    lines = [title]
    for row in range(FORECAST_HEIGHT - 1, -1, -1):
        label = str(top) if row == FORECAST_HEIGHT - 1 else ("0" if row == 0 else "")
        line = Text(label.rjust(gutter - 1) + "│", style="dim")
        for day in days:
            eighths = round(by_day[day] / top * FORECAST_HEIGHT * 8)
            filled = min(8, max(0, eighths - row * 8))
            if by_day[day] and row == 0 and filled == 0:
                filled = 1  # a day with anything due is never drawn empty
            line.append(EIGHTHS[filled] + " " * (cell - 1), style="cyan")
        lines.append(line)
    axis = " " * gutter + "".join(("today" if n == 0 else days[n].strftime("%m-%d")).ljust(7 * cell) for n in range(0, len(days), 7))
    lines.append(Text(axis[: gutter + cell * len(days)].rstrip(), style="dim"))
    return Group(*lines)


def mastery(rows: Sequence[TopicMastery], *, plain: bool, width: int) -> RenderableType:
    title = Text("Mastery now (mean predicted recall; items never seen count 0)", style="bold")
    if plain:
        table = _table("Topic", "Recall", "Seen")
        table.columns[0].overflow = "ellipsis"
        table.columns[0].no_wrap = True
        table.columns[0].max_width = max(10, width - 16)  # room for the numbers
        for row in rows:
            table.add_row(safe(row.title), percent(row.recall), f"{row.seen}/{row.items}")
        return Group(title, table)
    name_width = min(28, max((len(r.title) for r in rows), default=0))
    bar_width = max(10, min(30, width - name_width - 20))
    lines = [title]
    for row in rows:
        shown = row.title if len(row.title) <= name_width else row.title[: name_width - 1] + "…"
        name = safe(shown.ljust(name_width) + " ")
        eighths = round(row.recall * bar_width * 8)
        full, part = divmod(eighths, 8)
        bar = "█" * full + (EIGHTHS[part] if part else "")
        name.append(bar, style="green")
        name.append("░" * (bar_width - len(bar)), style="dim")
        name.append(f" {percent(row.recall):>4}  {row.seen}/{row.items} seen", style="")
        lines.append(name)
    return Group(*lines)


def confusions(found: Sequence[Confusion]) -> RenderableType:
    title = Text("What you mistake for what", style="bold")
    if not found:
        return Group(title, Text("No wrong picks yet."))
    lines: list[RenderableType] = [title]
    for c in found:
        if max(len(c.picked), len(c.answer)) > SHORT_CHOICE:
            lines.append(_long_confusion(c))
            continue
        line = Text("  picked ")
        line.append_text(safe(c.picked, "italic"))
        line.append(" when it was ")
        line.append_text(safe(c.answer, "italic"))
        line.append(f": {c.count}×")
        if len(c.item_ids) > 1:
            line.append(f" ({len(c.item_ids)} items)", style="dim")
        lines.append(line)
    lines.append(Text("Drill them: certdrill missed --confusions", style="dim"))
    return Group(*lines)


SHORT_CHOICE = 40  # longer choice texts are sentences: one line each, not run together


def _long_confusion(c: Confusion) -> RenderableType:
    """A confusion between sentences: the count, then each text on its own line under a label."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column(overflow="fold")
    grid.add_row("    picked", safe(c.picked, "italic"))
    grid.add_row("    when it was", safe(c.answer, "italic"))
    head = Text(f"  {c.count}×")
    if len(c.item_ids) > 1:
        head.append(f" ({len(c.item_ids)} items)", style="dim")
    return Group(head, grid)


def exam(r: Readiness, plan: Plan | None) -> RenderableType:
    when = "today" if r.days_left == 0 else f"in {r.days_left} day{'s' if r.days_left != 1 else ''}"
    lines = [Text(f"Exam on {r.exam_day.isoformat()} ({when})", style="bold")]
    lines.append(Text(f"Predicted recall of the bank on exam day if you stop now: {percent(r.recall)}"))
    lines.append(Text(f"  (FSRS forgetting curve per item; items never seen count as {NEW_ITEM_PRIOR:.2f}, a guess among four)", style="dim"))
    if r.forecast is not None:
        lines.extend(score_forecast(r.forecast))
    if plan is not None:
        lines.extend(plan_summary(plan))
    return Group(*lines)


def score_forecast(f: ScoreForecast) -> list[Text]:
    """The predicted score, its 80% interval and the chance of passing, in words a learner can bet on."""
    n = f.error.exams
    source = "default until your mock exams say otherwise" if n == 0 else f"fitted to your {n} mock exam{'s' if n != 1 else ''}"
    passes = f.score >= PASS_SCALED
    verdict = Text(" pass" if passes else " below the pass mark", style="bold green" if passes else "bold red")
    line = Text(f"Predicted mock-exam score: {f.score} / 1000 (pass {PASS_SCALED}):")
    line.append_text(verdict)
    low, high = f.interval
    return [
        line,
        Text(f"  80% likely between {low} and {high}; chance of passing {odds(f.pass_chance)} ({f.questions} questions)"),
        Text("  (each question right by recall, or by a lucky guess among its choices, if you stop studying now)", style="dim"),
        Text(f"  (allowing for the model's own error: shift {f.error.shift:+.2f}, spread {f.error.spread:.2f}; {source})", style="dim"),
    ]


def calibration(c: Calibration) -> RenderableType:
    """How the predictions did on the learner's own mock exams: trust the interval above as far as this says."""
    return Group(
        Text(f"Predictions of your {c.exams} mock exams: predicted − actual {c.bias:+.0f} points on average (mean error {c.mean_abs_error:.0f})"),
        Text(f"  {c.inside:.0%} of scores inside their 80% interval; pass chance Brier score {c.brier:.3f} (0 is perfect, 0.25 a coin flip)"),
        Text(f"  per question log loss: recall or guess {c.log_loss_guess:.3f}, recall only {c.log_loss_recall:.3f} (lower predicts better)", style="dim"),
    )


def plan_summary(plan: Plan) -> list[Text]:
    if not plan.days:
        return [Text("No study days left before the exam.")]
    peak = plan.peak or plan.days[0]
    span = f"the next {len(plan.days)} days" if plan.truncated else f"{len(plan.days)} study day{'s' if len(plan.days) != 1 else ''} left"
    lines = [
        Text(f"Plan ({span}): about {plan.mean_per_day:.0f} questions a day, at most {peak.reviews + peak.new} ({peak.day.isoformat()})"),
        Text("  (one session a day, every answer right: each wrong answer adds reviews)", style="dim"),
    ]
    if plan.all_seen and plan.unseen:
        lines.append(Text(f"Every item seen at least once by {plan.last_new_day.isoformat() if plan.last_new_day else 'now'}."))
    elif not plan.all_seen:
        lines.append(
            Text(
                f"Not enough new items a day: {plan.unseen_at_end} would never be seen before the exam; "
                f"set new-per-day to {plan.new_needed} or more (certdrill config set new-per-day {plan.new_needed}).",
                style="yellow",
            )
        )
    last = "last planned day" if plan.truncated else "last day before the exam"
    if plan.backlog_cleared:
        lines.append(Text(f"No backlog on the {last}."))
    else:
        lines.append(
            Text(
                f"Not enough reviews a day: {plan.backlog_at_end} due reviews would be left on the {last}; "
                f"the busiest day needs {plan.reviews_needed} (certdrill config set reviews-per-day {plan.reviews_needed}).",
                style="yellow",
            )
        )
    return lines


def plan_table(plan: Plan) -> Table:
    table = _table("Day", "Due", "Reviews", "New", "Total")
    for d in plan.days:
        table.add_row(d.day.isoformat(), str(d.due), str(d.reviews), str(d.new), str(d.reviews + d.new))
    return table
