"""Undone answers (tombstones) and suspensions: kept, read and merged. See schedule/controls.py.

An undo moves the review's row from `reviews` into `undone` and replays the item, in one
transaction: every other read of the log (figures, confusions, missed, the optimizer, export of
the reviews) is then without it, with no filter to forget. A merge takes tombstones first, drops
the reviews they name (already here or arriving), then the rest.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

from certdrill.clock import from_ms, to_ms
from certdrill.errors import StoreError
from certdrill.schedule.controls import Suspension, Tombstone, suspended_items
from certdrill.schedule.review_log import UNDOABLE_KINDS, Review, review_row
from certdrill.schedule.scheduler import CardState, SchedulerConfig
from certdrill.store.rebuild import Rebuilding
from certdrill.store.rows import REVIEW_COLUMNS, REVIEW_MARKS, row_key, row_review

UNDONE_COLUMNS = f"{REVIEW_COLUMNS}, undone_at"
UNDONE_MARKS = f"{REVIEW_MARKS},?"
SUSPENSION_COLUMNS = "id, item_id, at, suspended, reason, review_id"
SUSPENSION_MARKS = ",".join("?" * 6)

UndoneRow = tuple  # a ReviewRow's values, then undone_at (ms)
SuspensionRow = tuple  # (id, item_id, at ms, suspended 0/1, reason, review_id)


def tombstone_row(t: Tombstone) -> UndoneRow:
    return (*review_row(t.review), to_ms(t.undone_at))


def row_tombstone(row: Sequence) -> Tombstone:
    return Tombstone(row_review(tuple(row[:-1])), from_ms(row[-1]))


def suspension_row(s: Suspension) -> SuspensionRow:
    return (s.id, s.item_id, to_ms(s.at), int(s.suspended), s.reason, s.review_id)


def row_suspension(row: Sequence) -> Suspension:
    rid, item_id, at, suspended, reason, review_id = row
    return Suspension(rid, item_id, from_ms(at), bool(suspended), reason, review_id)


class Controls(Rebuilding):
    def last_answer(self) -> Review | None:
        """The latest answer in the log that `undo` may take back (not a mock exam's)."""
        kinds = UNDOABLE_KINDS
        sql = f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE kind IN ({','.join('?' * len(kinds))}) ORDER BY reviewed_at DESC, id DESC LIMIT 1"
        with self.reading() as conn:
            row = conn.execute(sql, kinds).fetchone()
        return None if row is None else row_review(row)

    def undo(self, review_id: str, undone_at: datetime, config: SchedulerConfig) -> tuple[Review, CardState | None]:
        """Take an answer back: its tombstone is kept, its row leaves the log, its item's card is
        replayed from what is left (None: nothing is, the item is new again)."""
        with self.transaction(patient=True) as conn:
            row = conn.execute(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = ?", (review_id,)).fetchone()
            if row is None:
                raise StoreError(f"no answer {review_id} in the log (undone already?)")
            review = row_review(row)
            conn.execute(f"INSERT OR REPLACE INTO undone ({UNDONE_COLUMNS}) VALUES ({UNDONE_MARKS})", (*row, to_ms(undone_at)))
            conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            card = self._replay_item(conn, review.item_id, config)
        return review, card

    def tombstones(self, item_id: str | None = None) -> list[Tombstone]:
        sql = f"SELECT {UNDONE_COLUMNS} FROM undone" + (" WHERE item_id = ?" if item_id is not None else "") + " ORDER BY reviewed_at, id"
        with self.reading() as conn:
            return [row_tombstone(row) for row in conn.execute(sql, () if item_id is None else (item_id,))]

    def iter_tombstone_rows(self) -> list[UndoneRow]:
        with self.reading() as conn:
            return conn.execute(f"SELECT {UNDONE_COLUMNS} FROM undone ORDER BY reviewed_at, id").fetchall()

    def suspension_rows(self) -> list[SuspensionRow]:
        with self.reading() as conn:
            return conn.execute(f"SELECT {SUSPENSION_COLUMNS} FROM suspensions ORDER BY at, id").fetchall()

    def has_kind(self, kind: str) -> bool:
        """Is any review of this kind in the log?"""
        with self.reading() as conn:
            return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM reviews WHERE kind = ?)", (kind,)).fetchone()[0])

    def add_suspensions(self, events: Iterable[Suspension]) -> int:
        rows = [suspension_row(e) for e in events]
        with self.transaction() as conn:
            return _merge_suspensions(conn, rows)

    def suspension_events(self, item_id: str | None = None) -> list[Suspension]:
        sql = f"SELECT {SUSPENSION_COLUMNS} FROM suspensions" + (" WHERE item_id = ?" if item_id is not None else "") + " ORDER BY at, id"
        with self.reading() as conn:
            return [row_suspension(row) for row in conn.execute(sql, () if item_id is None else (item_id,))]

    def suspended(self) -> dict[str, Suspension]:
        """The items suspended now, with the event that did it."""
        with self.reading() as conn:
            undone = {row[0] for row in conn.execute("SELECT u.id FROM undone u JOIN suspensions s ON s.review_id = u.id")}
        return suspended_items(self.suspension_events(), undone)

    def _merge_controls(
        self, conn: sqlite3.Connection, undone: Sequence[UndoneRow], suspensions: Sequence[SuspensionRow], touched: set[str] | None
    ) -> tuple[int, set[str], set[str]]:
        """Inside a merge's transaction, before its reviews: tombstones united (the greater row of
        two copies kept), the reviews they name dropped (their items added to `touched`), events
        united by id. Returns what changed, every undone id (which the merge then refuses) and the
        ids this merge undid (tombstones new to the store)."""
        tombstones, applied = _merge_tombstones(conn, undone)
        changed = tombstones + _merge_suspensions(conn, suspensions)
        dropped = conn.execute("SELECT id, item_id FROM reviews WHERE id IN (SELECT id FROM undone)").fetchall()
        if dropped:
            conn.executemany("DELETE FROM reviews WHERE id = ?", [(rid,) for rid, _ in dropped])
            if touched is not None:
                touched.update(item_id for _, item_id in dropped)
        ids = {row[0] for row in conn.execute("SELECT id FROM undone")}
        return changed, ids, applied


def _merge_tombstones(conn: sqlite3.Connection, rows: Sequence[UndoneRow]) -> tuple[int, set[str]]:
    return _merge_rows(conn, "undone", UNDONE_COLUMNS, UNDONE_MARKS, rows)


def _merge_suspensions(conn: sqlite3.Connection, rows: Sequence[SuspensionRow]) -> int:
    return _merge_rows(conn, "suspensions", SUSPENSION_COLUMNS, SUSPENSION_MARKS, rows)[0]


def _merge_rows(conn: sqlite3.Connection, table: str, columns: str, marks: str, rows: Sequence[UndoneRow] | Sequence[SuspensionRow]) -> tuple[int, set[str]]:
    """A row another copy of the log holds replaces ours only when it differs and sorts later
    (`row_key`), so every device ends with the same row whatever the order of merging. Returns the
    rows written and the ids among them that were not here before (an import counts them)."""
    changed, new = 0, set()
    for row in rows:
        old = conn.execute(f"SELECT {columns} FROM {table} WHERE id = ?", (row[0],)).fetchone()
        if old is None or (tuple(old) != tuple(row) and row_key(row) > row_key(old)):
            conn.execute(f"INSERT OR REPLACE INTO {table} ({columns}) VALUES ({marks})", row)
            changed += 1
            if old is None:
                new.add(row[0])
    return changed, new
