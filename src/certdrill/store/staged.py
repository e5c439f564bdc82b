"""A big merge (an import) beside live sessions: the file is staged in a scratch store first, then
merged a few thousand reviews at a time, each batch its own short transaction.

One transaction for a million reviews held the write lock for the whole merge and its replay (a
study answer waited 15 s and the session gave up). Here the file is checked whole before anything
is written (it was merged into a scratch store, `staging`), and the work that takes time, replaying
the cards a batch changes, is done outside the lock on the log as it was read: inside the lock each
card is taken as replayed only when the item's log is still exactly what was replayed, and replayed
there otherwise (a session answered it meanwhile). Every commit leaves cards equal to a replay of
the log, and the batches together give what one transaction gave: reviews are united by id with the
greater copy kept, which takes them in any grouping.
"""

from __future__ import annotations

import sqlite3
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby
from operator import attrgetter

from certdrill.parallel import ordered_map
from certdrill.schedule.review_log import ReviewRow
from certdrill.schedule.scheduler import SchedulerConfig
from certdrill.store.connection import Connection, chunks, marks
from certdrill.store.controls import SUSPENSION_COLUMNS, UNDONE_COLUMNS
from certdrill.store.rebuild import Log, replay_logs, replayed
from certdrill.store.rows import CARD_COLUMNS, CARD_MARKS, REVIEW_COLUMNS, CardRow, ReplayRow, row_key
from certdrill.store.wal import held_open
from certdrill.store.writes import MERGE_BATCH, Merged, Writes, _bulk_cache, _merge_batch

HOLD = 0.05  # s a batch's transaction aims to hold the write lock for: batches shrink (or grow) to it
PAUSE = 0.02  # s at least between two transactions, for a session waiting on the lock to get in
SMALLEST = 50  # reviews a batch takes at the least (whole items: an item's whole log goes in one)
FIRST = 500  # reviews the first batch takes, before the pace is known
Replays = dict[str, tuple[Log, CardRow]]  # item id → the log replayed outside the lock, and the card it gave


class StagedMerge(Writes):
    def merge_staged(self, staging: Connection, config: SchedulerConfig = SchedulerConfig()) -> Merged:
        """Merge what `staging` holds (a file merged into an empty scratch store, without cards) in
        batches of whole items; says what was taken in, as `merge_counted` does."""
        with self.reading() as conn:
            last = conn.execute("SELECT max(rowid) FROM reviews").fetchone()[0]
        changed, undone, applied = self._merge_staged_controls(staging, config)
        pending: deque[list[ReviewRow]] = deque()

        def batches() -> Iterator[list[tuple[str, Log]]]:
            for rows in _item_batches(staging):
                pending.append(rows)
                yield self._merged_logs(rows)

        pace = Pace()
        reviews = 0
        refused: set[str] = set()
        with _bulk_cache(self.conn), _unsynced(self.conn):
            for replays in ordered_map(partial(_replayed_logs, config=config), batches()):
                rows = pending.popleft()
                pace.shared = held_open(self.path) is not False
                for part in pace.slices(rows):
                    pace.wait()
                    started = time.monotonic()
                    reviews += self._commit_batch(part, replays, last, config, refused)
                    pace.held(started)
        already = (undone | refused) - applied  # the file's reviews of answers it undid itself never left the staging store
        return Merged(reviews, len(applied), len(already), changed + reviews, len(refused))

    def _merge_staged_controls(self, staging: Connection, config: SchedulerConfig) -> tuple[int, set[str], set[str]]:
        """The file's tombstones and suspension events first, with the cards of the reviews they drop:
        what changed, the file's undone ids, and those new to the store."""
        with staging.reading() as scratch:
            undone = scratch.execute(f"SELECT {UNDONE_COLUMNS} FROM undone").fetchall()
            suspensions = scratch.execute(f"SELECT {SUSPENSION_COLUMNS} FROM suspensions").fetchall()
        if not undone and not suspensions:
            return 0, set(), set()
        with self.transaction() as conn:
            touched: set[str] = set()
            changed, _, applied = self._merge_controls(conn, undone, suspensions, touched)
            if touched:
                self._rebuild(conn, config, item_ids=touched)
        return changed, {row[0] for row in undone}, applied

    def _merged_logs(self, rows: list[ReviewRow]) -> list[tuple[str, Log]]:
        """What the logs of the batch's items will be once it is merged, as the store reads now: the
        items it changes, each with its log in replay order. A guess the batch's transaction checks."""
        items = sorted({row.item_id for row in rows})
        by_id: dict[str, ReviewRow] = {}
        with self.reading() as conn:
            for chunk in chunks(items):
                for columns in conn.execute(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE item_id IN ({marks(chunk)})", chunk):
                    here = ReviewRow._make(columns)
                    by_id[here.id] = here
            gone = _undone_among(conn, [row.id for row in rows])
        changed: set[str] = set()
        for row in rows:
            old = by_id.get(row.id)
            if row.id not in gone and (old is None or (old != row and row_key(row) > row_key(old))):
                by_id[row.id] = row
                changed.update((row.item_id,) if old is None else (row.item_id, old.item_id))
        merged = sorted((r for r in by_id.values() if r.item_id in changed), key=attrgetter("item_id", "reviewed_at", "id"))
        return [
            (item_id, [ReplayRow(r.item_id, r.reviewed_at, r.id, r.rating, r.correct, r.bank) for r in log])
            for item_id, log in groupby(merged, key=attrgetter("item_id"))
        ]

    def _commit_batch(self, rows: list[ReviewRow], replays: Replays, last: int | None, config: SchedulerConfig, refused: set[str]) -> int:
        """One batch in one short transaction: the reviews merged as `merge_rows` merges them (the
        ones tombstoned by now refused), and the cards of the items it changed, replayed again here
        only where the log is not the one replayed outside the lock."""
        with self.transaction() as conn:
            gone = _undone_among(conn, [row.id for row in rows])
            refused.update(gone)
            touched: set[str] = set()
            changed = _merge_batch(conn, [row for row in rows if row.id not in gone] if gone else rows, last, touched)
            if touched:
                wanted = sorted(touched)
                for chunk in chunks(wanted):
                    conn.execute(f"DELETE FROM cards WHERE item_id IN ({marks(chunk)})", chunk)
                cards = [_card_of(item_id, log, replays, config) for item_id, log in replay_logs(conn, wanted)]
                conn.executemany(f"INSERT INTO cards ({CARD_COLUMNS}) VALUES ({CARD_MARKS})", cards)
        return changed


@contextmanager
def _unsynced(conn: sqlite3.Connection) -> Iterator[None]:
    """The batches' commits without an fsync each (they held the lock through a busy disk's stalls):
    in WAL mode the log is still synced at each checkpoint, and by the next session's commit, so a
    crash can only lose the last batches, never leave them half-applied; importing again finishes."""
    conn.execute("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        conn.execute("PRAGMA synchronous = FULL")


@dataclass
class Pace:
    """How much a transaction takes while another process has the store open: as many reviews as
    go in within `HOLD` (a slow disk, a busy machine, a big store all make it fewer), then a pause
    of `PAUSE` before the next. With no one else there, whole batches and no pause."""

    rows: int = field(default_factory=lambda: min(FIRST, MERGE_BATCH))
    since: float = 0.0
    shared: bool = True

    def slices(self, rows: list[ReviewRow]) -> Iterator[list[ReviewRow]]:
        """`rows` (in item order) in slices of whole items, each as big as the pace is when it is taken."""
        part: list[ReviewRow] = []
        for _, group in groupby(rows, key=attrgetter("item_id")):
            part.extend(group)
            if len(part) >= (self.rows if self.shared else MERGE_BATCH):
                yield part
                part = []
        if part:
            yield part

    def wait(self) -> None:
        if self.shared:
            time.sleep(max(0.0, self.since + PAUSE - time.monotonic()))

    def held(self, started: float) -> None:
        self.since = time.monotonic()
        took = self.since - started
        if not self.shared:
            return
        if took > HOLD:
            self.rows = max(SMALLEST, self.rows // 2)
        elif took < HOLD / 2:
            self.rows = min(MERGE_BATCH, self.rows * 2)


def _item_batches(staging: Connection) -> Iterator[list[ReviewRow]]:
    """The staged reviews, whole items at a time, about `MERGE_BATCH` reviews a batch."""
    batch: list[ReviewRow] = []
    with staging.reading() as scratch:
        rows = scratch.execute(f"SELECT {REVIEW_COLUMNS} FROM reviews ORDER BY item_id")
        for _, group in groupby(map(ReviewRow._make, rows), key=attrgetter("item_id")):
            batch.extend(group)
            if len(batch) >= MERGE_BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def _replayed_logs(logs: list[tuple[str, Log]], config: SchedulerConfig) -> Replays:
    """Each log with the card its replay gives (run in a worker process)."""
    return {item_id: (log, replayed(item_id, log, config)[1]) for item_id, log in logs}


def _card_of(item_id: str, log: Log, replays: Replays, config: SchedulerConfig) -> CardRow:
    done = replays.get(item_id)
    if done is not None and done[0] == log:
        return done[1]
    return replayed(item_id, log, config)[1]


def _undone_among(conn: sqlite3.Connection, ids: list[str]) -> set[str]:
    """Of these review ids, those tombstoned (also by an undo in a session since the merge began)."""
    return {row[0] for chunk in chunks(ids) for row in conn.execute(f"SELECT id FROM undone WHERE id IN ({marks(chunk)})", chunk)}
