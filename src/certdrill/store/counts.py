"""Figures over the whole log, counted by SQLite: a million reviews are never read one by one."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise, repeat
from typing import NamedTuple

from certdrill.clock import from_ms, to_ms
from certdrill.schedule.posterior import Belief
from certdrill.schedule.scheduler import SchedulerConfig
from certdrill.store.connection import Connection, chunks, marks
from certdrill.store.rebuild import Guesses, recall_beliefs, replay_logs, replayed


class CardFigures(NamedTuple):
    """What `stats` reads of a stored card, as stored: no `CardState` (two datetimes) is built for it."""

    item_id: str
    due: int  # epoch ms
    last_review: int | None  # epoch ms
    stability: float | None
    lapses: int


@dataclass(frozen=True)
class ItemScope:
    """The items studied (those with a card), split into those to count and the others."""

    wanted: list[str]
    others: list[str]

    @classmethod
    def of(cls, item_ids: Collection[str], studied: Iterable[str]) -> ItemScope:
        seen = set(studied)
        return cls(sorted(seen.intersection(item_ids)), sorted(seen.difference(item_ids)))


class Counts(Connection):
    def last_review_id(self) -> str | None:
        """The greatest review id logged (ids sort by time): new ids of the same millisecond follow it."""
        with self.reading() as conn:
            return conn.execute("SELECT max(id) FROM reviews").fetchone()[0]

    def first_answers(self) -> dict[str, bool]:
        """Each multiple-choice item's first answer ever: right or not (a walk of the replay index)."""
        sql = "SELECT item_id, correct, min(reviewed_at) FROM reviews GROUP BY item_id"  # SQLite takes bare columns from the min row
        with self.reading() as conn:
            return {item_id: bool(correct) for item_id, correct, _ in conn.execute(sql) if correct is not None}

    def recall_beliefs(self, guesses: Guesses, config: SchedulerConfig, last: int | None, keep: int) -> dict[str, Belief]:
        """Each item's posterior replay of its last `last` answers, given its (g, first-sight chance) (`rebuild.recall_beliefs`)."""
        with self.reading() as conn:
            return recall_beliefs(conn, guesses, config, last, keep)

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

    def card_figures(self) -> list[CardFigures]:
        """Every stored card's due date, last review, stability and lapses (`CardFigures`)."""
        with self.reading() as conn:
            rows = conn.execute("SELECT item_id, due, last_review, stability, lapses FROM cards").fetchall()
        return list(map(tuple.__new__, repeat(CardFigures), rows))

    def first_review_at(self) -> datetime | None:
        with self.reading() as conn:
            at = conn.execute("SELECT min(reviewed_at) FROM reviews").fetchone()[0]
        return None if at is None else from_ms(at)

    def review_totals(self, scope: ItemScope | None = None) -> tuple[int, int, int, int]:
        """(reviews, time in ms, graded answers, right ones) of every item's reviews, or of the scope's items'."""
        sql = "SELECT count(*), coalesce(sum(duration_ms), 0), count(correct), coalesce(sum(correct), 0) FROM reviews"
        with self.reading() as conn:

            def some(chunk: Sequence[str]) -> list[int]:
                return list(conn.execute(f"{sql} WHERE item_id IN ({marks(chunk)})", chunk).fetchone())

            reviews, time_ms, graded, right = _by_items(scope, 4, lambda: list(conn.execute(sql).fetchone()), some)
            return reviews, time_ms, graded, right

    def review_histogram(self, edges: list[datetime], scope: ItemScope | None = None) -> list[int]:
        """Reviews between each two consecutive `edges` (ascending), of every item or of the scope's items."""
        bounds = [to_ms(edge) for edge in edges]
        with self.reading() as conn:

            def every() -> list[int]:
                sql = "SELECT count(*) FROM reviews WHERE reviewed_at >= ? AND reviewed_at < ?"
                return [conn.execute(sql, pair).fetchone()[0] for pair in pairwise(bounds)]

            def some(chunk: Sequence[str]) -> list[int]:
                counts = [0] * (len(bounds) + 1)
                for (at,) in conn.execute(f"SELECT reviewed_at FROM reviews WHERE item_id IN ({marks(chunk)})", chunk):
                    counts[bisect_right(bounds, at)] += 1
                return counts[1:-1]

            return _by_items(scope, max(len(bounds) - 1, 0), every, some)

    def wrong_answers(self) -> list[tuple[str, tuple[int, ...], int]]:
        """Wrong multiple-choice answers counted: (item id, choices picked, times), in the order first given.

        The id beside min() is SQLite's bare column: the id of the review that min() picked, so
        the order is each pair's first (time, id) without building a string for every wrong answer.
        """
        sql = (
            "SELECT item_id, answer, count(*), min(reviewed_at) AS first_at, id FROM reviews"
            " WHERE correct = 0 AND answer IS NOT NULL GROUP BY item_id, answer ORDER BY first_at, id"
        )
        parsed: dict[str, tuple[int, ...]] = {}  # a few distinct answers ("[1]", "[0, 2]") over thousands of rows
        with self.reading() as conn:
            return [(item_id, parsed.get(answer) or parsed.setdefault(answer, tuple(json.loads(answer))), n) for item_id, answer, n, _, _ in conn.execute(sql)]

    def mature_totals(self, scope: ItemScope | None = None, config: SchedulerConfig = SchedulerConfig()) -> tuple[int, int]:
        """`mature_counts` added up over every card or the scope's, by SQLite while every count is kept."""
        sql = "SELECT coalesce(sum(mature_recalls), 0), coalesce(sum(mature_right), 0) FROM cards"
        with self.reading() as conn:
            if conn.execute("SELECT 1 FROM cards WHERE mature_recalls IS NULL OR mature_right IS NULL LIMIT 1").fetchone() is None:

                def some(chunk: Sequence[str]) -> list[int]:
                    return list(conn.execute(f"{sql} WHERE item_id IN ({marks(chunk)})", chunk).fetchone())

                recalls, right = _by_items(scope, 2, lambda: list(conn.execute(sql).fetchone()), some)
                return recalls, right
        counted = self.mature_counts(config)
        wanted = counted if scope is None else {k: counted[k] for k in scope.wanted}
        return sum(n for n, _ in wanted.values()), sum(ok for _, ok in wanted.values())

    def mature_counts(self, config: SchedulerConfig = SchedulerConfig()) -> dict[str, tuple[int, int]]:
        """Per card: recalls asked while it was mature, and how many were right.

        Counts not kept yet (a store from before they were, read without writing) are worked out
        by replaying those items under `config`.
        """
        with self.reading() as conn:
            kept = {item_id: (recalls, right) for item_id, recalls, right in conn.execute("SELECT item_id, mature_recalls, mature_right FROM cards")}
            unknown = [item_id for item_id, (recalls, right) in kept.items() if recalls is None or right is None]
            for item_id, log in replay_logs(conn, sorted(unknown)):
                row = replayed(item_id, log, config)[1]
                assert row.mature_recalls is not None and row.mature_right is not None  # a replay counts them
                kept[item_id] = (row.mature_recalls, row.mature_right)
        return kept


def _by_items(scope: ItemScope | None, size: int, every: Callable[[], list[int]], some: Callable[[Sequence[str]], list[int]]) -> list[int]:
    """`every()` (counts over the whole log), restricted to the scope through `some(chunk of ids)`.

    Adds up what is wanted, or takes what is not away from the whole, whichever reads fewer
    items: the usual case (every item studied is in the bank) reads no item's reviews at all.
    """
    if scope is None:
        return every()
    if len(scope.wanted) <= len(scope.others):
        total, ids, sign = [0] * size, scope.wanted, 1
    else:
        total, ids, sign = every(), scope.others, -1
    for chunk in chunks(ids):
        total = [a + sign * b for a, b in zip(total, some(chunk), strict=True)]
    return total
