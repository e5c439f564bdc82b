"""Reading and writing progress. Every write is one short transaction, committed before returning."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from certdrill.clock import from_ms, to_ms
from certdrill.errors import StoreError
from certdrill.review_log import Review
from certdrill.scheduler import CardState, SchedulerConfig, replay
from certdrill.store.db import connect, store_error

_REVIEW_COLUMNS = "id, item_id, bank, reviewed_at, rating, answer, correct, duration_ms, kind, session_id"


def review_row(r: Review) -> tuple:
    answer = json.dumps(list(r.answer), separators=(",", ":")) if r.answer is not None else None
    correct = None if r.correct is None else int(r.correct)
    return (r.id, r.item_id, r.bank, to_ms(r.reviewed_at), r.rating, answer, correct, r.duration_ms, r.kind, r.session_id)


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
    conn.execute(f"INSERT INTO reviews ({_REVIEW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", review_row(review))
    first = conn.execute("SELECT first_review FROM cards WHERE item_id = ?", (review.item_id,)).fetchone()
    first_at = from_ms(first[0]) if first else review.reviewed_at
    conn.execute("INSERT OR REPLACE INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?)", card_row(review.item_id, review.bank, card, first_at))


def card_row(item_id: str, bank: str, c: CardState, first_review: datetime) -> tuple:
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
    )


def row_card(row: tuple) -> CardState:
    _, _, state, step, stability, difficulty, due, last, reps, lapses, _ = row
    return CardState(state, step, stability, difficulty, from_ms(due), from_ms(last) if last is not None else None, reps, lapses)


_UNSET = object()
_BATCH = 500


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
            stored = conn.execute("SELECT * FROM cards WHERE item_id = ?", (review.item_id,)).fetchone()
            row = review_row(review)
            conn.execute(f"INSERT INTO reviews ({_REVIEW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", row)
            if config is not None and prior is not _UNSET and (not _same_card(stored, prior) or _sorts_later(conn, row)):
                return self._replay_item(conn, review.item_id, config)
            first_at = from_ms(stored[10]) if stored else review.reviewed_at
            conn.execute("INSERT OR REPLACE INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?)", card_row(review.item_id, review.bank, card, first_at))
        return card

    def amend_rating(self, review_id: str, rating: int, card: CardState, *, config: SchedulerConfig | None = None) -> CardState:
        """Change a logged rating; with the config, the card is rebuilt from the item's whole log."""
        with self.transaction() as conn:
            row = conn.execute("SELECT item_id FROM reviews WHERE id = ?", (review_id,)).fetchone()
            if row is None:
                raise StoreError(f"no review {review_id}")
            conn.execute("UPDATE reviews SET rating = ? WHERE id = ?", (rating, review_id))
            if config is not None:
                return self._replay_item(conn, row[0], config)
            conn.execute(
                "UPDATE cards SET state=?, step=?, stability=?, difficulty=?, due=?, last_review=? WHERE item_id=?",
                (card.state, card.step, card.stability, card.difficulty, to_ms(card.due), to_ms(card.last_review) if card.last_review else None, row[0]),
            )
        return card

    def merge_reviews(self, reviews: Iterable[Review], config: SchedulerConfig = SchedulerConfig(), progress=None) -> int:
        """Union by review id, then rebuild the cards by replay: idempotent and commutative.

        Two copies of one review that differ (a rating amended on one device) resolve to the copy
        whose row sorts greater, on every device. Returns the number of reviews added or changed.
        """
        incoming: dict[str, tuple] = {}
        for r in reviews:
            row = review_row(r)
            if row[0] not in incoming or row_key(row) > row_key(incoming[row[0]]):
                incoming[row[0]] = row
        rows = list(incoming.values())
        with self.transaction() as conn:
            changed = []
            for start in range(0, len(rows), _BATCH):
                batch = rows[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                here = {row[0]: row for row in conn.execute(f"SELECT {_REVIEW_COLUMNS} FROM reviews WHERE id IN ({marks})", [row[0] for row in batch])}
                changed.extend(row for row in batch if row[0] not in here or (row != here[row[0]] and row_key(row) > row_key(here[row[0]])))
            conn.executemany(f"INSERT OR REPLACE INTO reviews ({_REVIEW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", changed)
            if changed:
                self._rebuild(conn, config, progress=progress)
        return len(changed)

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
            pending = sum(
                conn.execute(f"SELECT count(*) FROM reviews WHERE item_id IN ({','.join('?' * len(chunk))})", chunk).fetchone()[0]
                for chunk in (olds[i : i + _BATCH] for i in range(0, len(olds), _BATCH))
            )
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

    def rebuild_cards(self, config: SchedulerConfig = SchedulerConfig(), progress=None) -> int:
        with self.transaction() as conn:
            return self._rebuild(conn, config, progress=progress)

    def _rebuild(self, conn: sqlite3.Connection, config: SchedulerConfig, progress=None) -> int:
        conn.execute("DELETE FROM cards")
        rows = []
        for item_id, bank, reviews in _grouped(conn.execute(f"SELECT {_REVIEW_COLUMNS} FROM reviews ORDER BY item_id, reviewed_at, id")):
            card = replay([r.event() for r in reviews], config)
            rows.append(card_row(item_id, bank, card, reviews[0].reviewed_at))
            if progress:
                progress(len(reviews))
        conn.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        return len(rows)

    def _replay_item(self, conn: sqlite3.Connection, item_id: str, config: SchedulerConfig) -> CardState | None:
        """Rebuild one item's card from its log, inside the caller's transaction."""
        reviews = [row_review(row) for row in conn.execute(f"SELECT {_REVIEW_COLUMNS} FROM reviews WHERE item_id = ? ORDER BY reviewed_at, id", (item_id,))]
        conn.execute("DELETE FROM cards WHERE item_id = ?", (item_id,))
        if not reviews:
            return None
        card = replay([r.event() for r in reviews], config)
        conn.execute("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?)", card_row(item_id, reviews[-1].bank, card, reviews[0].reviewed_at))
        return card

    # reads

    def cards(self) -> dict[str, CardState]:
        with self.reading() as conn:
            return {row[0]: row_card(row) for row in conn.execute("SELECT * FROM cards")}

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

    def progress_by_item(self) -> dict[str, ItemProgress]:
        """Every item id in the log, with the banks it was studied in (retired items included)."""
        sql = "SELECT item_id, group_concat(DISTINCT bank), count(*), max(reviewed_at) FROM reviews GROUP BY item_id"
        with self.reading() as conn:
            return {
                item_id: ItemProgress(tuple(sorted({part for b in (banks or "").split(",") for part in b.split("+") if part})), count, from_ms(last))
                for item_id, banks, count, last in conn.execute(sql)
            }


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


def _grouped(rows) -> Iterator[tuple[str, str, list[Review]]]:
    current, bank, batch = None, None, []
    for row in rows:
        if row[1] != current and batch:
            yield current, bank, batch
            batch = []
        current, bank = row[1], row[2]
        batch.append(row_review(row))
    if batch:
        yield current, bank, batch
