"""The charts: block characters on a capable terminal, plain tables and numbers otherwise."""

import re
from datetime import date, timedelta

import pytest
from rich.console import Console

from certdrill.insight.confusions import Confusion
from certdrill.insight.stats import TopicMastery, heatmap
from certdrill.ui import charts
from certdrill.ui.console import make_console, plain_terminal

BLOCKS = re.compile("[░▒▓█▁▂▃▄▅▆▇]")
TODAY = date(2026, 11, 23)  # a Monday
COUNTS = {TODAY - timedelta(days=n): n % 5 for n in range(1, 60)} | {TODAY: 7}
FORECAST = {TODAY + timedelta(days=n): (12 if n == 3 else n % 4) for n in range(30)}
MASTERY = [TopicMastery("iam", "IAM for containers", 19, 10, 0.42), TopicMastery("ecr", "[bold]ECR[/bold]", 4, 0, 0.0)]


def render(renderable, width=100) -> str:
    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    console.print(renderable)
    return console.export_text()


@pytest.mark.parametrize("width", [40, 100])
def test_plain_forms_have_numbers_and_no_blocks(width):
    text = "\n".join(
        [
            render(charts.heatmap(heatmap(COUNTS, TODAY), plain=True, width=width), width),
            render(charts.forecast(FORECAST, plain=True, width=width), width),
            render(charts.mastery(MASTERY, plain=True, width=width), width),
        ]
    )
    assert not BLOCKS.search(text)
    week = "11-23" if width < 60 else "2026-11-23"
    assert re.search(week + r"\s+7\s+7", text)  # this week so far: Monday only
    assert re.search(week + r"\s+0\s+1\s+2\s+12\s+0\s+1\s+2\s+18", text)  # forecast, first week
    assert max(len(line) for line in text.splitlines()) <= width
    assert "42%" in text and "10/19" in text and "[bold]ECR[/bold]" in text


def test_plain_forecast_leaves_days_before_today_blank():
    wednesday = TODAY + timedelta(days=2)
    by_day = {wednesday + timedelta(days=n): 1 for n in range(30)}
    text = render(charts.forecast(by_day, plain=True, width=100))
    assert re.search(r"2026-11-23\s+1\s+1\s+1\s+1\s+1\s+5\n", text)  # Mon and Tue are empty


def test_heatmap_chart_has_a_cell_per_day_shaded_by_count():
    lines = render(charts.heatmap(heatmap(COUNTS, TODAY), plain=False, width=100)).splitlines()
    monday = next(line for line in lines if line.startswith("Mon"))
    assert monday.rstrip().endswith("█")  # today is the busiest day
    assert len(monday.rstrip()) == 4 + 2 * 15 + 1
    sunday = lines[lines.index(monday) + 6]
    assert sunday.startswith("Sun · · · · · ·")  # more than 60 days back: nothing
    assert sunday.rstrip().endswith("░")  # yesterday, one review; this Sunday is still to come


def test_forecast_chart_has_a_column_per_day_and_the_peak_reaches_the_top():
    lines = render(charts.forecast(FORECAST, plain=False, width=100)).splitlines()
    top = lines[1]
    assert top.startswith("12│") and top[3:].strip() == "█"
    assert top.index("█") == 3 + 2 * 3  # the fourth day
    narrow = render(charts.forecast(FORECAST, plain=False, width=60), 60).splitlines()
    assert narrow[1].index("█") == 3 + 3 and max(len(line) for line in narrow) <= 60


def test_mastery_bars_and_literal_titles():
    text = render(charts.mastery(MASTERY, plain=False, width=80))
    assert "[bold]ECR[/bold]" in text and "42%" in text
    iam = next(line for line in text.splitlines() if line.startswith("IAM"))
    assert iam.count("█") == 12 and "▅" in iam  # 0.42 × 30 cells = 12 and 5 eighths


def test_confusions_show_bank_text_literally():
    text = render(charts.confusions([Confusion("[red]Task role", "Task execution role", 4, ("a", "b"))]))
    assert "picked [red]Task role when it was Task execution role: 4× (2 items)" in text


@pytest.mark.parametrize(
    ("env", "width", "plain"),
    [
        ({"FORCE_COLOR": "1", "TERM": "xterm"}, 100, False),
        ({"FORCE_COLOR": "1", "TERM": "xterm", "NO_COLOR": "1"}, 100, True),
        ({"FORCE_COLOR": "1", "TERM": "dumb"}, 100, True),
        ({"FORCE_COLOR": "1", "TERM": "xterm"}, 59, True),
        ({"TERM": "xterm"}, 100, True),  # not a terminal (a pipe)
    ],
)
def test_plain_terminal(monkeypatch, env, width, plain):
    for key in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("COLUMNS", str(width))
    assert plain_terminal(make_console()) is plain


def test_durations():
    assert [charts.duration(ms) for ms in (0, 45_400, 492_000, 3_780_000)] == ["0s", "45s", "8m 12s", "1h 03m"]


def test_plan_summary_says_which_limit_falls_short():
    from datetime import UTC, datetime

    from certdrill.bank.items import Item
    from certdrill.insight.plan import plan
    from certdrill.schedule.queue import Limits
    from certdrill.schedule.scheduler import SchedulerConfig

    items = [Item(id=f"i{n}", type="single", topic="t", prompt="p", choices=("a", "b"), answer=(0,), explanation="e") for n in range(30)]
    config = SchedulerConfig(exam_date=datetime(2026, 12, 3, tzinfo=UTC))
    short = plan(items, {}, now=datetime(2026, 11, 23, 9, tzinfo=UTC), limits=Limits(2, 5), config=config)
    text = " ".join(render(line) for line in charts.plan_summary(short)).replace("\n", " ")
    assert "10 would never be seen before the exam" in text and "certdrill config set new-per-day 3" in text
    assert f"certdrill config set reviews-per-day {short.reviews_needed}" in text and short.reviews_needed > 5
    roomy = plan(items, {}, now=datetime(2026, 11, 23, 9, tzinfo=UTC), limits=Limits(10, 100), config=config)
    text = " ".join(render(line) for line in charts.plan_summary(roomy))
    assert "Every item seen at least once by 2026-11-25" in text and "No backlog on the last day before the exam" in text


def test_confusions_between_sentences_put_each_on_its_own_line():
    long_pick = "Grant the EC2 instance profile permission to read the secret from Secrets Manager"
    long_answer = "Grant the task execution role permission to read the secret from Secrets Manager"
    text = render(charts.confusions([Confusion(long_pick, long_answer, 3, ("a",))]))
    lines = [line.strip() for line in text.splitlines()]
    assert "3×" in lines
    assert any(line.startswith("picked") and line.endswith(long_pick) for line in lines)
    assert any(line.startswith("when it was") and line.endswith(long_answer) for line in lines)
