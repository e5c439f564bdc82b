"""The floors of `vs_anki.py`: what this machine can do at best on the heavy paths, with no checks.

    python benchmarks/floors.py import PROGRESS.json DB   # a bare importer: orjson, indexes after, fsrs-rs memory states
    python benchmarks/floors.py rebuild DB                # every card's memory state by fsrs-rs, card rows written
    python benchmarks/floors.py fsrs DB                   # the fsrs-rs call alone (timed in process, printed)

No validation, no learning steps, no due dates, no fuzz: a floor is what a faster certdrill could
not beat, not a certdrill. Memory states as fsrs-rs computes them from (rating, whole days since
the previous review) for every item's log in time order.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from itertools import groupby
from operator import itemgetter

DAY_MS = 86_400_000
SCHEMA = """
CREATE TABLE reviews (id TEXT PRIMARY KEY, item_id TEXT NOT NULL, bank TEXT NOT NULL, reviewed_at INTEGER NOT NULL,
  rating INTEGER NOT NULL, answer TEXT, correct INTEGER, duration_ms INTEGER, kind TEXT, session_id TEXT) WITHOUT ROWID;
CREATE TABLE cards (item_id TEXT PRIMARY KEY, bank TEXT, stability REAL, difficulty REAL, last_review INTEGER, reps INTEGER) WITHOUT ROWID;
"""
INDEXES = """
CREATE INDEX reviews_replay ON reviews (item_id, reviewed_at, id, rating, correct, bank);
CREATE INDEX reviews_time ON reviews (reviewed_at);
"""


def _items(rows):
    """(item id, bank, last review ms, count, fsrs-rs item) for rows sorted by item then time."""
    import fsrs_rs_python as fsrs_rs

    review = fsrs_rs.FSRSReview
    for item_id, group in groupby(rows, key=itemgetter(0)):
        reviews, previous, bank = [], None, ""
        for row in group:
            at, rating, bank = row[1], row[2], row[3]
            reviews.append(review(rating, 0 if previous is None else (at - previous) // DAY_MS))
            previous = at
        yield item_id, bank, previous, len(reviews), fsrs_rs.FSRSItem(reviews)


def _card_rows(conn: sqlite3.Connection) -> list[tuple]:
    import fsrs_rs_python as fsrs_rs

    rows = conn.execute("SELECT item_id, reviewed_at, rating, bank FROM reviews ORDER BY item_id, reviewed_at, id")
    items = list(_items(rows))
    states = fsrs_rs.FSRS(fsrs_rs.DEFAULT_PARAMETERS).memory_state_batch([i[4] for i in items])
    return [(i[0], i[1], s.stability, s.difficulty, i[2], i[3]) for i, s in zip(items, states, strict=True)]


def bare_import(progress: str, db: str) -> None:
    import orjson

    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
    conn.execute("BEGIN")
    with open(progress, "rb") as fh:
        for line in fh:
            if line == b'  "reviews": [\n':
                break
        batch: list[tuple] = []
        for line in fh:
            if not line.startswith(b"    {"):
                break
            r = orjson.loads(line.rstrip().rstrip(b","))
            answer = r.get("answer")
            batch.append(
                (
                    r["id"],
                    r["item_id"],
                    r["bank"],
                    _ms(r["reviewed_at"]),
                    r["rating"],
                    None if answer is None else str(answer),
                    r.get("correct"),
                    r.get("duration_ms"),
                    r.get("kind"),
                    r.get("session_id"),
                )
            )
            if len(batch) == 10_000:
                conn.executemany("INSERT INTO reviews VALUES (?,?,?,?,?,?,?,?,?,?)", batch)
                batch = []
        conn.executemany("INSERT INTO reviews VALUES (?,?,?,?,?,?,?,?,?,?)", batch)
    for statement in filter(str.strip, INDEXES.split(";")):
        conn.execute(statement)
    cards = _card_rows(conn)
    conn.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?)", cards)
    conn.execute("COMMIT")
    conn.close()
    print(f"{len(cards)} cards")


def _ms(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def rebuild(db: str) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    cards = _card_rows(conn)
    conn.execute("CREATE TEMP TABLE floor_cards (item_id TEXT PRIMARY KEY, bank TEXT, stability REAL, difficulty REAL, last_review INTEGER, reps INTEGER)")
    conn.executemany("INSERT INTO floor_cards VALUES (?,?,?,?,?,?)", cards)
    conn.execute("COMMIT")
    conn.close()
    print(f"{len(cards)} cards")


def fsrs_alone(db: str) -> None:
    import fsrs_rs_python as fsrs_rs

    conn = sqlite3.connect(db)
    items = [i[4] for i in _items(conn.execute("SELECT item_id, reviewed_at, rating, bank FROM reviews ORDER BY item_id, reviewed_at, id"))]
    model = fsrs_rs.FSRS(fsrs_rs.DEFAULT_PARAMETERS)
    started = time.perf_counter()
    model.memory_state_batch(items)
    print(f"fsrs-rs: {time.perf_counter() - started:.4f} s for {len(items)} items")


if __name__ == "__main__":
    {"import": bare_import, "rebuild": rebuild, "fsrs": fsrs_alone}[sys.argv[1]](*sys.argv[2:])
