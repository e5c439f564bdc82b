"""Confusions: "picked X when it was Y", counted from the wrong choices actually picked."""

from datetime import UTC, datetime, timedelta

from certdrill.bank.items import TRUE_FALSE, Item
from certdrill.insight.confusions import confusions, items_in, pairs
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import AGAIN, GOOD

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


def single(item_id, choices, answer, kind="single"):
    return Item(id=item_id, type=kind, topic="t", prompt="p", choices=tuple(choices), answer=tuple(answer), explanation="e")


PULL = single("pull", ["Task role", "Task execution role", "Instance profile"], [1])
SECRETS = single("secrets", ["Instance profile", "task  execution ROLE", "Task role"], [1])  # same text, other spacing and case
RUNTIME = single("runtime", ["Task execution role", "Task role"], [1])
TWO = single("two", ["Task role", "Task execution role", "Instance profile", "Root user"], [0, 1], kind="multi")
TF = single("tf", TRUE_FALSE, [1], kind="truefalse")
ITEMS = [PULL, SECRETS, RUNTIME, TWO, TF]


def answered(item, chosen, n, correct=False):
    return Review(f"r{n:03d}", item.id, "b", T0 + timedelta(minutes=n), GOOD if correct else AGAIN, tuple(chosen), correct, 1000)


def test_pairs_of_one_answer():
    assert pairs(PULL, (0,)) == [(0, 1)]
    assert pairs(TWO, (0, 2)) == [(2, 1)]  # picked Instance profile, missed Task execution role
    assert pairs(TWO, (2, 3)) == [(2, 0), (2, 1), (3, 0), (3, 1)]
    assert pairs(TWO, (0, 1, 2)) == []  # one pick too many: nothing was taken for something else
    assert pairs(TF, (0,)) == []
    assert pairs(PULL, (7,)) == []  # the bank changed since: the index no longer exists


def test_the_same_distractor_adds_up_across_items():
    log = [
        answered(PULL, (0,), 1),
        answered(PULL, (0,), 2),
        answered(TWO, (0, 2), 3),
        answered(SECRETS, (2,), 4),
        answered(SECRETS, (0,), 5),
        answered(RUNTIME, (0,), 6),
        answered(TF, (0,), 7),
        answered(PULL, (1,), 8, correct=True),
    ]
    found = confusions(ITEMS, log)
    assert [(c.picked, c.answer, c.count, c.item_ids) for c in found] == [
        ("Task role", "Task execution role", 3, ("pull", "secrets")),
        ("Instance profile", "Task execution role", 2, ("two", "secrets")),  # shown as first picked
        ("Task execution role", "Task role", 1, ("runtime",)),
    ]
    assert found[0].to_json() == {"picked": "Task role", "answer": "Task execution role", "count": 3, "items": ["pull", "secrets"]}


def test_items_in_top_confusions_in_order_each_once():
    log = [answered(RUNTIME, (0,), 1), answered(TWO, (0, 2), 2), answered(SECRETS, (0,), 3)] + [answered(PULL, (0,), n) for n in (4, 5, 6)]
    found = confusions(ITEMS, log)
    assert [c.count for c in found] == [3, 2, 1]
    assert [i.id for i in items_in(found[:1], ITEMS)] == ["pull"]
    assert [i.id for i in items_in(found[:2], ITEMS)] == ["pull", "two", "secrets"]
    assert [i.id for i in items_in(found, [PULL, RUNTIME])] == ["pull", "runtime"]  # only items still in scope


def test_items_gone_from_the_bank_and_flashcards_are_skipped():
    card = Review("r1", "card", "b", T0, AGAIN, None, None, 1000)
    gone = Review("r2", "gone", "b", T0, AGAIN, (0,), False, 1000)
    assert confusions(ITEMS, [card, gone]) == []


def test_the_stores_counted_wrong_answers_give_the_same_confusions_as_the_whole_log(tmp_path):
    """`stats` counts wrong answers in SQL instead of reading every review: same pairs, same order,
    same text shown, ties at the same moment included (ordered by review id, as the log is)."""
    from certdrill.insight.confusions import counted_confusions
    from certdrill.store.store import Store

    same_moment = [
        Review(f"s{n}", item.id, "b", T0, AGAIN, chosen, False, 1000) for n, (item, chosen) in enumerate([(SECRETS, (0,)), (TWO, (2, 3)), (PULL, (0,))])
    ]
    log = [*same_moment, *(answered(item, chosen, n) for n, (item, chosen) in enumerate([(PULL, (2,)), (SECRETS, (2,)), (RUNTIME, (0,)), (PULL, (0,))] * 3, 1))]
    store = Store.open(tmp_path / "progress.sqlite3")
    try:
        store.merge_reviews(list(reversed(log)))
        counted = counted_confusions(ITEMS, store.wrong_answers())
    finally:
        store.close()
    assert counted == confusions(ITEMS, log)
    assert len(counted) > 3
