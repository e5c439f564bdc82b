"""The `stats` report drawn: figures, charts, confusions, exam readiness, the parameters in use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, RenderableType
from rich.text import Text

from certdrill.ui import charts
from certdrill.ui.console import plain_terminal
from certdrill.ui.render import safe

if TYPE_CHECKING:
    from certdrill.insight.optimize import ParametersInUse
    from certdrill.services.stats import StatsReport


LEECHES_SHOWN = 20  # a screenful: a learner with thousands of leeches (5,992 in benchmarks/generate.py's) took seconds to lay out


def show_stats(console: Console, report: StatsReport, *, show_plan: bool) -> None:
    plain = plain_terminal(console)
    console.print(safe(f"{report.bank.title}: progress on {report.today.isoformat()}", "bold"))
    parts: list[RenderableType] = [
        charts.figures(report.day, report.overall, report.retention, report.streak, report.mock_exams),
        charts.heatmap(report.heatmap, plain=plain, width=console.width),
        charts.forecast(report.forecast, plain=plain, width=console.width),
        charts.mastery(report.mastery, plain=plain, width=console.width),
        charts.confusions(report.confusions),
    ]
    if report.leeches:
        from certdrill.ui.controls import leech_table

        shown = report.leeches[:LEECHES_SHOWN]
        more = f"; the {len(shown)} with most lapses below, stats --json lists all" if len(shown) < len(report.leeches) else ""
        parts.append(leech_table(shown, f"Leeches: {len(report.leeches)} (certdrill missed --leeches drills them{more})"))
    if report.suspended:
        parts.append(Text(f"Suspended: {len(report.suspended)} of {report.items} items, never asked until unsuspended (certdrill unsuspend ID)."))
    if report.readiness is not None:
        parts.append(charts.exam(report.readiness, report.plan))
        if report.calibration is not None:
            parts.append(charts.calibration(report.calibration))
        if show_plan and report.plan is not None and report.plan.days:
            parts.append(charts.plan_table(report.plan))
    elif report.exam_day is not None:
        parts.append(Text(f"The exam date {report.exam_day.isoformat()} has passed: set a new one with certdrill config set exam-date YYYY-MM-DD."))
    else:
        parts.append(Text("No exam date: certdrill config set exam-date YYYY-MM-DD (or --exam-date) predicts your score on that day.", style="dim"))
    parts.append(Text(parameters_line(report.parameters), style="dim"))
    for part in parts:
        console.print()
        console.print(part)


def parameters_line(in_use: ParametersInUse) -> str:
    """One line: which parameters are in use and how they did on held-out reviews at the last check."""
    source = "fitted to your reviews" if in_use.fitted else "fsrs's defaults"
    record = in_use.record
    if record is None:
        return f"FSRS parameters: {source} (run certdrill optimize once you have a few hundred reviews)."
    return (
        f"FSRS parameters: {source}; on held-out reviews at the last check ({record.checked_at[:10]}, {record.reviews:,} reviews): "
        f"log loss {record.score.log_loss:.4f}, RMSE(bins) {record.score.rmse_bins:.4f}."
    )
