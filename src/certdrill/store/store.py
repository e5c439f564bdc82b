"""The progress store: reading it here; writes in writes.py, replay in rebuild.py, figures in counts.py."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter

from certdrill.clock import from_ms, to_ms
from certdrill.schedule.review_log import Review, ReviewRow
from certdrill.schedule.scheduler import CardState
from certdrill.store.connection import BATCH, chunks, marks
from certdrill.store.counts import Counts, ItemScope
from certdrill.store.rows import CARD_COLUMNS, REVIEW_COLUMNS, row_card, row_review
from certdrill.store.staged import StagedMerge
from certdrill.store.writes import OPTIMIZER_RECORD_KEY, write_review

__all__ = ["ItemProgress", "ItemScope", "Store", "write_review"]


@dataclass(frozen=True)
class ItemProgress:
    banks: tuple[str, ...]
    reviews: int
    last_review: datetime


class Store(StagedMerge, Counts):
    """Progress: the append-only review log, the card cache rebuilt from it, mock exams, settings kept with them."""

    def cards(self, *, due_before: datetime | None = None, item_ids: Iterable[str] | None = None) -> dict[str, CardState]:
        """All cached cards, or those due before a time (through the due index), or those of some items."""
        with self.reading() as conn:
            if item_ids is not None:
                out: dict[str, CardState] = {}
                for chunk in chunks(list(item_ids)):
                    out.update((row[0], row_card(row)) for row in conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE item_id IN ({marks(chunk)})", chunk))
                return out
            if due_before is not None:
                return {row[0]: row_card(row) for row in conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE due < ?", (to_ms(due_before),))}
            return {row[0]: row_card(row) for row in conn.execute(f"SELECT {CARD_COLUMNS} FROM cards")}

    def reviews(self, *, since: datetime | None = None, item_id: str | None = None) -> list[Review]:
        sql, args = f"SELECT {REVIEW_COLUMNS} FROM reviews", list[object]()
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

    def iter_review_rows(self) -> Iterator[ReviewRow]:
        """Streamed in batches; a consumer that stops early leaves no half-read cursor behind."""
        with self.reading() as conn:
            cursor = conn.execute(f"SELECT {REVIEW_COLUMNS} FROM reviews ORDER BY reviewed_at, id")
        while True:
            with self.reading():
                rows = cursor.fetchmany(BATCH)
            if not rows:
                return
            yield from rows

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

    def optimizer_record(self) -> str | None:
        """The record `certdrill optimize` kept (JSON: the parameters in use and how they scored), or None."""
        with self.reading() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (OPTIMIZER_RECORD_KEY,)).fetchone()
        return row[0] if row else None

    def logs_by_item(self) -> Iterator[list[tuple[int, int]]]:
        """Each item's reviews as (ms since the epoch, rating), oldest first: what an optimizer fits to."""
        with self.reading() as conn:
            rows = conn.execute("SELECT item_id, reviewed_at, rating FROM reviews ORDER BY item_id, reviewed_at, id")
            for _, group in groupby(rows, key=itemgetter(0)):
                yield [(at, rating) for _, at, rating in group]
