"""A damaged store is reported as damaged, with how to restore, by every command: a flipped byte in
its schema, a single bad cell, a file truncated to a few bytes, a damaged index. Never a traceback,
never silently replaced."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_fuzz import assert_no_traceback

COMMANDS = [("stats",), ("stats", "--json"), ("export", "-o", "-"), ("study", "--new", "1"), ("exam", "--history")]


@pytest.fixture
def store(cli, mini, home) -> Path:
    """A store with two answers (the flashcard recalled, then the choose-three item answered wrong, so stats reads its answer), closed (nothing left in its WAL)."""
    assert cli("study", "--bank", mini, "--new", "2", "--seed", "0", input="a\n3\nabd\n\nq\n").exit_code == 0
    path = home / "progress.sqlite3"
    assert sqlite3.connect(path).execute("SELECT count(*) FROM reviews").fetchone()[0] == 2
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    return path


def run_all(cli, mini):
    for command in COMMANDS:
        args = command if command[0] in ("exam",) else (*command, "--bank", mini)
        result = cli(*args, input="q\n")
        assert_no_traceback(result)
        yield command, result


def assert_damaged(result) -> None:
    """Exit 3 and one `Error:` line saying how to restore (`export -o -` may have streamed some JSON before it)."""
    assert result.exit_code == 3, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("Error: ")] or [result.output]
    assert "damaged" in line or "corrupt" in line, result.output
    assert "certdrill backup restore" in line, result.output


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.floats(0, 1), bit=st.sampled_from([0x01, 0x02, 0x20, 0x40, 0x80]))
def test_a_flipped_byte_in_the_schema_is_damage_never_a_traceback(cli, mini, store, where, bit):
    good = store.read_bytes() if not hasattr(store, "good") else store.good
    start = good.index(b"CREATE TABLE meta")
    end = good.rindex(b"CREATE ")
    flipped = bytearray(good)
    flipped[start + int(where * (end - start))] ^= bit
    store.write_bytes(flipped)
    for suffix in ("-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    try:
        for _, result in run_all(cli, mini):
            assert result.exit_code in (0, 3), result.output
            if result.exit_code == 3 and "another certdrill" not in result.output:
                assert_damaged(result)
    finally:
        store.write_bytes(good)


def test_a_schema_that_is_not_utf8_is_damage(cli, mini, store):
    data = bytearray(store.read_bytes())
    data[data.index(b"CREATE TABLE meta") + 2] ^= 0x80  # a lone continuation byte: SQLite's syntax error quotes it
    store.write_bytes(data)
    with pytest.raises(UnicodeDecodeError):  # what Python's sqlite3 makes of that message
        sqlite3.connect(store).execute("SELECT value FROM meta").fetchall()
    for _, result in run_all(cli, mini):
        assert_damaged(result)


CELLS = [
    "reviews SET reviewed_at = 'abc'",
    "reviews SET reviewed_at = 99999999999999999",
    "reviews SET reviewed_at = -99999999999999999",
    "reviews SET rating = 9",
    "reviews SET answer = '[x'",
    "reviews SET answer = '{\"a\": 1}'",
    "reviews SET correct = 7",
    "reviews SET duration_ms = 'x'",
    "reviews SET kind = 'zzz'",
    "reviews SET session_id = x'ff'",
    "reviews SET item_id = CAST(x'ff61' AS TEXT)",
    "cards SET state = 9",
    "cards SET due = 'x'",
    "cards SET due = 99999999999999999",
    "cards SET stability = 'abc'",
    "cards SET reps = 'many'",
]


# `stats` reads no card's state or reps, and a card's due date as the number stored (a due date past
# any date counts after the forecast's 30 days): those cells no longer crash it
CRASHED_STATS = {
    c
    for c in CELLS
    if "session_id" not in c
    and not c.startswith(("reviews SET rating", "reviews SET correct", "reviews SET kind", "cards SET reps", "cards SET state", "cards SET due = 9"))
}


@pytest.mark.parametrize("update", CELLS)
def test_a_bad_value_in_one_cell_is_named_and_reported_as_damage(cli, mini, store, update):
    with sqlite3.connect(store) as db:
        db.execute("PRAGMA ignore_check_constraints = ON")
        db.execute(f"UPDATE {update}")
    before = store.read_bytes()
    outcomes = {}
    for command, result in run_all(cli, mini):
        assert result.exit_code in (0, 3), (command, result.output)
        if result.exit_code == 3:
            assert_damaged(result)
            column = update.split()[2]
            assert f"{column} is" in result.output or "not UTF-8" in result.output or "constraint failed" in result.output, result.output
        outcomes[command] = result.exit_code
    if update in CRASHED_STATS:  # the cells that gave `stats` a traceback: now named
        assert outcomes[("stats",)] == 3, outcomes
    assert store.read_bytes() == before or outcomes[("study", "--new", "1")] == 0


@pytest.mark.parametrize("size", [1, 15, 99, 600])
def test_a_store_truncated_to_a_few_bytes_is_reported_not_replaced(cli, mini, store, size):
    data = store.read_bytes()[:size] if size != 600 else b"x" * size
    store.write_bytes(data)
    for _, result in run_all(cli, mini):
        assert_damaged(result)
    assert store.read_bytes() == data


def test_index_damage_is_found_by_the_daily_and_the_manual_backup(cli, mini, store, monkeypatch):
    with sqlite3.connect(store) as db:
        db.execute("PRAGMA writable_schema = ON")
        db.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX reviews_time ON reviews (rating)' WHERE name = 'reviews_time'")
    assert sqlite3.connect(store).execute("PRAGMA quick_check").fetchone()[0] == "ok"  # what the quick check misses
    manual = cli("backup", "now")
    assert_damaged(manual)
    monkeypatch.setenv("CERTDRILL_NOW", "2026-11-24T09:00:00+00:00")  # the next day's first use: the daily check
    daily = cli("study", "--bank", mini, input="q\n")
    assert_damaged(daily)


def test_a_fifo_named_like_the_store_is_one_line_not_a_hang(cli, mini, home):
    home.mkdir(parents=True)
    os.mkfifo(home / "progress.sqlite3")
    started = time.monotonic()
    for _, result in run_all(cli, mini):
        assert result.exit_code == 3 and "not a regular file" in result.output, result.output
    assert time.monotonic() - started < 20
