"""Progress figures on a review log written by hand, with the numbers worked out by hand."""

from datetime import UTC, date, datetime, timedelta

import pytest

from certdrill.bank.items import Item
from certdrill.insight.stats import daily_counts, forecast, heatmap, mastery, streak, totals, true_retention
from certdrill.schedule.scheduler import AGAIN, GOOD, CardState, retrievability
from handlog import LOG, at, rv

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)  # the frozen clock: a Monday
TODAY = NOW.date()


def test_today_and_overall_tallies():
    today = totals(r for r in LOG if r.reviewed_at >= datetime(2026, 11, 23, tzinfo=UTC))
    assert (today.reviews, today.time_ms, today.graded, today.right) == (3, 20_000, 2, 1)  # a missing duration counts 0
    assert today.accuracy == 0.5
    overall = totals(LOG)
    assert (overall.reviews, overall.time_ms, overall.graded, overall.right) == (7, 70_000, 6, 2)
    assert overall.accuracy == pytest.approx(1 / 3)
    assert totals([]).accuracy is None


def test_streak_counts_back_from_today_or_yesterday():
    days = daily_counts(LOG)
    assert days == {date(2026, 11, 19): 1, date(2026, 11, 21): 1, date(2026, 11, 22): 2, date(2026, 11, 23): 3}
    assert streak(days, TODAY) == 3  # 21, 22, 23; the 20th is a gap
    assert streak(days, date(2026, 11, 24)) == 3  # nothing yet today: the streak still stands
    assert streak(days, date(2026, 11, 25)) == 0
    assert streak(days, date(2026, 11, 19)) == 1
    assert streak([], TODAY) == 0


def test_streak_follows_the_local_calendar():
    # 23:30 UTC on the 21st is already the 22nd in UTC+2: the two reviews fall on consecutive local days
    log = [rv("x", "i", datetime(2026, 11, 21, 23, 30, tzinfo=UTC), GOOD, True, 1), rv("y", "i", at(23, 8), GOOD, True, 1)]
    plus_two = lambda t: (t + timedelta(hours=2)).date()  # noqa: E731
    assert streak(daily_counts(log), TODAY) == 1
    assert streak(daily_counts(log, plus_two), TODAY) == 2


def test_heatmap_is_sixteen_whole_weeks_ending_today():
    h = heatmap(daily_counts(LOG), TODAY)
    assert h.start == date(2026, 8, 10) and h.start.weekday() == 0
    weeks = h.weeks
    assert len(weeks) == 16 and all(len(w) == 7 for w in weeks)
    assert weeks[-1] == [3, None, None, None, None, None, None]  # today is Monday; the rest of the week is to come
    assert weeks[-2] == [0, 0, 0, 1, 0, 1, 2]  # Thu 19th, Sat 21st, Sun 22nd
    counts = h.to_json()["counts"]
    assert len(counts) == 106 and counts["2026-11-22"] == 2 and counts["2026-08-10"] == 0
    old = heatmap({date(2026, 8, 9): 5, TODAY: 1}, TODAY)
    assert old.counts == {TODAY: 1}  # the day before the first column is dropped


def card(due: datetime, stability=5.0, last=None, state=2):
    return CardState(state, None, stability, 5.0, due, last or due - timedelta(days=5), 3, 0)


def test_forecast_counts_overdue_today_and_stops_after_thirty_days():
    cards = [card(at(20)), card(at(23, 23)), card(at(24, 1)), card(at(24, 20)), card(NOW + timedelta(days=29)), card(NOW + timedelta(days=30))]
    by_day = forecast(cards, TODAY)
    assert len(by_day) == 30 and min(by_day) == TODAY
    assert by_day[TODAY] == 2 and by_day[date(2026, 11, 24)] == 2 and by_day[TODAY + timedelta(days=29)] == 1
    assert sum(by_day.values()) == 5


def item(item_id, topic, kind="single"):
    choices = ("x", "y") if kind == "single" else ()
    return Item(id=item_id, type=kind, topic=topic, prompt="p", choices=choices, answer=(0,) if choices else (), explanation="e", back=None if choices else "b")


def test_mastery_is_mean_recall_now_with_new_items_at_zero():
    items = [item("a1", "a"), item("a2", "a"), item("b1", "b")]
    fresh = card(NOW + timedelta(days=10), stability=10.0, last=NOW)  # reviewed just now: recall 1
    known = card(NOW, stability=10.0, last=NOW - timedelta(days=10))  # stability days ago: recall 0.9
    rows = mastery(items, {"a1": fresh, "b1": known}, NOW, title=str.upper)
    assert [(r.topic, r.title, r.items, r.seen) for r in rows] == [("a", "A", 2, 1), ("b", "B", 1, 1)]
    assert rows[0].recall == pytest.approx(0.5)
    assert rows[1].recall == pytest.approx(0.9)
    assert retrievability(known, NOW) == pytest.approx(0.9)


def golden_log(last_rating=AGAIN, last_gap_days=30):
    """Good answers at the golden intervals (10 min, 2, 11, 45 days; see test_scheduler), then one more answer."""
    t0 = datetime(2026, 1, 1, 9, tzinfo=UTC)
    times = [t0, t0 + timedelta(minutes=10)]
    for gap in (2, 11, 45):
        times.append(times[-1] + timedelta(days=gap))
    times.append(times[-1] + timedelta(days=last_gap_days))
    ratings = [GOOD] * 5 + [last_rating]
    return [rv(f"r{n}", "x", when, rating, rating != AGAIN, 1000) for n, (when, rating) in enumerate(zip(times, ratings, strict=True))]


def test_true_retention_counts_only_recalls_of_mature_cards():
    # before r4 the interval was 45 days (mature, right); before r5 it was 169 days (mature, wrong);
    # r2 and r3 came after intervals of 2 and 11 days, r0 and r1 were learning: not counted
    result = true_retention(golden_log())
    assert (result.mature, result.right, result.value) == (2, 1, 0.5)
    assert true_retention(golden_log(GOOD)).value == 1.0
    assert true_retention(golden_log()[:4]).value is None
    assert true_retention(golden_log()[:4]).to_json() == {"mature_days": 21, "mature_recalls": 0, "right": 0, "true_retention": None}


def test_stats_figures_from_stored_columns_equal_those_from_cards():
    """`stats` reads cards as stored (ms, no `CardState`): the same forecast, recall and mastery, to the last bit."""
    import random

    from certdrill.clock import to_ms
    from certdrill.insight.stats import due_forecast, topic_mastery
    from certdrill.schedule.scheduler import SchedulerConfig, retrievabilities

    rng = random.Random(5)
    config = SchedulerConfig(desired_retention=0.85, parameters=None)
    cards = {}
    for n in range(400):
        due = NOW + timedelta(milliseconds=rng.randrange(-40 * 86_400_000, 40 * 86_400_000))
        last = None if n % 17 == 0 else due - timedelta(milliseconds=rng.randrange(-86_400_000, 90 * 86_400_000))  # some after now
        cards[f"i{n}"] = CardState(2, None, None if n % 23 == 0 else rng.uniform(0.05, 400), 5.0, due, last, 3, 0)
    columns = [(c.stability, None if c.last_review is None else to_ms(c.last_review)) for c in cards.values()]
    assert retrievabilities(columns, NOW, config) == [retrievability(c, NOW, config) for c in cards.values()]
    assert due_forecast((to_ms(c.due) for c in cards.values()), TODAY) == forecast(cards.values(), TODAY)
    items = [item(f"i{n}", f"t{n % 7}") for n in range(0, 500, 2)]
    recalls = dict(zip(cards, retrievabilities(columns, NOW, config), strict=True))
    assert topic_mastery(items, recalls, str.upper) == mastery(items, cards, NOW, config, str.upper)
