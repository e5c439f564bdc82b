"""An import beside a study session (issue 15, class 6): the session never waits on the lock for more
than a fraction of a second, never loses the answer it is saving, and the merge is the one a single
transaction gives."""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certdrill.errors import StoreError
from certdrill.schedule.controls import Tombstone
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import Rating, SchedulerConfig, review
from certdrill.store import staged
from certdrill.store.connection import Connection
from certdrill.store.store import Store
from support import cards_match_the_log, env_for
from test_merge_properties import two_devices
from test_orphans import big_progress

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
CONFIG = SchedulerConfig()


def answer(store: Store, n: int, item: str = "") -> float:
    """Save one answer as a study session does (the card it was computed from given); returns how long the save took."""
    item = item or f"mine-{n % 7}"
    prior = store.cards(item_ids=[item]).get(item)
    when = T0 + timedelta(minutes=n)
    given_answer = Review(f"answer-{n}", item, "b", when, Rating.GOOD, None, None, 1000, "study", "s")
    card = review(prior, Rating.GOOD, when, given_answer.id, CONFIG)
    started = time.monotonic()
    store.record(given_answer, card, prior=prior, config=CONFIG)
    return time.monotonic() - started


def staged_merge(store: Store, scratch: Path, reviews, undone=()) -> int:
    """`import` into a store in use: the file merged into a scratch store, that merged a batch at a time."""
    staging = Store.open_scratch(scratch)
    try:
        staging.merge_reviews(reviews, undone=undone)
        return store.merge_staged(staging, CONFIG).changed
    finally:
        staging.close()


@pytest.fixture
def tiny_batches(monkeypatch):
    """Batches of one item (or a few reviews), no pause: every grouping is tried."""
    monkeypatch.setattr(staged, "MERGE_BATCH", 2)
    monkeypatch.setattr(staged, "SMALLEST", 1)
    monkeypatch.setattr(staged, "PAUSE", 0.0)


@pytest.mark.slow
def test_an_import_never_locks_a_study_session_out_for_long(tmp_path, home, monkeypatch):
    """A real import of 60,000 reviews in another process while this one saves an answer every 20 ms:
    no save waits half a second for the write lock, and every one of them is in the log after."""
    progress = big_progress(tmp_path / "big.json", 60_000, items=3000)
    locked_out = []
    take_the_lock = Connection._begin_patiently

    def timed(self):
        started = time.monotonic()
        take_the_lock(self)
        locked_out.append(time.monotonic() - started)

    monkeypatch.setattr(Connection, "_begin_patiently", timed)
    store = Store.open(home / "progress.sqlite3")
    try:
        answer(store, 0)
        child = subprocess.Popen(
            [sys.executable, "-m", "certdrill", "import", str(progress)], env=env_for(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        saves = []
        while child.poll() is None:
            saves.append(answer(store, len(saves) + 1))
            time.sleep(0.02)
        out, err = child.communicate()
        assert child.returncode == 0, err
        assert "Imported 60000 new reviews" in out.decode(), out
        assert len(saves) >= 20, "the import was over before the session could answer beside it"
        assert max(locked_out) < 0.5, (
            f"a save waited {max(locked_out):.2f} s for the lock (of {len(saves)} saves, each {statistics.median(saves):.3f} s at the median)"
        )
        logged = {r.id for r in store.reviews()}
        assert {f"answer-{n}" for n in range(len(saves) + 1)} <= logged
        assert len(logged) == 60_000 + len(saves) + 1
    finally:
        store.close()
    assert cards_match_the_log(home)


def hold_the_lock(path: Path, seconds: float) -> threading.Thread:
    """Another certdrill writing: it holds the write lock for `seconds`."""
    held = threading.Event()

    def hold() -> None:
        other = Store.open(path)
        with other.transaction():
            held.set()
            time.sleep(seconds)
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    return thread


def test_a_session_waits_its_turn_past_sqlites_busy_timeout_and_saves(home, monkeypatch):
    monkeypatch.setattr("certdrill.store.db.BUSY_TIMEOUT_MS", 200)  # SQLite alone would give up after 0.2 s
    path = home / "progress.sqlite3"
    store = Store.open(path)
    try:
        answer(store, 0)
        other = hold_the_lock(path, 1.0)
        waited = answer(store, 1)
        other.join()
        assert waited > 0.5
        assert {r.id for r in store.reviews()} == {"answer-0", "answer-1"}
    finally:
        store.close()


def test_a_session_kept_out_too_long_says_the_answer_was_not_saved(home, monkeypatch):
    monkeypatch.setattr("certdrill.store.connection.PATIENCE", 0.3)
    path = home / "progress.sqlite3"
    store = Store.open(path)
    try:
        other = hold_the_lock(path, 1.0)
        with pytest.raises(StoreError, match=r"busy for 0\.3 s, so this answer was not saved; try again"):
            answer(store, 1)
        other.join()
    finally:
        store.close()


@settings(max_examples=40, deadline=None)
@given(two_devices(), st.sets(st.integers(0, 13), max_size=3))
def test_a_merge_in_batches_equals_one_transaction(devices, undone_numbers):
    """Any logs (conflicting copies included), with tombstones, merged a batch at a time as an import
    into a store in use is: the same reviews, cards and count as `merge_reviews` in one transaction."""
    import tempfile

    a, b = devices
    undone = [Tombstone(r, T0) for r in b if int(r.id) in undone_numbers]
    with tempfile.TemporaryDirectory() as folder:
        once, batched = Store.open(Path(folder) / "once.sqlite3"), Store.open(Path(folder) / "batched.sqlite3")
        try:
            for store in (once, batched):
                store.merge_reviews(a)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(staged, "MERGE_BATCH", 2)
                patch.setattr(staged, "SMALLEST", 1)
                patch.setattr(staged, "PAUSE", 0.0)
                added = staged_merge(batched, Path(folder) / "scratch", b, undone)
            assert added == once.merge_reviews(b, undone=undone)
            assert (batched.reviews(), batched.cards(), batched.tombstones()) == (once.reviews(), once.cards(), once.tombstones())
        finally:
            once.close()
            batched.close()


def test_an_answer_saved_between_the_replay_and_the_batch_is_replayed_in_it(tmp_path, home, monkeypatch, tiny_batches):
    """A session answers an item after the import replayed it outside the lock: the batch sees the
    log is not the one replayed and replays it again, so the card is the log's."""
    path = home / "progress.sqlite3"
    store, session = Store.open(path), Store.open(path)
    incoming = [Review(f"in-{n}", f"item-{n % 3}", "b", T0 - timedelta(days=30 - n), Rating.GOOD, None, None, 1000, "study", "s") for n in range(12)]
    merged_logs = staged.StagedMerge._merged_logs
    answered = []

    def a_session_answers_meanwhile(self, rows):
        logs = merged_logs(self, rows)
        answer(session, len(answered), item=rows[0].item_id)
        answered.append(rows[0].item_id)
        return logs

    monkeypatch.setattr(staged.StagedMerge, "_merged_logs", a_session_answers_meanwhile)
    try:
        answer(store, 100, item="item-0")
        assert staged_merge(store, tmp_path / "scratch", incoming) == 12
        assert answered
    finally:
        store.close()
        session.close()
    assert cards_match_the_log(home)


def test_a_bad_file_found_late_writes_nothing_to_a_store_in_use(cli, home, tmp_path):
    """The file is checked whole (staged) before the first batch: a bad last review leaves the store as it was."""
    progress = big_progress(tmp_path / "bad.json", 12_000, items=300)
    text = progress.read_text()
    cut = text.rindex('"rating": ')
    progress.write_text(text[:cut] + '"rating": 9' + text[cut + len('"rating": 1') :])
    store = Store.open(home / "progress.sqlite3")
    try:
        answer(store, 0)
        before = store.reviews(), store.cards()
        result = cli("import", progress)
        assert result.exit_code == 2, result.output
        assert (store.reviews(), store.cards()) == before
    finally:
        store.close()
    assert not [p.name for p in home.iterdir() if ".import" in p.name]
