from datetime import UTC, datetime, timedelta

import pytest

from certdrill.bank.items import Item
from certdrill.queue import Limits, build_queue, interleave_topics
from certdrill.scheduler import CardState

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


def test_needs_review_items_only_when_asked():
    q = build_queue(ITEMS, {}, now=NOW, day_end=END, limits=Limits(), recall=recall, include_unreviewed=True)
    assert "draft" in [i.id for i in q.items]


def test_interleave_topics_round_robins():
    assert [i.id for i in interleave_topics([item("a1"), item("a2"), item("b1", "b"), item("a3")])] == ["a1", "b1", "a2", "a3"]
