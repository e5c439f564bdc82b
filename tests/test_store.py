import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from certdrill.errors import StoreError
from certdrill.review_log import Review
from certdrill.scheduler import AGAIN, GOOD, SchedulerConfig, review
from certdrill.store.store import Store

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "p.sqlite3")
    yield s
    s.close()


def answer(store, item_id, rating, at, rid, correct=True, answer=(1,)):
    prior = store.cards().get(item_id)
    card = review(prior, rating, at, rid)
    store.record(Review(rid, item_id, "mini", at, rating, answer, correct, 1200, "study", "s1"), card)
    return card


def test_record_commits_review_and_card(store, tmp_path):
    card = answer(store, "x", GOOD, T0, "r1")
    other = sqlite3.connect(tmp_path / "p.sqlite3")
    try:
        assert other.execute("SELECT item_id, rating, answer, correct FROM reviews").fetchall() == [("x", GOOD, "[1]", 1)]
    finally:
        other.close()  # Python 3.13 warns about unclosed connections, and the suite turns warnings into errors
    assert store.cards()["x"] == card


def test_cached_cards_equal_replay_of_the_log(store):
    at = T0
    for n, (item, rating) in enumerate([("a", GOOD), ("b", AGAIN), ("a", GOOD), ("b", GOOD), ("a", AGAIN), ("a", GOOD)]):
        answer(store, item, rating, at, f"r{n}", correct=rating != AGAIN)
        at += timedelta(days=2)
    cached = store.cards()
    store.rebuild_cards(SchedulerConfig())
    assert store.cards() == cached


def test_reviews_round_trip(store):
    answer(store, "x", AGAIN, T0, "r1", correct=False, answer=(0, 2))
    (r,) = store.reviews()
    assert (r.item_id, r.answer, r.correct, r.reviewed_at, r.duration_ms, r.kind) == ("x", (0, 2), False, T0, 1200, "study")


def test_done_today_counts_new_and_reviews(store):
    answer(store, "old", GOOD, T0 - timedelta(days=3), "r0")
    answer(store, "old", GOOD, T0, "r1")
    answer(store, "fresh", GOOD, T0, "r2")
    assert store.done_today(T0 - timedelta(hours=1)) == (1, 1)


def test_merge_is_idempotent(store):
    reviews = [Review(f"m{n}", "y", "mini", T0 + timedelta(days=n), GOOD, (1,), True, None, "study", None) for n in range(3)]
    assert store.merge_reviews(reviews) == 3
    cards = store.cards()
    assert store.merge_reviews(reviews) == 0
    assert store.cards() == cards


def test_foreign_sqlite_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "foreign.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a certdrill database"):
        Store.open(path)
    assert path.read_bytes() == before


def test_garbage_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="corrupt or not a database"):
        Store.open(path)
    assert path.read_bytes() == b"this is not sqlite at all" * 100
