"""Exam day: readiness from the forgetting curve, and the plan of daily load up to it."""

from datetime import UTC, date, datetime, timedelta

import pytest

from certdrill.bank.items import Item
from certdrill.drill.exam import PASS_SCALED
from certdrill.insight.plan import NEW_ITEM_PRIOR, plan, predicted_score, readiness
from certdrill.schedule.queue import Limits
from certdrill.schedule.scheduler import GOOD, CardState, SchedulerConfig, review

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
EXAM_DAY = date(2026, 12, 3)
EXAM_AT = datetime(2026, 12, 3, tzinfo=UTC)
CONFIG = SchedulerConfig(exam_date=EXAM_AT)


def item(item_id, topic, kind="single"):
    choices = ("x", "y", "z", "w") if kind == "single" else ()
    return Item(id=item_id, type=kind, topic=topic, prompt="p", choices=choices, answer=(0,) if choices else (), explanation="e", back=None if choices else "b")


def ninety(stability=10.0):
    """Last reviewed `stability` days before the exam: FSRS predicts recall 0.9 on exam day."""
    last = EXAM_AT - timedelta(days=stability)
    return CardState(2, None, stability, 5.0, EXAM_AT + timedelta(days=5), last, 3, 0)


ITEMS = [item("a1", "a"), item("a2", "a"), item("b1", "b"), item("f1", "b", "flashcard")]
CARDS = {"a1": ninety(), "b1": ninety()}


def test_predicted_score():
    assert (predicted_score(0.0), predicted_score(1.0), predicted_score(0.5)) == (100, 1000, 550)
    assert predicted_score((PASS_SCALED - 100) / 900) == PASS_SCALED
    assert predicted_score(0.7375) == 764 and predicted_score(0.5 / 900) == 101  # half up, like the mock exam's score


def test_readiness_by_hand():
    r = readiness(ITEMS, CARDS, exam_day=EXAM_DAY, exam_at=EXAM_AT, now=NOW, config=CONFIG)
    assert NEW_ITEM_PRIOR == 0.25
    assert r.days_left == 10
    assert r.recall == pytest.approx((0.9 + 0.25 + 0.9 + 0.25) / 4)  # 0.575: a2 and f1 were never seen
    # multiple-choice only (f1 is a flashcard), topics a: (0.9 + 0.25) / 2, b: 0.9, weighed equally
    assert r.share_correct == pytest.approx((0.575 + 0.9) / 2)
    assert r.score == 764 and r.passes is True  # 100 + 900 × 0.7375 = 763.75
    weighted = readiness(ITEMS, CARDS, exam_day=EXAM_DAY, exam_at=EXAM_AT, now=NOW, config=CONFIG, weights={"b": 3})
    assert weighted.score == 837  # 100 + 900 × (0.575 + 3 × 0.9) / 4 = 836.875


def test_readiness_of_a_fresh_start_fails():
    r = readiness(ITEMS, {}, exam_day=EXAM_DAY, exam_at=EXAM_AT, now=NOW, config=CONFIG)
    assert r.recall == 0.25 and r.score == 325 and r.passes is False
    cards_only = readiness([item("f", "t", "flashcard")], {}, exam_day=EXAM_DAY, exam_at=EXAM_AT, now=NOW, config=CONFIG)
    assert cards_only.score is None and cards_only.passes is None


def bank(n):
    return [item(f"i{k:02d}", f"t{k % 3}") for k in range(n)]


def test_plan_with_room_sees_everything_and_leaves_no_backlog():
    p = plan(bank(12), {}, now=NOW, limits=Limits(5, 100), config=CONFIG)
    assert [d.day for d in p.days] == [date(2026, 11, 23) + timedelta(days=n) for n in range(10)]  # up to the eve of the exam
    assert [d.new for d in p.days[:4]] == [5, 5, 2, 0]
    assert p.days[1].reviews == 5  # yesterday's new items come back (their learning step)
    assert p.all_seen and p.backlog_cleared and p.enough
    assert p.last_new_day == date(2026, 11, 25)
    assert p.unseen == 12 and p.unseen_at_end == 0


def test_plan_with_too_few_new_items_a_day_says_how_many_are_needed():
    p = plan(bank(30), {}, now=NOW, limits=Limits(2, 100), config=CONFIG)
    assert p.unseen_at_end == 10 and not p.all_seen and not p.enough
    assert p.new_needed == 3  # 30 items over 10 days


def test_plan_with_too_few_reviews_a_day_says_how_many_are_needed():
    cards = {i.id: review(None, GOOD, NOW - timedelta(days=1), f"r{i.id}") for i in bank(12)}  # all due today
    p = plan(bank(12), cards, now=NOW, limits=Limits(0, 1), config=CONFIG)
    assert p.days[0].due == 12 and p.days[0].reviews == 1
    assert not p.backlog_cleared and p.backlog_at_end > 0
    assert p.reviews_needed == 12
    assert p.all_seen  # nothing new to see


def test_plan_counts_what_was_done_today():
    p = plan(bank(12), {}, now=NOW, limits=Limits(5, 100), config=CONFIG, new_done_today=5)
    assert p.days[0].new == 0 and p.days[1].new == 5


def test_plan_on_exam_day_is_empty_and_needs_a_date():
    on_the_day = SchedulerConfig(exam_date=datetime(2026, 11, 23, tzinfo=UTC))
    assert plan(bank(3), {}, now=NOW, limits=Limits(), config=on_the_day).days == ()
    with pytest.raises(ValueError):
        plan(bank(3), {}, now=NOW, limits=Limits(), config=SchedulerConfig())


def test_plan_json_shape():
    data = plan(bank(12), {}, now=NOW, limits=Limits(5, 100), config=CONFIG).to_json()
    assert data["days"][0] == {"date": "2026-11-23", "due": 0, "reviews": 0, "new": 5}
    assert data["limits"] == {"new_per_day": 5, "reviews_per_day": 100}
    assert {"enough", "all_seen", "backlog_cleared", "new_per_day_needed", "reviews_per_day_needed", "mean_per_day", "peak_per_day"} <= set(data)
