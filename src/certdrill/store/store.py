"""Reading and writing progress. Every write is one short transaction, committed before returning."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from certdrill.clock import from_ms, to_ms
from certdrill.errors import StoreError
from certdrill.review_log import Review
from certdrill.scheduler import CardState, SchedulerConfig, replay
from certdrill.store.db import connect

_BATCH = 500  # ids an `IN (...)` query takes at once, well under SQLite's variable limit
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


class Store:
    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn

    @classmethod
    def open(cls, path: Path) -> Store:
        return cls(Path(path), connect(Path(path)))

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _store_error(exc, self.path) from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise _store_error(exc, self.path) from None
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    # writes

    def record(self, review: Review, card: CardState) -> None:
        """Append one answer and its card state, durably, in one transaction."""
        with self.transaction() as conn:
            write_review(conn, review, card)

    def amend_rating(self, review_id: str, rating: int, card: CardState) -> None:
        with self.transaction() as conn:
            row = conn.execute("SELECT item_id FROM reviews WHERE id = ?", (review_id,)).fetchone()
            if row is None:
                raise StoreError(f"no review {review_id}")
            conn.execute("UPDATE reviews SET rating = ? WHERE id = ?", (rating, review_id))
            conn.execute(
                "UPDATE cards SET state=?, step=?, stability=?, difficulty=?, due=?, last_review=? WHERE item_id=?",
                (card.state, card.step, card.stability, card.difficulty, to_ms(card.due), to_ms(card.last_review) if card.last_review else None, row[0]),
            )

    def merge_reviews(self, reviews: Iterable[Review], config: SchedulerConfig = SchedulerConfig(), progress=None) -> int:
        """Union by review id, then rebuild the touched cards by replay: idempotent and commutative."""
        with self.transaction() as conn:
            before = conn.total_changes
            conn.executemany(f"INSERT OR IGNORE INTO reviews ({_REVIEW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", (review_row(r) for r in reviews))
            added = conn.total_changes - before
            if added:
                self._rebuild(conn, config, progress=progress)
        return added

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

    # reads

    def cards(self, *, due_before: datetime | None = None, item_ids: Iterable[str] | None = None) -> dict[str, CardState]:
        """All cached cards, or those due before a time (through the due index), or those of some items."""
        if item_ids is not None:
            ids = list(item_ids)
            out: dict[str, CardState] = {}
            for start in range(0, len(ids), _BATCH):
                chunk = ids[start : start + _BATCH]
                out.update((row[0], row_card(row)) for row in self.conn.execute(f"SELECT * FROM cards WHERE item_id IN ({','.join('?' * len(chunk))})", chunk))
            return out
        if due_before is not None:
            return {row[0]: row_card(row) for row in self.conn.execute("SELECT * FROM cards WHERE due < ?", (to_ms(due_before),))}
        return {row[0]: row_card(row) for row in self.conn.execute("SELECT * FROM cards")}

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
        return [row_review(row) for row in self.conn.execute(sql, args)]

    def iter_review_rows(self) -> Iterator[tuple]:
        yield from self.conn.execute(f"SELECT {_REVIEW_COLUMNS} FROM reviews ORDER BY reviewed_at, id")

    def review_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM reviews").fetchone()[0]

    def done_today(self, day_start: datetime) -> tuple[int, int]:
        """(new items first answered today, answers today to items first seen before today)."""
        start = to_ms(day_start)
        new = self.conn.execute("SELECT count(*) FROM cards WHERE first_review >= ?", (start,)).fetchone()[0]
        reviews = self.conn.execute(
            "SELECT count(*) FROM reviews r JOIN cards c ON c.item_id = r.item_id WHERE r.reviewed_at >= ? AND c.first_review < ?",
            (start, start),
        ).fetchone()[0]
        return new, reviews

    def item_ids_with_progress(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT item_id FROM cards")}


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


def _store_error(exc: sqlite3.Error, path: Path) -> StoreError:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return StoreError("the progress database is read-only; nothing was saved", file=str(path))
    if "full" in text:
        return StoreError("the disk is full; nothing was saved", file=str(path))
    if "locked" in text or "busy" in text:
        return StoreError("the progress database stayed locked by another certdrill; try again", file=str(path))
    return StoreError(f"database error: {text}", file=str(path))
