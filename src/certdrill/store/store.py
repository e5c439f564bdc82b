"""Reading and writing progress. Every write is one short transaction, committed before returning."""

from __future__ import annotations

import json
import os
import sqlite3
from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import groupby, islice, pairwise
from operator import itemgetter
from pathlib import Path

from certdrill.clock import from_ms, to_ms
from certdrill.errors import StoreError
from certdrill.missed import answer_missed
from certdrill.parallel import ordered_map
from certdrill.review_log import Review, review_row
from certdrill.scheduler import CardState, ReviewEvent, SchedulerConfig, is_mature, replay
from certdrill.store.db import connect, store_error

_REVIEW_COLUMNS = "id, item_id, bank, reviewed_at, rating, answer, correct, duration_ms, kind, session_id"
_CARD_COLUMNS = "item_id, bank, state, step, stability, difficulty, due, last_review, reps, lapses, first_review, mature_recalls, mature_right"
_CARD_MARKS = ",".join("?" * len(_CARD_COLUMNS.split(",")))
_REPLAY_COLUMNS = "item_id, reviewed_at, id, rating, correct, bank"  # what `replayed` reads: the reviews_replay index, in its order
_REPLAY_ORDER = "ORDER BY item_id, reviewed_at, id"


def row_review(row: tuple) -> Review:
    rid, item_id, bank, at, rating, answer, correct, duration, kind, session = row
    return Review(
        rid,
        item_id,
        bank,
        from_ms(at),
        rating,
        tuple(json.loads(answer)) if answer is not None else None,
        None if correct is None else bool(correct),
        duration,
        kind,
        session,
    )


def write_review(conn: sqlite3.Connection, review: Review, card: CardState) -> None:
    """Append one review and its card state, inside the caller's transaction."""
    stored = _stored_card(conn, review.item_id)
    conn.execute(f"INSERT INTO reviews ({_REVIEW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", review_row(review))
    _write_card(conn, review, card, stored)


def _stored_card(conn: sqlite3.Connection, item_id: str) -> tuple | None:
    return conn.execute(f"SELECT {_CARD_COLUMNS} FROM cards WHERE item_id = ?", (item_id,)).fetchone()


def _write_card(conn: sqlite3.Connection, review: Review, card: CardState, stored: tuple | None) -> None:
    """The card after `review`; its mature-recall counts carry on from the card before (`stored`)."""
    if stored is None:
        first_at, counts = review.reviewed_at, (0, 0)
    else:
        first_at = from_ms(stored[10])
        counts = _counted(stored[11], stored[12], is_mature(row_card(stored)), answer_missed(review.correct, review.rating))
    conn.execute(f"INSERT OR REPLACE INTO cards ({_CARD_COLUMNS}) VALUES ({_CARD_MARKS})", card_row(review.item_id, review.bank, card, first_at, counts))


def _counted(recalls: int | None, right: int | None, mature: bool, missed: bool) -> tuple[int | None, int | None]:
    if recalls is None or right is None:
        return None, None  # not known yet; a replay of the item fills them in
    return (recalls + 1, right + (not missed)) if mature else (recalls, right)


def card_row(item_id: str, bank: str, c: CardState, first_review: datetime, mature: tuple[int | None, int | None] = (None, None)) -> tuple:
    """`mature`: recalls asked of the card while mature, and how many were right (None: not known)."""
    return (
        item_id,
        bank,
        c.state,
        c.step,
        c.stability,
        c.difficulty,
        to_ms(c.due),
        to_ms(c.last_review) if c.last_review else None,
        c.reps,
        c.lapses,
        to_ms(first_review),
        *mature,
    )


def row_card(row: tuple) -> CardState:
    _, _, state, step, stability, difficulty, due, last, reps, lapses = row[:10]
    return CardState(state, step, stability, difficulty, from_ms(due), from_ms(last) if last is not None else None, reps, lapses)


def replayed(item_id: str, log: list[tuple], config: SchedulerConfig) -> tuple[CardState, tuple]:
    """An item's card and card row, replayed from its log rows (`_REPLAY_COLUMNS`, in replay order).

    The row carries the recalls asked of the card while mature, and how many were right.
    """
    maturity: list[bool] = []
    card = replay([ReviewEvent(rid, from_ms(at), rating) for _, at, rid, rating, _, _ in log], config, maturity=maturity)
    right = sum(1 for mature, row in zip(maturity, log, strict=True) if mature and not answer_missed(row[4], row[3]))
    return card, card_row(item_id, log[-1][5], card, from_ms(log[0][1]), (sum(maturity), right))


PARAMETERS_KEY = "fsrs_parameters"
RULES_KEY = "scheduling_rules"
_UNSET = object()
_BATCH = 500  # ids an `IN (...)` query takes at once, well under SQLite's variable limit
_MERGE_BATCH = 5000  # reviews a merge takes at once
REPLAY_CHUNK = 20_000  # reviews a replay worker takes at once; a smaller rebuild runs in this process


def row_key(row: tuple) -> tuple:
    """A total order on review rows (None first), so a conflict between two copies of one review
    resolves the same way on every device: merge keeps the greater row."""
    return tuple((0, 0) if v is None else (1, v) for v in row)


@dataclass(frozen=True)
class ItemProgress:
    banks: tuple[str, ...]
    reviews: int
    last_review: datetime


class Store:
    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> Store:
        return cls(Path(path), connect(Path(path), read_only=read_only))

    @classmethod
    def open_scratch(cls, path: Path) -> Store:
        """A new store no one else sees yet (a first import, before it is moved into place): no
        journal and no syncs while it fills, since a failure throws the file away; `seal` it after."""
        store = cls.open(path)
        store.conn.execute("PRAGMA journal_mode = OFF")
        store.conn.execute("PRAGMA synchronous = OFF")
        return store

    def seal(self) -> None:
        """A scratch store made a real one: WAL and full syncs again, and everything on disk."""
        with self.reading() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        with open(self.path, "rb") as fh:
            os.fsync(fh.fileno())

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise store_error(exc, self.path) from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise store_error(exc, self.path) from None
        except BaseException:
            self._rollback()
            raise

    def check_writable(self) -> None:
        """Fail now, with a clear error, rather than at the first answer (read-only file or folder)."""
        with self.transaction():
            pass

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Reads fail as clearly as writes (a damaged page shows up on read)."""
        try:
            yield self.conn
        except sqlite3.Error as exc:
            raise store_error(exc, self.path) from None

    def _rollback(self) -> None:
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    # writes

    def record(self, review: Review, card: CardState, *, prior: object = _UNSET, config: SchedulerConfig | None = None) -> CardState:
        """Append one answer and its card state, durably, in one transaction; returns the card stored.

        Given the card the answer was computed from (`prior`) and the config, the card is rebuilt from
        the item's log instead when that is not what replay would give: another session changed the
        card meanwhile, or logged a review of this item that sorts later (same millisecond).
        """
        with self.transaction() as conn:
            stored = _stored_card(conn, review.item_id)
            row = review_row(review)
            conn.execute(f"INSERT INTO reviews ({_REVIEW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", row)
            if config is not None and prior is not _UNSET and (not _same_card(stored, prior) or _sorts_later(conn, row)):
                return self._replay_item(conn, review.item_id, config)
            _write_card(conn, review, card, stored)
        return card

    def amend_rating(self, review_id: str, rating: int, card: CardState, *, config: SchedulerConfig | None = None) -> CardState:
        """Change a logged rating; with the config, the card is rebuilt from the item's whole log."""
        with self.transaction() as conn:
            row = conn.execute("SELECT item_id, rating, correct FROM reviews WHERE id = ?", (review_id,)).fetchone()
            if row is None:
                raise StoreError(f"no review {review_id}")
            item_id, old, correct = row
            conn.execute("UPDATE reviews SET rating = ? WHERE id = ?", (rating, review_id))
            if config is not None:
                return self._replay_item(conn, item_id, config)
            conn.execute(
                "UPDATE cards SET state=?, step=?, stability=?, difficulty=?, due=?, last_review=? WHERE item_id=?",
                (card.state, card.step, card.stability, card.difficulty, to_ms(card.due), to_ms(card.last_review) if card.last_review else None, item_id),
            )
            if answer_missed(correct, old) != answer_missed(correct, rating):  # right or not changed: recounted by the next replay
                conn.execute("UPDATE cards SET mature_recalls = NULL, mature_right = NULL WHERE item_id = ?", (item_id,))
        return card

    def merge_reviews(self, reviews: Iterable[Review], config: SchedulerConfig = SchedulerConfig()) -> int:
        """Union by review id, then rebuild the touched cards by replay: idempotent and commutative.

        Two copies of one review that differ (a rating amended on one device) resolve to the copy
        whose row sorts greater, on every device. Returns the number of reviews added or changed.
        """
        return self.merge_rows(map(review_row, reviews), config)

    def merge_rows(self, rows: Iterable[tuple], config: SchedulerConfig = SchedulerConfig(), *, replay: bool = True) -> int:
        """`merge_reviews` of review rows (`review_row`), taken a batch at a time: `rows` may be a
        stream of a million, and one that raises half-way (an invalid file); nothing is then written.

        `replay=False` leaves the cards to a `rebuild_cards` after it: for a store no one else sees yet,
        whose rebuild then reads the committed log in every worker at once.
        """
        rows = iter(rows)
        with self.transaction() as conn, _bulk_cache(conn):
            last = conn.execute("SELECT max(rowid) FROM reviews").fetchone()[0]  # None: nothing logged before
            touched: set[str] | None = None if last is None else set()
            changed = 0
            with _indexes_built_after(conn, last is None):
                while batch := list(islice(rows, _MERGE_BATCH)):
                    changed += _merge_batch(conn, batch, last, touched)
            if changed and replay:
                self._rebuild(conn, config, item_ids=touched)
        return changed

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
            pending = sum(conn.execute(f"SELECT count(*) FROM reviews WHERE item_id IN ({_marks(chunk)})", chunk).fetchone()[0] for chunk in _chunks(olds))
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

    def fill_mature_counts(self, config: SchedulerConfig = SchedulerConfig()) -> int:
        """Replay the cards whose mature-recall counts are not known yet (a store from before they
        were kept); returns how many. Nothing to do, and nothing written, once they all are."""
        with self.reading() as conn:
            unknown = [row[0] for row in conn.execute("SELECT item_id FROM cards WHERE mature_recalls IS NULL OR mature_right IS NULL")]
        return self.rebuild_cards(config, item_ids=unknown) if unknown else 0

    def parameters(self) -> str | None:
        """The record of FSRS parameters `certdrill optimize` adopted (JSON), or None for fsrs's defaults."""
        with self.reading() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (PARAMETERS_KEY,)).fetchone()
        return row[0] if row else None

    def set_parameters(self, record: str | None, config: SchedulerConfig | None = None) -> int:
        """Keep (or with None drop) the parameters record; given the config they imply, reschedule
        every card in the same transaction, so the cards never disagree with the record."""
        with self.transaction() as conn:
            if record is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (PARAMETERS_KEY,))
            else:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (PARAMETERS_KEY, record))
            return self._rebuild(conn, config, log_committed=True) if config is not None else 0

    def adopt_rules(self, rules: str, config: SchedulerConfig) -> int:
        """Reschedule every card once when the scheduling rules (`scheduler.RULES`) changed since the
        cards were cached; returns how many were replayed. One read, nothing written, after that."""
        with self.reading() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (RULES_KEY,)).fetchone()
        if row is not None and row[0] == rules:
            return 0
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (RULES_KEY, rules))
            return self._rebuild(conn, config, log_committed=True)

    def logs_by_item(self) -> Iterator[list[tuple[int, int]]]:
        """Each item's reviews as (ms since the epoch, rating), oldest first: what an optimizer fits to."""
        with self.reading() as conn:
            rows = conn.execute("SELECT item_id, reviewed_at, rating FROM reviews ORDER BY item_id, reviewed_at, id")
            for _, group in groupby(rows, key=itemgetter(0)):
                yield [(at, rating) for _, at, rating in group]

    def rebuild_cards(self, config: SchedulerConfig = SchedulerConfig(), item_ids: Iterable[str] | None = None) -> int:
        """Replay the log into the card cache: every item's, or only these items'."""
        with self.transaction() as conn:
            return self._rebuild(conn, config, item_ids=item_ids, log_committed=True)

    def _rebuild(self, conn: sqlite3.Connection, config: SchedulerConfig, item_ids: Iterable[str] | None = None, *, log_committed: bool = False) -> int:
        """Replay into the card cache inside the caller's transaction. With the log as committed
        (`log_committed`: this transaction has not changed it), the workers of a full rebuild read
        their share of it from the file themselves; otherwise this process reads it and hands it out."""
        if item_ids is None:
            conn.execute("DELETE FROM cards")
        else:
            item_ids = sorted(set(item_ids))
            for chunk in _chunks(item_ids):
                conn.execute(f"DELETE FROM cards WHERE item_id IN ({_marks(chunk)})", chunk)
        if item_ids is None and log_committed:
            work = ordered_map(partial(_replay_range, path=str(self.path), config=config), _ranges(conn, REPLAY_CHUNK))
        else:
            work = ordered_map(partial(_replay_chunk, config=config), _chunked(_replay_logs(conn, item_ids), REPLAY_CHUNK))
        cards = [row for rows in work for row in rows]
        conn.executemany(f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES ({_CARD_MARKS})", cards)
        return len(cards)

    def _replay_item(self, conn: sqlite3.Connection, item_id: str, config: SchedulerConfig) -> CardState | None:
        """Rebuild one item's card from its log, inside the caller's transaction."""
        conn.execute("DELETE FROM cards WHERE item_id = ?", (item_id,))
        for _, log in _replay_logs(conn, [item_id]):
            card, row = replayed(item_id, log, config)
            conn.execute(f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES ({_CARD_MARKS})", row)
            return card
        return None

    # reads

    def cards(self, *, due_before: datetime | None = None, item_ids: Iterable[str] | None = None) -> dict[str, CardState]:
        """All cached cards, or those due before a time (through the due index), or those of some items."""
        with self.reading() as conn:
            if item_ids is not None:
                out: dict[str, CardState] = {}
                for chunk in _chunks(list(item_ids)):
                    out.update((row[0], row_card(row)) for row in conn.execute(f"SELECT {_CARD_COLUMNS} FROM cards WHERE item_id IN ({_marks(chunk)})", chunk))
                return out
            if due_before is not None:
                return {row[0]: row_card(row) for row in conn.execute(f"SELECT {_CARD_COLUMNS} FROM cards WHERE due < ?", (to_ms(due_before),))}
            return {row[0]: row_card(row) for row in conn.execute(f"SELECT {_CARD_COLUMNS} FROM cards")}

    def reviews(self, *, since: datetime | None = None, item_id: str | None = None) -> list[Review]:
        sql, args = f"SELECT {_REVIEW_COLUMNS} FROM reviews", []
        where = []
        if since is not None:
            where.append("reviewed_at >= ?")
            args.append(to_ms(since))
        if item_id is not None:
            where.append("item_id = ?")
            args.append(item_id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY reviewed_at, id"
        with self.reading() as conn:
            return [row_review(row) for row in conn.execute(sql, args)]

    def iter_review_rows(self) -> Iterator[tuple]:
        """Streamed in batches; a consumer that stops early leaves no half-read cursor behind."""
        with self.reading() as conn:
            cursor = conn.execute(f"SELECT {_REVIEW_COLUMNS} FROM reviews ORDER BY reviewed_at, id")
        while True:
            with self.reading():
                rows = cursor.fetchmany(_BATCH)
            if not rows:
                return
            yield from rows

    def last_review_id(self) -> str | None:
        """The greatest review id logged (ids sort by time): new ids of the same millisecond follow it."""
        with self.reading() as conn:
            return conn.execute("SELECT max(id) FROM reviews").fetchone()[0]

    def review_count(self) -> int:
        with self.reading() as conn:
            return conn.execute("SELECT count(*) FROM reviews").fetchone()[0]

    def done_today(self, day_start: datetime) -> tuple[int, int]:
        """(new items first answered today, answers today to items first seen before today)."""
        start = to_ms(day_start)
        with self.reading() as conn:
            new = conn.execute("SELECT count(*) FROM cards WHERE first_review >= ?", (start,)).fetchone()[0]
            reviews = conn.execute(
                "SELECT count(*) FROM reviews r JOIN cards c ON c.item_id = r.item_id WHERE r.reviewed_at >= ? AND c.first_review < ?",
                (start, start),
            ).fetchone()[0]
        return new, reviews

    def item_ids_with_progress(self) -> set[str]:
        with self.reading() as conn:
            return {row[0] for row in conn.execute("SELECT item_id FROM cards")}

    def card_banks(self) -> dict[str, str]:
        """The bank each card was last studied in (what an export records beside the card)."""
        with self.reading() as conn:
            return dict(conn.execute("SELECT item_id, bank FROM cards"))

    def progress_by_item(self) -> dict[str, ItemProgress]:
        """Every item id in the log, with the banks it was studied in (retired items included)."""
        sql = "SELECT item_id, group_concat(DISTINCT bank), count(*), max(reviewed_at) FROM reviews GROUP BY item_id"
        with self.reading() as conn:
            return {
                item_id: ItemProgress(tuple(sorted({part for b in (banks or "").split(",") for part in b.split("+") if part})), count, from_ms(last))
                for item_id, banks, count, last in conn.execute(sql)
            }

    # figures over the whole log, counted by SQLite (a million reviews are never read one by one)

    def first_review_at(self) -> datetime | None:
        with self.reading() as conn:
            at = conn.execute("SELECT min(reviewed_at) FROM reviews").fetchone()[0]
        return None if at is None else from_ms(at)

    def review_totals(self, scope: ItemScope | None = None) -> tuple[int, int, int, int]:
        """(reviews, time in ms, graded answers, right ones) of every item's reviews, or of the scope's items'."""
        sql = "SELECT count(*), coalesce(sum(duration_ms), 0), count(correct), coalesce(sum(correct), 0) FROM reviews"
        with self.reading() as conn:

            def some(chunk: list[str]) -> list[int]:
                return list(conn.execute(f"{sql} WHERE item_id IN ({_marks(chunk)})", chunk).fetchone())

            return tuple(_by_items(scope, 4, lambda: list(conn.execute(sql).fetchone()), some))

    def review_histogram(self, edges: list[datetime], scope: ItemScope | None = None) -> list[int]:
        """Reviews between each two consecutive `edges` (ascending), of every item or of the scope's items."""
        bounds = [to_ms(edge) for edge in edges]
        with self.reading() as conn:

            def every() -> list[int]:
                sql = "SELECT count(*) FROM reviews WHERE reviewed_at >= ? AND reviewed_at < ?"
                return [conn.execute(sql, pair).fetchone()[0] for pair in pairwise(bounds)]

            def some(chunk: list[str]) -> list[int]:
                counts = [0] * (len(bounds) + 1)
                for (at,) in conn.execute(f"SELECT reviewed_at FROM reviews WHERE item_id IN ({_marks(chunk)})", chunk):
                    counts[bisect_right(bounds, at)] += 1
                return counts[1:-1]

            return _by_items(scope, max(len(bounds) - 1, 0), every, some)

    def wrong_answers(self) -> list[tuple[str, tuple[int, ...], int]]:
        """Wrong multiple-choice answers counted: (item id, choices picked, times), in the order first given."""
        sql = (
            "SELECT item_id, answer, count(*) FROM reviews WHERE correct = 0 AND answer IS NOT NULL"
            " GROUP BY item_id, answer ORDER BY min(printf('%015d', reviewed_at) || id)"
        )
        with self.reading() as conn:
            return [(item_id, tuple(json.loads(answer)), n) for item_id, answer, n in conn.execute(sql)]

    def mature_counts(self, config: SchedulerConfig = SchedulerConfig()) -> dict[str, tuple[int, int]]:
        """Per card: recalls asked while it was mature, and how many were right.

        Counts not kept yet (a store from before they were, read without writing) are worked out
        by replaying those items under `config`.
        """
        with self.reading() as conn:
            kept = {item_id: (recalls, right) for item_id, recalls, right in conn.execute("SELECT item_id, mature_recalls, mature_right FROM cards")}
            unknown = [item_id for item_id, (recalls, right) in kept.items() if recalls is None or right is None]
            for item_id, log in _replay_logs(conn, sorted(unknown)):
                row = replayed(item_id, log, config)[1]
                kept[item_id] = (row[11], row[12])
        return kept


BULK_CACHE_KIB = 32 * 1024


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
    for _, sql in indexes:
        conn.execute(sql)


def _merge_batch(conn: sqlite3.Connection, rows: list[tuple], last: int | None, touched: set[str] | None) -> int:
    """Merge one batch of review rows; returns how many reviews logged before the merge (rowid up to
    `last`) it changed, and how many it added. `touched` collects the items whose cards to replay."""
    rows = _greatest_by_id(rows)
    mark = conn.execute("SELECT coalesce(max(rowid), 0) FROM reviews").fetchone()[0]
    before = conn.total_changes
    conn.executemany(f"INSERT OR IGNORE INTO reviews ({_REVIEW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    changed = conn.total_changes - before
    if changed == len(rows):  # the usual case: all new
        if touched is not None:
            touched.update(row[1] for row in rows)
        return changed
    here = {}
    for chunk in _chunks([row[0] for row in rows]):
        here.update((row[1], (row[0], row[1:])) for row in conn.execute(f"SELECT rowid, {_REVIEW_COLUMNS} FROM reviews WHERE id IN ({_marks(chunk)})", chunk))
    newer = []
    for row in rows:
        rowid, old = here[row[0]]
        if rowid > mark:  # added just now
            if touched is not None:
                touched.add(row[1])
        elif row != old and row_key(row) > row_key(old):
            newer.append(row)
            changed += last is not None and rowid <= last  # one this merge added was counted when it was added
            if touched is not None:
                touched.update((row[1], old[1]))
    conn.executemany(f"INSERT OR REPLACE INTO reviews ({_REVIEW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", newer)
    return changed


def _greatest_by_id(rows: list[tuple]) -> list[tuple]:
    """One row an id: the greatest (`row_key`) of the copies."""
    if len({row[0] for row in rows}) == len(rows):  # the usual case: no id twice
        return rows
    out: dict[str, tuple] = {}
    for row in rows:
        old = out.get(row[0])
        if old is None or (old != row and row_key(row) > row_key(old)):
            out[row[0]] = row
    return list(out.values())


def _replay_chunk(logs: list[tuple[str, list[tuple]]], config: SchedulerConfig) -> list[tuple]:
    """The card rows of some items' logs (run in a worker process)."""
    return [replayed(item_id, log, config)[1] for item_id, log in logs]


def _ranges(conn: sqlite3.Connection, reviews: int) -> Iterator[tuple[str, str]]:
    """(first, last) item id of runs of whole items holding about `reviews` reviews, in id order."""
    first, size, last = None, 0, None
    for item_id, count in conn.execute("SELECT item_id, count(*) FROM reviews GROUP BY item_id ORDER BY item_id"):
        first, size, last = first or item_id, size + count, item_id
        if size >= reviews:
            yield first, last
            first, size = None, 0
    if first is not None:
        yield first, last


def _replay_range(bounds: tuple[str, str], path: str, config: SchedulerConfig) -> list[tuple]:
    """`_replay_chunk` of the items from `bounds[0]` to `bounds[1]`, read from the committed log (run in a worker process)."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(f"SELECT {_REPLAY_COLUMNS} FROM reviews WHERE item_id BETWEEN ? AND ? {_REPLAY_ORDER}", bounds)
        return _replay_chunk([(item_id, list(group)) for item_id, group in groupby(rows, key=itemgetter(0))], config)
    finally:
        conn.close()


def _chunked(logs: Iterable[tuple[str, list[tuple]]], reviews: int) -> Iterator[list[tuple[str, list[tuple]]]]:
    """Whole items' logs, about `reviews` reviews a chunk."""
    chunk, size = [], 0
    for item_id, log in logs:
        chunk.append((item_id, log))
        size += len(log)
        if size >= reviews:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _replay_logs(conn: sqlite3.Connection, item_ids: list[str] | None) -> Iterator[tuple[str, list[tuple]]]:
    """(item id, its log rows in replay order) for every item, or for these (sorted) items."""
    if item_ids is None:
        rows: Iterable[tuple] = conn.execute(f"SELECT {_REPLAY_COLUMNS} FROM reviews {_REPLAY_ORDER}")
    else:
        rows = (
            row
            for chunk in _chunks(item_ids)
            for row in conn.execute(f"SELECT {_REPLAY_COLUMNS} FROM reviews WHERE item_id IN ({_marks(chunk)}) {_REPLAY_ORDER}", chunk)
        )
    for item_id, group in groupby(rows, key=itemgetter(0)):
        yield item_id, list(group)


@dataclass(frozen=True)
class ItemScope:
    """The items studied (those with a card), split into those to count and the others."""

    wanted: list[str]
    others: list[str]

    @classmethod
    def of(cls, item_ids: Collection[str], studied: Iterable[str]) -> ItemScope:
        studied = set(studied)
        return cls(sorted(studied.intersection(item_ids)), sorted(studied.difference(item_ids)))


def _by_items(scope: ItemScope | None, size: int, every, some) -> list[int]:
    """`every()` (counts over the whole log), restricted to the scope through `some(chunk of ids)`.

    Adds up what is wanted, or takes what is not away from the whole, whichever reads fewer
    items: the usual case (every item studied is in the bank) reads no item's reviews at all.
    """
    if scope is None:
        return every()
    if len(scope.wanted) <= len(scope.others):
        total, chunks, sign = [0] * size, _chunks(scope.wanted), 1
    else:
        total, chunks, sign = every(), _chunks(scope.others), -1
    for chunk in chunks:
        total = [a + sign * b for a, b in zip(total, some(chunk), strict=True)]
    return total


def _chunks(ids: list) -> Iterator[list]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]


def _marks(chunk: list) -> str:
    return ",".join("?" * len(chunk))


def _same_card(stored: tuple | None, prior) -> bool:
    """Compare as stored (whole milliseconds), so an unchanged card never looks changed."""
    if stored is None or prior is None:
        return stored is None and prior is None
    return tuple(stored[2:10]) == card_row("", "", prior, prior.due)[2:10]


def _sorts_later(conn: sqlite3.Connection, row: tuple) -> bool:
    """Is a review of this item already logged that replay orders after this one?"""
    rid, item_id, _, at = row[:4]
    sql = "SELECT EXISTS (SELECT 1 FROM reviews WHERE item_id = ? AND (reviewed_at > ? OR (reviewed_at = ? AND id > ?)))"
    return bool(conn.execute(sql, (item_id, at, at, rid)).fetchone()[0])
