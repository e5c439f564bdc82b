import os
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from certdrill.errors import StoreError
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import AGAIN, GOOD, SchedulerConfig, review
from certdrill.store.db import _migrate as migrate
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


def test_a_first_use_committing_between_the_identity_reads_is_not_taken_for_another_programs_file(tmp_path, monkeypatch):
    """Two certdrills starting on a fresh home at once: the one that wins makes the tables while the
    other is reading what the file is. Read one by one, that showed an unmarked file with tables."""
    path = tmp_path / "progress.sqlite3"
    winner = sqlite3.connect(path, isolation_level=None)  # it has made the file and switched it to WAL, no tables yet
    winner.execute("PRAGMA journal_mode = WAL")
    winner.execute("SELECT count(*) FROM sqlite_master")  # its log is there from now on
    connect = sqlite3.connect
    seen: list[str] = []
    raced: list[str] = []

    def the_other_finishes_first_use_midway(target, *args, **kwargs):
        conn = connect(target, *args, **kwargs)

        def trace(statement: str) -> None:  # the winner commits right after the application id was read
            if seen and seen[-1].startswith("PRAGMA application_id") and not raced:
                raced.append(statement)
                migrate(winner, 0, path)
            seen.append(statement)

        conn.set_trace_callback(trace)
        return conn

    monkeypatch.setattr(sqlite3, "connect", the_other_finishes_first_use_midway)
    store = Store.open(path)
    assert raced
    assert store.reviews() == []
    winner.close()


def test_garbage_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="corrupt or not a database"):
        Store.open(path)
    assert path.read_bytes() == b"this is not sqlite at all" * 100


@pytest.mark.slow
def test_cards_due_before_and_cards_of_some_items(store):
    at = T0
    for n in range(600):
        answer(store, f"i{n:03d}", GOOD if n % 2 else AGAIN, at, f"r{n:03d}")
    every = store.cards()
    cut = T0 + timedelta(minutes=5)
    assert store.cards(due_before=cut) == {k: c for k, c in every.items() if c.due < cut}
    assert 0 < len(store.cards(due_before=cut)) < len(every)
    wanted = [f"i{n:03d}" for n in range(0, 600, 1)] + ["never-seen"]
    assert store.cards(item_ids=wanted) == every


def test_due_cards_include_those_an_exam_date_pulls_into_today(store):
    from certdrill.services.workspace import cards_for

    at = T0 - timedelta(days=400)
    for n in range(4):
        answer(store, "x", GOOD, at, f"r{n}")
        at += timedelta(days=30)
    now = store.cards()["x"].last_review + timedelta(days=20)
    day_end = now + timedelta(hours=12)
    assert store.cards()["x"].due > day_end + timedelta(days=30)
    exam = SchedulerConfig(exam_date=day_end + timedelta(hours=12), exam_retention=0.99)
    assert cards_for(store, SchedulerConfig(), now, due_before=day_end) == {}
    pulled = cards_for(store, exam, now, due_before=day_end)
    assert list(pulled) == ["x"]
    assert pulled == {k: c for k, c in cards_for(store, exam, now).items() if c.due < day_end}


def test_mature_counts_kept_answer_by_answer_equal_a_replay_and_the_definition(store):
    import random

    from certdrill.insight.stats import true_retention

    rng = random.Random(11)
    at = T0 - timedelta(days=900)
    for n in range(300):
        item = f"i{n % 5}"
        right = rng.random() < 0.85
        answer(store, item, GOOD if right else AGAIN, at, f"r{n:04d}", correct=right)
        at += timedelta(days=rng.choice([0.01, 1, 3, 9]))
    kept = store.mature_counts()
    for item, (recalls, right) in kept.items():
        reference = true_retention(store.reviews(item_id=item))
        assert (reference.mature, reference.right) == (recalls, right)
    assert sum(recalls for recalls, _ in kept.values()) > 20
    store.rebuild_cards()
    assert store.mature_counts() == kept


def test_a_changed_verdict_forgets_the_counts_until_the_next_replay(store):
    def kept():
        return store.conn.execute("SELECT mature_recalls, mature_right FROM cards WHERE item_id = 'card'").fetchone()

    for n, at in enumerate([T0 - timedelta(days=200), T0 - timedelta(days=100), T0 - timedelta(days=40), T0]):
        card = answer(store, "card", GOOD, at, f"r{n}", correct=None, answer=None)
    assert kept() == (2, 2)
    store.amend_rating("r3", AGAIN, card)
    assert kept() == (None, None)
    assert store.mature_counts() == {"card": (2, 1)}  # worked out, not written: r2 and r3 asked of a mature card; r3 is now a miss
    assert kept() == (None, None)
    assert store.fill_mature_counts() == 1
    assert kept() == (2, 1)
    assert store.fill_mature_counts() == 0


def test_mature_totals_add_up_the_kept_counts_or_the_replayed_ones(store):
    from certdrill.store.store import ItemScope

    for n, at in enumerate([T0 - timedelta(days=200), T0 - timedelta(days=100), T0 - timedelta(days=40), T0]):
        answer(store, "card", GOOD, at, f"r{n}", correct=None, answer=None)
        answer(store, "other", GOOD, at, f"s{n}", correct=None, answer=None)
    answer(store, "card", AGAIN, T0 + timedelta(days=60), "r4", correct=False)
    counts = store.mature_counts()
    assert counts == {"card": (3, 2), "other": (2, 2)}
    only_card = ItemScope.of({"card", "gone"}, studied=counts)
    assert store.mature_totals() == (5, 4) and store.mature_totals(only_card) == (3, 2)
    with store.conn:  # counts not kept (a store from before they were): worked out by a replay
        store.conn.execute("UPDATE cards SET mature_recalls = NULL, mature_right = NULL WHERE item_id = 'card'")
    assert store.mature_totals() == (5, 4) and store.mature_totals(only_card) == (3, 2)


@pytest.mark.slow
def test_a_rebuild_spread_over_worker_processes_equals_one_in_this_process(store, monkeypatch):
    import certdrill.store.rebuild as store_module

    at = T0 - timedelta(days=300)
    for n in range(120):
        answer(store, f"i{n % 12}", AGAIN if n % 7 == 0 else GOOD, at, f"r{n:04d}")
        at += timedelta(days=2, hours=n % 5)
    store.rebuild_cards()
    here = (store.cards(), store.mature_counts())
    monkeypatch.setattr(store_module, "REPLAY_CHUNK", 15)  # eight chunks of about 15 reviews
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert store.rebuild_cards() == 12
    assert (store.cards(), store.mature_counts()) == here


def test_ratings_and_states_come_back_as_enums_not_bare_ints(store):
    from certdrill.schedule.scheduler import Rating, State

    answer(store, "i1", GOOD, T0, "r1")
    answer(store, "i1", AGAIN, T0 + timedelta(days=3), "r2")
    (card,) = store.cards().values()
    assert type(card.state) is State and type(store.rebuild_cards() and store.cards()["i1"].state) is State
    assert [type(r.rating) for r in store.reviews()] == [Rating, Rating] and [r.rating for r in store.reviews()] == [Rating.GOOD, Rating.AGAIN]
