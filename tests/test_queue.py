import itertools
from datetime import UTC, datetime, timedelta

import pytest

from certdrill.bank.items import Item
from certdrill.schedule.queue import ExamFocus, Limits, build_queue, interleave_topics
from certdrill.schedule.scheduler import EXAM_FINAL_DAYS, CardState

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
END = datetime(2026, 11, 24, tzinfo=UTC)


def item(i, topic="a", status="active"):
    return Item(id=i, type="flashcard", topic=topic, prompt="p", choices=(), answer=(), explanation="e", back="b", status=status)


def card(due, stability=5.0):
    return CardState(2, None, stability, 5.0, due, NOW - timedelta(days=3), 3, 0)


ITEMS = [item("n1"), item("n2", "b"), item("n3"), item("d-late"), item("d-risky"), item("future"), item("draft", status="needs-review")]
CARDS = {
    "d-late": card(NOW - timedelta(days=1), stability=9.0),
    "d-risky": card(NOW + timedelta(hours=3), stability=1.0),
    "future": card(NOW + timedelta(days=3)),
}


def recall(c):
    return c.stability / 10


@pytest.mark.parametrize(
    ("limits", "new_done", "reviews_done", "expected"),
    [
        (Limits(20, 200), 0, 0, ["d-risky", "d-late", "n1", "n2", "n3"]),
        (Limits(1, 200), 0, 0, ["d-risky", "d-late", "n1"]),
        (Limits(20, 1), 0, 0, ["d-risky", "n1", "n2", "n3"]),
        (Limits(2, 200), 2, 0, ["d-risky", "d-late"]),
        (Limits(20, 5), 0, 5, ["n1", "n2", "n3"]),
        (Limits(0, 0), 0, 0, []),
    ],
)
def test_due_first_most_at_risk_first_then_new_within_limits(limits, new_done, reviews_done, expected):
    q = build_queue(ITEMS, CARDS, now=NOW, day_end=END, limits=limits, new_done_today=new_done, reviews_done_today=reviews_done, recall=recall)
    assert [i.id for i in q.items] == expected


@pytest.mark.parametrize("limits", [Limits(20, 200), Limits(1, 1), Limits(0, 5)])
def test_only_the_due_cards_and_the_ids_seen_give_the_same_queue(limits):
    due_only = {k: c for k, c in CARDS.items() if c.due < END}
    whole = build_queue(ITEMS, CARDS, now=NOW, day_end=END, limits=limits, recall=recall)
    partial = build_queue(ITEMS, due_only, now=NOW, day_end=END, limits=limits, recall=recall, seen=set(CARDS))
    assert partial == whole


def test_needs_review_items_only_when_asked():
    q = build_queue(ITEMS, {}, now=NOW, day_end=END, limits=Limits(), recall=recall, include_unreviewed=True)
    assert "draft" in [i.id for i in q.items]


def test_interleave_topics_round_robins():
    assert [i.id for i in interleave_topics([item("a1"), item("a2"), item("b1", "b"), item("a3")])] == ["a1", "b1", "a2", "a3"]


# --- the final days before an exam --------------------------------------------------------------

EXAM = datetime(2026, 11, 28, tzinfo=UTC)  # five days after NOW
EXAM_ITEMS = [item("steady"), item("fading"), item("middle"), item("new")]
# recall now vs predicted recall on exam day: "steady" is weak today but holds; "fading" is fine today but will not last
EXAM_CARDS = {
    "steady": card(NOW - timedelta(days=1), stability=2.0),
    "fading": card(NOW - timedelta(hours=1), stability=6.0),
    "middle": card(NOW - timedelta(hours=2), stability=4.0),
}
ON_EXAM_DAY = {2.0: 0.8, 6.0: 0.3, 4.0: 0.5}


def exam_queue(now, exam=None, limits=Limits(20, 200)):
    return [i.id for i in build_queue(EXAM_ITEMS, EXAM_CARDS, now=now, day_end=now + timedelta(hours=15), limits=limits, recall=recall, exam=exam).items]


def test_final_days_review_what_is_most_at_risk_on_exam_day_first():
    focus = ExamFocus(EXAM, lambda c: ON_EXAM_DAY[c.stability])
    assert exam_queue(NOW) == ["steady", "middle", "fading", "new"]  # plain FSRS: lowest recall now first
    assert exam_queue(NOW, focus) == ["fading", "middle", "steady", "new"]  # lowest recall on exam day first
    assert exam_queue(NOW, focus, Limits(20, 1)) == ["fading", "new"]  # the review limit cuts what will hold anyway


def test_exam_order_only_in_the_final_days_and_not_after_the_exam():
    focus = ExamFocus(EXAM, lambda c: ON_EXAM_DAY[c.stability])
    plain = exam_queue(NOW)
    assert exam_queue(NOW, ExamFocus(NOW + timedelta(days=8), focus.recall)) == plain
    assert exam_queue(EXAM, focus) == exam_queue(EXAM)
    assert focus.applies(EXAM - timedelta(days=EXAM_FINAL_DAYS)) and not focus.applies(EXAM - timedelta(days=EXAM_FINAL_DAYS, seconds=1))


def typed_item(i, topic, kind):
    return Item(id=i, type=kind, topic=topic, prompt="p", choices=(), answer=(), explanation="e", back="b")


MIXED = [typed_item(f"{t}-{k}-{n}", t, k) for t in ("a", "b", "c") for k in ("single", "multi", "truefalse", "flashcard") for n in range(3)]


def test_new_items_mix_topics_and_types_reproducibly():
    import random

    from certdrill.schedule.queue import mix_new

    first = mix_new(MIXED, random.Random("s"))
    assert sorted(i.id for i in first) == sorted(i.id for i in MIXED)
    assert all(a.topic != b.topic for a, b in itertools.pairwise(first))  # topic changes at every step
    assert len({i.type for i in first[:6]}) >= 3
    assert len({i.type for i in first[:3]}) == 3  # each topic starts one type further along
    assert mix_new(MIXED, random.Random("s")) == first
    assert mix_new(MIXED, random.Random("t")) != first


@pytest.mark.parametrize(("order", "first_types"), [("file", {"single"}), ("mixed", None)])
def test_new_item_order_by_name(order, first_types):
    from certdrill.schedule.queue import new_item_order

    ordered = new_item_order(order, "seed")(MIXED)
    if first_types is not None:
        assert {i.type for i in ordered[:3]} == first_types  # file order: every topic file starts with its first items
    else:
        assert len({i.type for i in ordered[:4]}) >= 3


def test_a_learning_step_hours_away_is_not_due_yet_with_learn_ahead():
    step_soon = CardState(1, 1, 2.0, 5.0, NOW + timedelta(minutes=15), NOW - timedelta(minutes=1), 1, 0)
    step_later = CardState(3, 0, 2.0, 5.0, NOW + timedelta(hours=3), NOW - timedelta(hours=1), 4, 1)
    cards = {"n1": step_soon, "n2": step_later}
    q = build_queue(ITEMS[:2], cards, now=NOW, day_end=END, limits=Limits(), recall=recall, learn_ahead=timedelta(minutes=20))
    assert [i.id for i in q.due] == ["n1"]
    assert {i.id for i in build_queue(ITEMS[:2], cards, now=NOW, day_end=END, limits=Limits(), recall=recall).due} == {"n1", "n2"}  # without it: due today
