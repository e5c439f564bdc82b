"""Writing progress: an answer, an amended rating, a merge, renames, the optimizer's record. Each is one
short transaction, committed before returning."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import chain, islice, repeat
from operator import itemgetter

from certdrill.clock import from_ms, to_ms
from certdrill.drill.missed import answer_missed
from certdrill.errors import StoreError
from certdrill.schedule.controls import Suspension, Tombstone
from certdrill.schedule.review_log import Review, ReviewRow, review_row
from certdrill.schedule.scheduler import CardState, SchedulerConfig, is_mature
from certdrill.store.connection import chunks, marks
from certdrill.store.controls import Controls, SuspensionRow, UndoneRow, suspension_row, tombstone_row
from certdrill.store.rows import CARD_COLUMNS, CARD_MARKS, REVIEW_COLUMNS, REVIEW_MARKS, CardRow, card_row, row_card, row_key, same_schedule

OPTIMIZER_RECORD_KEY = "fsrs_parameters"  # the meta row `certdrill optimize` keeps its record in
MERGE_BATCH = 5000  # reviews a merge takes at once
ROWS_A_STATEMENT = 50  # reviews one INSERT takes (500 values, under the 999 of an SQLite older than 3.32)
_FIELDS = len(ReviewRow._fields)
BULK_CACHE_KIB = 32 * 1024
_UNSET = object()
_review_row = partial(tuple.__new__, ReviewRow)  # a row as a ReviewRow at C speed (an import merges a million)


@dataclass(frozen=True)
class Merged:
    """What a merge took in: reviews new to the store (or changed), answers it undid (tombstones new
    here), answers it carried that were undone here already (its tombstones, or its reviews of
    them), everything changed (events included), and the reviews refused as undone."""

    reviews: int
    undone_applied: int
    undone_already: int
    changed: int
    refused: int


def write_review(conn: sqlite3.Connection, review: Review, card: CardState) -> None:
    """Append one review and its card state, inside the caller's transaction."""
    stored = _stored_card(conn, review.item_id)
    conn.execute(f"INSERT INTO reviews ({REVIEW_COLUMNS}) VALUES ({REVIEW_MARKS})", review_row(review))
    _write_card(conn, review, card, stored)


def _stored_card(conn: sqlite3.Connection, item_id: str) -> CardRow | None:
    row = conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE item_id = ?", (item_id,)).fetchone()
    return None if row is None else CardRow._make(row)


def _write_card(conn: sqlite3.Connection, review: Review, card: CardState, stored: CardRow | None) -> None:
    """The card after `review`; its mature-recall counts carry on from the card before (`stored`)."""
    counts: tuple[int | None, int | None]
    if stored is None:
        first_at, counts = review.reviewed_at, (0, 0)
    else:
        first_at = from_ms(stored.first_review)
        counts = _counted(stored.mature_recalls, stored.mature_right, is_mature(row_card(stored)), answer_missed(review.correct, review.rating))
    conn.execute(f"INSERT OR REPLACE INTO cards ({CARD_COLUMNS}) VALUES ({CARD_MARKS})", card_row(review.item_id, review.bank, card, first_at, counts))


def _counted(recalls: int | None, right: int | None, mature: bool, missed: bool) -> tuple[int | None, int | None]:
    if recalls is None or right is None:
        return None, None  # not known yet; a replay of the item fills them in
    return (recalls + 1, right + (not missed)) if mature else (recalls, right)


class Writes(Controls):
    def record(self, review: Review, card: CardState, *, prior: object = _UNSET, config: SchedulerConfig | None = None) -> CardState:
        """Append one answer and its card state, durably, in one transaction; returns the card stored.

        Given the card the answer was computed from (`prior`) and the config, the card is rebuilt from
        the item's log instead when that is not what replay would give: another session changed the
        card meanwhile, or logged a review of this item that sorts later (same millisecond).
        """
        with self.transaction(patient=True) as conn:
            stored = _stored_card(conn, review.item_id)
            row = review_row(review)
            conn.execute(f"INSERT INTO reviews ({REVIEW_COLUMNS}) VALUES ({REVIEW_MARKS})", row)
            if config is not None and prior is not _UNSET and (not _same_card(stored, prior) or _sorts_later(conn, row)):
                replayed = self._replay_item(conn, review.item_id, config)
                assert replayed is not None  # the review just logged is in its log
                return replayed
            _write_card(conn, review, card, stored)
        return card

    def amend_rating(self, review_id: str, rating: int, card: CardState, *, config: SchedulerConfig | None = None) -> CardState:
        """Change a logged rating; with the config, the card is rebuilt from the item's whole log."""
        with self.transaction(patient=True) as conn:
            row = conn.execute("SELECT item_id, rating, correct FROM reviews WHERE id = ?", (review_id,)).fetchone()
            if row is None:
                raise StoreError(f"no review {review_id}")
            item_id, old, correct = row
            conn.execute("UPDATE reviews SET rating = ? WHERE id = ?", (rating, review_id))
            if config is not None:
                replayed = self._replay_item(conn, item_id, config)
                assert replayed is not None  # the amended review is in its log
                return replayed
            conn.execute(
                "UPDATE cards SET state=?, step=?, stability=?, difficulty=?, due=?, last_review=? WHERE item_id=?",
                (card.state, card.step, card.stability, card.difficulty, to_ms(card.due), to_ms(card.last_review) if card.last_review else None, item_id),
            )
            if answer_missed(correct, old) != answer_missed(correct, rating):  # right or not changed: recounted by the next replay
                conn.execute("UPDATE cards SET mature_recalls = NULL, mature_right = NULL WHERE item_id = ?", (item_id,))
        return card

    def merge_reviews(
        self,
        reviews: Iterable[Review],
        config: SchedulerConfig = SchedulerConfig(),
        *,
        undone: Sequence[Tombstone] = (),
        suspensions: Sequence[Suspension] = (),
    ) -> int:
        """Union by review id, then rebuild the touched cards by replay: idempotent and commutative.

        Two copies of one review that differ (a rating amended on one device) resolve to the copy
        whose row sorts greater, on every device. Tombstones (`undone`) are united the same way and
        win over the reviews they name; suspension events are united by id. Returns the number of
        reviews, tombstones and events added or changed.
        """
        return self.merge_rows(
            map(review_row, reviews), config, undone=[tombstone_row(t) for t in undone], suspensions=[suspension_row(s) for s in suspensions]
        )

    def merge_rows(
        self,
        rows: Iterable[tuple],
        config: SchedulerConfig = SchedulerConfig(),
        *,
        replay: bool = True,
        undone: Sequence[UndoneRow] = (),
        suspensions: Sequence[SuspensionRow] = (),
    ) -> int:
        """`merge_reviews` of review rows (`ReviewRow`s, or plain tuples in that order), taken a batch at
        a time: `rows` may be a stream of a million, and one that raises half-way (an invalid file);
        nothing is then written.

        `replay=False` leaves the cards to a `rebuild_cards` after it: for a store no one else sees yet,
        whose rebuild then reads the committed log in every worker at once.
        """
        return self.merge_counted(rows, config, replay=replay, undone=undone, suspensions=suspensions).changed

    def merge_counted(
        self,
        rows: Iterable[tuple],
        config: SchedulerConfig = SchedulerConfig(),
        *,
        replay: bool = True,
        undone: Sequence[UndoneRow] = (),
        suspensions: Sequence[SuspensionRow] = (),
    ) -> Merged:
        """`merge_rows`, saying what was taken in: an import reports it."""
        stream = iter(rows)
        refused: set[str] = set()
        with self.transaction() as conn, _bulk_cache(conn):
            last = conn.execute("SELECT max(rowid) FROM reviews").fetchone()[0]  # None: nothing logged before
            touched: set[str] | None = None if last is None else set()
            changed, gone, applied = self._merge_controls(conn, undone, suspensions, touched)
            reviews = 0
            with _indexes_built_after(conn, last is None):
                while batch := list(islice(stream, MERGE_BATCH)):
                    if gone:
                        refused.update(row[0] for row in batch if row[0] in gone)
                        batch = [row for row in batch if row[0] not in gone]
                    reviews += _merge_batch(conn, batch, last, touched)
            if changed + reviews and replay:
                self._rebuild(conn, config, item_ids=touched)
        already = ({row[0] for row in undone} | refused) - applied
        return Merged(reviews, len(applied), len(already), changed + reviews, len(refused))

    def apply_renames(self, renames: dict[str, str], config: SchedulerConfig = SchedulerConfig()) -> int:
        """Re-key the reviews of renamed items (old id → new id) and rebuild their cards.

        Idempotent: once nothing is logged under an old id it does nothing (and writes nothing).
        Returns the number of reviews moved.
        """
        renames = {old: new for old, new in renames.items() if old != new}
        if not renames:
            return 0
        olds = list(renames)
        with self.reading() as conn:
            pending = sum(conn.execute(f"SELECT count(*) FROM reviews WHERE item_id IN ({marks(chunk)})", chunk).fetchone()[0] for chunk in chunks(olds))
        if not pending:
            return 0
        with self.transaction() as conn:
            moved = 0
            for old, new in renames.items():
                moved += conn.execute("UPDATE reviews SET item_id = ? WHERE item_id = ?", (new, old)).rowcount
                conn.execute("DELETE FROM cards WHERE item_id = ?", (old,))
            for new in sorted(set(renames.values())):
                self._replay_item(conn, new, config)
        return moved

    def set_optimizer_record(self, record: str | None, config: SchedulerConfig | None = None) -> int:
        """Keep (or with None drop) the optimizer's record; given the config it implies, reschedule
        every card in the same transaction, so the cards never disagree with the record."""
        with self.transaction() as conn:
            if record is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (OPTIMIZER_RECORD_KEY,))
            else:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (OPTIMIZER_RECORD_KEY, record))
            return self._rebuild(conn, config, log_committed=True) if config is not None else 0


@contextmanager
def _bulk_cache(conn: sqlite3.Connection) -> Iterator[None]:
    """A bigger page cache while many rows go in and are replayed: the item index takes them in random order."""
    previous = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {previous}")


@contextmanager
def _indexes_built_after(conn: sqlite3.Connection, empty: bool) -> Iterator[None]:
    """Into an empty log, rows go in faster without the secondary indexes, built afterwards in one sort each.

    Inside the caller's transaction, so a failure leaves the schema as it was.
    """
    if not empty:
        yield
        return
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews' AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    threads = conn.execute("PRAGMA threads").fetchone()[0]
    conn.execute(f"PRAGMA threads = {os.cpu_count() or 1}")  # SQLite's sorter on every core: 3.6-4.8 s against 4.0-7.8 s, busy machine
    try:
        for _, sql in indexes:
            conn.execute(sql)
    finally:
        conn.execute(f"PRAGMA threads = {threads}")


def _merge_batch(conn: sqlite3.Connection, rows: Sequence[tuple], last: int | None, touched: set[str] | None) -> int:
    """Merge one batch of review rows (`ReviewRow`s or plain tuples in that order); returns how many
    reviews logged before the merge (rowid up to `last`) it changed, and how many it added.
    `touched` collects the items whose cards to replay.

    SQLite is handed plain tuples: it binds a named tuple's values one by one as a sequence, which
    took a second longer for a million reviews."""
    rows = _greatest_by_id(rows)
    mark = conn.execute("SELECT coalesce(max(rowid), 0) FROM reviews").fetchone()[0]
    before = conn.total_changes
    _insert_new(conn, rows)
    changed = conn.total_changes - before
    if changed == len(rows):  # the usual case: all new
        if touched is not None:
            touched.update(map(itemgetter(1), rows))
        return changed
    named: list[ReviewRow] = list(map(_review_row, rows))
    here: dict[str, tuple[int, ReviewRow]] = {}
    for chunk in chunks([row.id for row in named]):
        for rowid, *columns in conn.execute(f"SELECT rowid, {REVIEW_COLUMNS} FROM reviews WHERE id IN ({marks(chunk)})", chunk):
            old_row = ReviewRow._make(columns)
            here[old_row.id] = (rowid, old_row)
    newer = []
    for row in named:
        rowid, old = here[row.id]
        if rowid > mark:  # added just now
            if touched is not None:
                touched.add(row.item_id)
        elif row != old and row_key(row) > row_key(old):
            newer.append(row)
            changed += last is not None and rowid <= last  # one this merge added was counted when it was added
            if touched is not None:
                touched.update((row.item_id, old.item_id))
    conn.executemany(f"INSERT OR REPLACE INTO reviews ({REVIEW_COLUMNS}) VALUES ({REVIEW_MARKS})", map(tuple, newer))
    return changed


def _insert_new(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """`INSERT OR IGNORE` of the rows, in order, `ROWS_A_STATEMENT` to a statement: the sqlite3
    module's own work a statement run (reset, step, its checks) was most of an import's inserts,
    2.2-2.8 s of CPU for a million rows one a statement against 1.4-1.7 s fifty a statement."""
    whole = len(rows) - len(rows) % ROWS_A_STATEMENT
    if whole:
        values = ",".join([f"({REVIEW_MARKS})"] * ROWS_A_STATEMENT)
        flat = chain.from_iterable(rows[:whole])
        conn.executemany(
            f"INSERT OR IGNORE INTO reviews ({REVIEW_COLUMNS}) VALUES {values}",
            map(tuple, map(islice, repeat(flat), repeat(_FIELDS * ROWS_A_STATEMENT, whole // ROWS_A_STATEMENT))),
        )
    conn.executemany(f"INSERT OR IGNORE INTO reviews ({REVIEW_COLUMNS}) VALUES ({REVIEW_MARKS})", map(tuple, rows[whole:]))


def _greatest_by_id(rows: Sequence[tuple]) -> Sequence[tuple]:
    """One row an id: the greatest (`row_key`) of the copies."""
    if len(set(map(itemgetter(0), rows))) == len(rows):  # the usual case: no id twice
        return rows
    out: dict[str, tuple] = {}
    for row in rows:
        old = out.get(row[0])
        if old is None or (old != row and row_key(row) > row_key(old)):
            out[row[0]] = row
    return list(out.values())


def _same_card(stored: CardRow | None, prior: object) -> bool:
    """Compare as stored (whole milliseconds), so an unchanged card never looks changed."""
    if stored is None or prior is None:
        return stored is None and prior is None
    assert isinstance(prior, CardState)
    return same_schedule(stored, prior)


def _sorts_later(conn: sqlite3.Connection, row: ReviewRow) -> bool:
    """Is a review of this item already logged that replay orders after this one?"""
    sql = "SELECT EXISTS (SELECT 1 FROM reviews WHERE item_id = ? AND (reviewed_at > ? OR (reviewed_at = ? AND id > ?)))"
    return bool(conn.execute(sql, (row.item_id, row.reviewed_at, row.reviewed_at, row.id)).fetchone()[0])
