"""Reading and writing progress. Every write is one short transaction, committed before returning."""

from __future__ import annotations

import json
import sqlite3
from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby, pairwise
from operator import itemgetter
from pathlib import Path

from certdrill.clock import from_ms, to_ms
from certdrill.errors import StoreError
from certdrill.missed import answer_missed
from certdrill.review_log import Review
from certdrill.scheduler import CardState, ReviewEvent, SchedulerConfig, is_mature, replay
from certdrill.store.db import connect

_BATCH = 500  # ids an `IN (...)` query takes at once, well under SQLite's variable limit
_REVIEW_COLUMNS = "id, item_id, bank, reviewed_at, rating, answer, correct, duration_ms, kind, session_id"
_CARD_COLUMNS = "item_id, bank, state, step, stability, difficulty, due, last_review, reps, lapses, first_review, mature_recalls, mature_right"
_CARD_MARKS = ",".join("?" * len(_CARD_COLUMNS.split(",")))
_REPLAY_COLUMNS = "item_id, reviewed_at, id, rating, correct, bank"  # what `replayed` reads, in item then replay order


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
    """Append one review and its card state, inside the caller's transaction.

    The card's mature-recall counts carry on from the card before this answer.
    """
    conn.execute(f"INSERT INTO reviews ({_REVIEW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", review_row(review))
    before = conn.execute(f"SELECT {_CARD_COLUMNS} FROM cards WHERE item_id = ?", (review.item_id,)).fetchone()
    if before is None:
        first_at, counts = review.reviewed_at, (0, 0)
    else:
        first_at = from_ms(before[10])
        counts = _counted(before[11], before[12], is_mature(row_card(before)), answer_missed(review.correct, review.rating))
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


def replayed(item_id: str, log: list[tuple], config: SchedulerConfig) -> tuple:
    """The card row of one item from its log rows (item_id, reviewed_at, id, rating, correct, bank), in replay order."""
    maturity: list[bool] = []
    card = replay([ReviewEvent(rid, from_ms(at), rating) for _, at, rid, rating, _, _ in log], config, maturity=maturity)
    right = sum(1 for mature, row in zip(maturity, log, strict=True) if mature and not answer_missed(row[4], row[3]))
    return card_row(item_id, log[-1][5], card, from_ms(log[0][1]), (sum(maturity), right))


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
            row = conn.execute("SELECT item_id, rating, correct FROM reviews WHERE id = ?", (review_id,)).fetchone()
            if row is None:
                raise StoreError(f"no review {review_id}")
            item_id, old, correct = row
            conn.execute("UPDATE reviews SET rating = ? WHERE id = ?", (rating, review_id))
            conn.execute(
                "UPDATE cards SET state=?, step=?, stability=?, difficulty=?, due=?, last_review=? WHERE item_id=?",
                (card.state, card.step, card.stability, card.difficulty, to_ms(card.due), to_ms(card.last_review) if card.last_review else None, item_id),
            )
            if answer_missed(correct, old) != answer_missed(correct, rating):  # right or not changed: recounted by the next replay
                conn.execute("UPDATE cards SET mature_recalls = NULL, mature_right = NULL WHERE item_id = ?", (item_id,))

    def merge_reviews(self, reviews: Iterable[Review], config: SchedulerConfig = SchedulerConfig(), progress=None) -> int:
        """Union by review id, then rebuild the touched cards by replay: idempotent and commutative."""
        with self.transaction() as conn:
            before = conn.total_changes
            last = conn.execute("SELECT max(rowid) FROM reviews").fetchone()[0]
            conn.executemany(f"INSERT OR IGNORE INTO reviews ({_REVIEW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", (review_row(r) for r in reviews))
            added = conn.total_changes - before
            if added:
                touched = None if last is None else [row[0] for row in conn.execute("SELECT DISTINCT item_id FROM reviews WHERE rowid > ?", (last,))]
                self._rebuild(conn, config, progress=progress, item_ids=touched)
        return added

    def rebuild_cards(self, config: SchedulerConfig = SchedulerConfig(), progress=None, item_ids: Iterable[str] | None = None) -> int:
        """Replay the log into the card cache: every item's, or only these items'."""
        with self.transaction() as conn:
            return self._rebuild(conn, config, progress=progress, item_ids=item_ids)

    def _rebuild(self, conn: sqlite3.Connection, config: SchedulerConfig, progress=None, item_ids: Iterable[str] | None = None) -> int:
        if item_ids is None:
            conn.execute("DELETE FROM cards")
            rows: Iterable[tuple] = conn.execute(f"SELECT {_REPLAY_COLUMNS} FROM reviews ORDER BY item_id, reviewed_at, id")
        else:
            ids = sorted(set(item_ids))
            for chunk in _chunks(ids):
                conn.execute(f"DELETE FROM cards WHERE item_id IN ({_marks(chunk)})", chunk)
            rows = (
                row
                for chunk in _chunks(ids)
                for row in conn.execute(f"SELECT {_REPLAY_COLUMNS} FROM reviews WHERE item_id IN ({_marks(chunk)}) ORDER BY item_id, reviewed_at, id", chunk)
            )
        cards = []
        for item_id, group in groupby(rows, key=itemgetter(0)):
            log = list(group)
            cards.append(replayed(item_id, log, config))
            if progress:
                progress(len(log))
        conn.executemany(f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES ({_CARD_MARKS})", cards)
        return len(cards)

    # reads

    def cards(self, *, due_before: datetime | None = None, item_ids: Iterable[str] | None = None) -> dict[str, CardState]:
        """All cached cards, or those due before a time (through the due index), or those of some items."""
        if item_ids is not None:
            ids = list(item_ids)
            out: dict[str, CardState] = {}
            for chunk in _chunks(ids):
                out.update((row[0], row_card(row)) for row in self.conn.execute(f"SELECT * FROM cards WHERE item_id IN ({_marks(chunk)})", chunk))
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

    # figures over the whole log, counted by SQLite (a million reviews are never read one by one)

    def first_review_at(self) -> datetime | None:
        at = self.conn.execute("SELECT min(reviewed_at) FROM reviews").fetchone()[0]
        return None if at is None else from_ms(at)

    def review_totals(self, scope: ItemScope | None = None) -> tuple[int, int, int, int]:
        """(reviews, time in ms, graded answers, right ones) of every item's reviews, or of the scope's items'."""
        sql = "SELECT count(*), coalesce(sum(duration_ms), 0), count(correct), coalesce(sum(correct), 0) FROM reviews"

        def some(chunk: list[str]) -> list[int]:
            return list(self.conn.execute(f"{sql} WHERE item_id IN ({_marks(chunk)})", chunk).fetchone())

        return tuple(_by_items(scope, 4, lambda: list(self.conn.execute(sql).fetchone()), some))

    def review_histogram(self, edges: list[datetime], scope: ItemScope | None = None) -> list[int]:
        """Reviews between each two consecutive `edges` (ascending), of every item or of the scope's items."""
        bounds = [to_ms(edge) for edge in edges]

        def every() -> list[int]:
            sql = "SELECT count(*) FROM reviews WHERE reviewed_at >= ? AND reviewed_at < ?"
            return [self.conn.execute(sql, pair).fetchone()[0] for pair in pairwise(bounds)]

        def some(chunk: list[str]) -> list[int]:
            counts = [0] * (len(bounds) + 1)
            for (at,) in self.conn.execute(f"SELECT reviewed_at FROM reviews WHERE item_id IN ({_marks(chunk)})", chunk):
                counts[bisect_right(bounds, at)] += 1
            return counts[1:-1]

        return _by_items(scope, max(len(bounds) - 1, 0), every, some)

    def wrong_answers(self) -> list[tuple[str, tuple[int, ...], int]]:
        """Wrong multiple-choice answers counted: (item id, choices picked, times), in the order first given."""
        sql = (
            "SELECT item_id, answer, count(*) FROM reviews WHERE correct = 0 AND answer IS NOT NULL"
            " GROUP BY item_id, answer ORDER BY min(printf('%015d', reviewed_at) || id)"
        )
        return [(item_id, tuple(json.loads(answer)), n) for item_id, answer, n in self.conn.execute(sql)]

    def mature_counts(self) -> dict[str, tuple[int | None, int | None]]:
        """Per card: recalls asked while it was mature, and how many were right (None: not counted yet)."""
        return {item_id: (recalls, right) for item_id, recalls, right in self.conn.execute("SELECT item_id, mature_recalls, mature_right FROM cards")}


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


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]


def _marks(chunk: list) -> str:
    return ",".join("?" * len(chunk))


def _store_error(exc: sqlite3.Error, path: Path) -> StoreError:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return StoreError("the progress database is read-only; nothing was saved", file=str(path))
    if "full" in text:
        return StoreError("the disk is full; nothing was saved", file=str(path))
    if "locked" in text or "busy" in text:
        return StoreError("the progress database stayed locked by another certdrill; try again", file=str(path))
    return StoreError(f"database error: {text}", file=str(path))
