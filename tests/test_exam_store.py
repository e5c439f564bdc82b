"""Exams in SQLite: the schema-2 migration, answers saved one by one, finishing all or nothing."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from certdrill.bank.items import Item
from certdrill.drill.exam import Exam
from certdrill.errors import StoreError
from certdrill.store import exams
from certdrill.store.db import _statements
from certdrill.store.migrations import APPLICATION_ID, MIGRATIONS
from certdrill.store.store import Store

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
ITEMS = tuple(Item(f"q{n}", "single", "t", "p", ("a", "b"), (0,), "e") for n in range(3))


def test_a_schema_1_store_gains_the_exam_tables_and_keeps_its_reviews(tmp_path):
    path = tmp_path / "p.sqlite3"
    old = sqlite3.connect(path)
    for statement in _statements(MIGRATIONS[0]):
        old.execute(statement)
    old.execute("INSERT INTO reviews (id, item_id, bank, reviewed_at, rating) VALUES ('r1', 'x', 'b', 0, 3)")
    old.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    store = Store.open(path)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 4
        assert store.review_count() == 1
        assert exams.history(store) == []
    finally:
        store.close()
    assert list((tmp_path / "backups").glob("progress-*-schema1.sqlite3"))


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "p.sqlite3")
    yield s
    s.close()


def test_answers_are_saved_one_by_one_and_read_back(store):
    exam_id = exams.start(store, bank="b", started_at=T0, minutes=6, seed=9, item_ids=[i.id for i in ITEMS])
    exams.save_answer(store, exam_id, exams.SavedAnswer(1, "q1", (1,), T0 + timedelta(minutes=1), True))
    (row,) = exams.in_progress(store)
    assert (row.id, row.bank, row.started_at, row.minutes, row.count, row.seed, row.answered, row.status) == (exam_id, "b", T0, 6, 3, 9, 1, "in_progress")
    saved = exams.answers(store, exam_id)
    assert [(s.position, s.item_id, s.chosen, s.flagged) for s in saved] == [(0, "q0", None, False), (1, "q1", (1,), True), (2, "q2", None, False)]
    assert saved[1].answered_at == T0 + timedelta(minutes=1)


def test_finish_is_all_or_nothing_and_only_once(store):
    exam = Exam(ITEMS, T0, 6, 9, answers=[(0,), (1,), None], answered_at=[T0, T0, None])
    exam_id = exams.start(store, bank="b", started_at=T0, minutes=6, seed=9, item_ids=[i.id for i in ITEMS])
    logged = exam.reviews({}, bank="b", session_id=f"exam-{exam_id}")
    exams.finish(store, exam_id, status=exams.SUBMITTED, finished_at=T0 + timedelta(minutes=3), result=exam.score(), reviews=logged)
    (row,) = exams.history(store)
    assert (row.status, row.correct, row.scaled, row.passed, row.per_topic) == ("submitted", 1, 400, False, {"t": {"correct": 1, "total": 3}})
    assert [r.kind for r in store.reviews()] == ["exam", "exam"]
    assert exams.in_progress(store) == []
    with pytest.raises(StoreError, match="no longer in progress"):
        exams.finish(store, exam_id, status=exams.ABANDONED, finished_at=T0, result=None, reviews=exam.reviews({}, bank="b", session_id="again"))
    assert store.review_count() == 2


@pytest.mark.parametrize("read", [exams.history, exams.in_progress, lambda store: exams.answers(store, 1)], ids=["history", "in_progress", "answers"])
def test_exam_reads_fail_as_a_store_error_not_a_raw_sqlite_error(tmp_path, read):
    store = Store.open(tmp_path / "p.sqlite3")
    try:
        store.conn.execute("DROP TABLE exam_answers")
        with pytest.raises(StoreError, match="database error"):
            read(store)
    finally:
        store.close()
