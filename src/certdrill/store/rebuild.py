"""The card cache rebuilt from the log by replay: one item, some, or all of them on every core."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from certdrill.clock import from_ms
from certdrill.drill.missed import answer_missed
from certdrill.gcpause import paused_gc
from certdrill.parallel import ordered_map
from certdrill.schedule.batch import Batch, Columns, batch_for
from certdrill.schedule.posterior import Answer, Belief, posterior_replay
from certdrill.schedule.scheduler import RATINGS, CardState, ReviewEvent, SchedulerConfig, replay
from certdrill.store.connection import Connection, chunks, marks
from certdrill.store.rows import CARD_COLUMNS, CARD_MARKS, REPLAY_COLUMNS, REPLAY_ORDER, CardRow, ReplayRow, card_row, row_card

REPLAY_CHUNK = 20_000  # reviews a replay worker takes at once; a smaller rebuild runs in this process
# Reviews from which a chunk replays in batch (`schedule.batch`, with fsrs-rs): a rebuild, an import,
# new parameters. Fewer (an answer, an undo, a sync's few reviews) replay in fsrs's own float64 alone,
# as the live review computed them.
BATCH_MIN = 2_000

Log = list[ReplayRow]
_replay_row = partial(tuple.__new__, ReplayRow)  # a row read as a ReplayRow at C speed (a replay reads a million)

RULES_KEY = "scheduling_rules"  # the meta row naming the rules the cached cards were computed under


def replayed(item_id: str, log: Log, config: SchedulerConfig) -> tuple[CardState, CardRow]:
    """An item's card and card row, replayed from its log rows (in replay order).

    The row carries the recalls asked of the card while mature, and how many were right.
    """
    maturity: list[bool] = []
    card = replay([ReviewEvent(r.id, from_ms(r.reviewed_at), RATINGS[r.rating]) for r in log], config, maturity=maturity)
    assert card is not None  # a log is never empty
    right = sum(1 for mature, r in zip(maturity, log, strict=True) if mature and not answer_missed(r.correct, r.rating))
    return card, card_row(item_id, log[-1].bank, card, from_ms(log[0].reviewed_at), (sum(maturity), right))


class Rebuilding(Connection):
    def rebuild_cards(self, config: SchedulerConfig = SchedulerConfig(), item_ids: Iterable[str] | None = None) -> int:
        """Replay the log into the card cache: every item's, or only these items'."""
        with self.transaction() as conn:
            return self._rebuild(conn, config, item_ids=item_ids, log_committed=True)

    def fill_mature_counts(self, config: SchedulerConfig = SchedulerConfig()) -> int:
        """Replay the cards whose mature-recall counts are not known yet (a store from before they
        were kept); returns how many. Nothing to do, and nothing written, once they all are."""
        with self.reading() as conn:
            unknown = [row[0] for row in conn.execute("SELECT item_id FROM cards WHERE mature_recalls IS NULL OR mature_right IS NULL")]
        return self.rebuild_cards(config, item_ids=unknown) if unknown else 0

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

    def _rebuild(self, conn: sqlite3.Connection, config: SchedulerConfig, item_ids: Iterable[str] | None = None, *, log_committed: bool = False) -> int:
        """Replay into the card cache inside the caller's transaction. With the log as committed
        (`log_committed`: this transaction has not changed it), the workers of a full rebuild read
        their share of it from the file themselves; otherwise this process reads it and hands it out."""
        wanted = None if item_ids is None else sorted(set(item_ids))
        if wanted is None:
            conn.execute("DELETE FROM cards")
        else:
            for chunk in chunks(wanted):
                conn.execute(f"DELETE FROM cards WHERE item_id IN ({marks(chunk)})", chunk)
        if wanted is None and log_committed:
            work = ordered_map(partial(_replay_range, path=str(self.path), config=config), _ranges(conn, REPLAY_CHUNK))
        else:
            work = ordered_map(partial(_replay_chunk, config=config), _chunked(replay_logs(conn, wanted), REPLAY_CHUNK))
        cards = 0
        with paused_gc():  # a card a row, unpickled from a worker or made here: nothing cyclic
            for rows in work:  # each chunk written as it comes, while the workers replay the next ones
                conn.executemany(f"INSERT INTO cards ({CARD_COLUMNS}) VALUES ({CARD_MARKS})", rows)
                cards += len(rows)
        return cards

    def _replay_item(self, conn: sqlite3.Connection, item_id: str, config: SchedulerConfig) -> CardState | None:
        """Rebuild one item's card from its log, inside the caller's transaction."""
        conn.execute("DELETE FROM cards WHERE item_id = ?", (item_id,))
        for _, log in replay_logs(conn, [item_id]):
            card, row = replayed(item_id, log, config)
            conn.execute(f"INSERT INTO cards ({CARD_COLUMNS}) VALUES ({CARD_MARKS})", row)
            return card
        return None


def _replay_chunk(logs: list[tuple[str, Log]], config: SchedulerConfig) -> list[CardRow]:
    """The card rows of some items' logs (run in a worker process): in batch where it pays and fsrs-rs
    is there, each card it leaves undecided (and every card otherwise) by `scheduler.replay`."""
    batch = batch_for(config, at=_AT, rid=_ID, rating=_RATING) if sum(len(log) for _, log in logs) >= BATCH_MIN else None
    if batch is None:
        return [replayed(item_id, log, config)[1] for item_id, log in logs]
    rows = []
    for (item_id, log), done in zip(logs, batch.replay([log for _, log in logs]), strict=True):
        if done is None:
            rows.append(replayed(item_id, log, config)[1])
            continue
        right = sum(1 for i in done.mature if not answer_missed(log[i].correct, log[i].rating))
        rows.append(card_row(item_id, log[-1].bank, done.card, from_ms(log[0].reviewed_at), (len(done.mature), right)))
    return rows


_AT, _ID, _RATING = (ReplayRow._fields.index(name) for name in ("reviewed_at", "id", "rating"))


def _ranges(conn: sqlite3.Connection, reviews: int) -> Iterator[tuple[str, str | None]]:
    """[first, next) item ids of runs of whole items holding about `reviews` reviews, in id order
    (None: to the end); each the item `reviews` rows past the last, by stepping the index in SQLite."""
    low = conn.execute("SELECT min(item_id) FROM reviews").fetchone()[0]
    while low is not None:
        row = conn.execute("SELECT item_id FROM reviews WHERE item_id > ? ORDER BY item_id LIMIT 1 OFFSET ?", (low, reviews)).fetchone()
        high = None if row is None else row[0]
        yield low, high
        low = high


def _in(bounds: tuple[str, str | None]) -> tuple[str, tuple[str, ...]]:
    """The WHERE clause, and its parameters, of the items in `bounds` (from `_ranges`)."""
    low, high = bounds
    return ("WHERE item_id >= ?", (low,)) if high is None else ("WHERE item_id >= ? AND item_id < ?", (low, high))


def _replay_range(bounds: tuple[str, str | None], path: str, config: SchedulerConfig) -> list[CardRow]:
    """`_replay_chunk` of the items in `bounds`, read from the committed log (run in a worker process)."""
    where, params = _in(bounds)
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        with paused_gc():  # a review read is a tuple, a card a row: nothing cyclic, all freed by reference counting
            conn.execute("BEGIN")  # the reads below see one state of the log
            batch = batch_for(config)
            items = conn.execute(_ITEMS.format(where=where), params).fetchall()
            if not items:
                return []
            if batch is None or sum(item[1] for item in items) < BATCH_MIN:
                rows = conn.execute(f"SELECT {REPLAY_COLUMNS} FROM reviews {where} {REPLAY_ORDER}", params)
                return _replay_chunk([(item_id, list(map(_replay_row, group))) for item_id, group in groupby(rows, key=itemgetter(0))], config)
            reviews = conn.execute(f"SELECT reviewed_at, rating, correct FROM reviews {where} {REPLAY_ORDER}", params)
            return _replay_lean(conn, items, reviews, batch, config)
    finally:
        conn.close()


# Each item of a range: its count of reviews, and the id and bank of its last (in replay order)
_LAST = "(SELECT {} FROM reviews r WHERE r.item_id = m.item_id ORDER BY reviewed_at DESC, id DESC LIMIT 1)"
_ITEMS = f"SELECT item_id, n, {_LAST.format('id')}, {_LAST.format('bank')} FROM (SELECT item_id, count(*) AS n FROM reviews {{where}} GROUP BY item_id) m ORDER BY item_id"
_LOG_ORDER = "ORDER BY reviewed_at, id"


class _Ids:
    """An item's review ids (`batch.Ids`): the last one known; one other read alone when asked (a
    fuzz decision), all the others when a second is (a replay in Python asks for every one)."""

    __slots__ = ("conn", "every", "item_id", "last", "last_id", "one")

    def __init__(self, conn: sqlite3.Connection, item_id: str, count: int, last_id: str):
        self.conn, self.item_id, self.last, self.last_id = conn, item_id, count - 1, last_id
        self.one: tuple[int, str] | None = None
        self.every: list[str] | None = None

    def __getitem__(self, i: int) -> str:
        if i == self.last:
            return self.last_id
        if self.every is not None:
            return self.every[i]
        if self.one is not None and self.one[0] == i:
            return self.one[1]
        if self.one is None:
            self.one = (i, self.conn.execute(f"SELECT id FROM reviews WHERE item_id = ? {_LOG_ORDER} LIMIT 1 OFFSET ?", (self.item_id, i)).fetchone()[0])
            return self.one[1]
        self.every = [row[0] for row in self.conn.execute(f"SELECT id FROM reviews WHERE item_id = ? {_LOG_ORDER}", (self.item_id,))]
        return self.every[i]


def _replay_lean(conn: sqlite3.Connection, items: list[tuple], reviews: Iterable[tuple], batch: Batch, config: SchedulerConfig) -> list[CardRow]:
    """The card rows of a full rebuild's range from only the time, rating and correctness of each
    review, in replay order (`reviews`), and each item's count, last id and bank (`items`): a
    review's id is a third of the reading, and the batch asks it only of the few cards whose fuzz
    must decide; whole rows are read only of the cards the batch leaves to Python."""
    at, rating, correct = zip(*reviews, strict=True)
    logs, first = [], 0
    for item_id, count, last_id, _ in items:
        logs.append(Columns(at[first : first + count], rating[first : first + count], _Ids(conn, item_id, count, last_id)))
        first += count
    cards, first = [], 0
    for (item_id, count, _, bank), log, done in zip(items, logs, batch.replay_columns(logs), strict=True):
        if done is None:
            rows = conn.execute(f"SELECT {REPLAY_COLUMNS} FROM reviews WHERE item_id = ? {_LOG_ORDER}", (item_id,))
            cards.append(replayed(item_id, list(map(_replay_row, rows)), config)[1])
        else:
            right = sum(1 for i in done.mature if not answer_missed(correct[first + i], log.rating[i]))
            cards.append(card_row(item_id, bank, done.card, from_ms(log.at[0]), (len(done.mature), right)))
        first += count
    return cards


def _chunked(logs: Iterable[tuple[str, Log]], reviews: int) -> Iterator[list[tuple[str, Log]]]:
    """Whole items' logs, about `reviews` reviews a chunk."""
    chunk: list[tuple[str, Log]] = []
    size = 0
    for item_id, log in logs:
        chunk.append((item_id, log))
        size += len(log)
        if size >= reviews:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


Guesses = Mapping[str, tuple[float, float | None]]  # item id → (guess chance g, chance it was known at first sight)


def recall_beliefs(conn: sqlite3.Connection, guesses: Guesses, config: SchedulerConfig, last: int | None, keep: int) -> dict[str, Belief]:
    """Per item of `guesses` with a log: the posterior replay of its last `last` answers (all: None) from the plain card
    before them (`schedule.posterior`), on every core; the plain cards replayed as a rebuild replays them."""
    work = ((item_id, log, *guesses[item_id]) for item_id, log in replay_logs(conn, sorted(guesses)))
    done = ordered_map(partial(_belief_chunk, config=config, last=last, keep=keep), _chunked_work(work, REPLAY_CHUNK))
    return {item_id: belief for chunk in done for item_id, belief in chunk}


def _belief_chunk(work: list[tuple[str, Log, float, float | None]], config: SchedulerConfig, last: int | None, keep: int) -> list[tuple[str, Belief]]:
    cut = {item_id: 0 if last is None else max(0, len(log) - last) for item_id, log, _, _ in work}
    earlier = [(item_id, log[: cut[item_id]]) for item_id, log, _, _ in work if cut[item_id]]
    starts = {row.item_id: row_card(row) for row in _replay_chunk(earlier, config)}
    out = []
    for item_id, log, g, prior in work:
        answers = [Answer(from_ms(r.reviewed_at), RATINGS[r.rating], g, prior) for r in log[cut[item_id] :]]
        out.append((item_id, posterior_replay(answers, config, keep=keep, start=starts.get(item_id))))
    return out


def _chunked_work(work: Iterable[tuple[str, Log, float, float | None]], reviews: int) -> Iterator[list[tuple[str, Log, float, float | None]]]:
    chunk: list[tuple[str, Log, float, float | None]] = []
    size = 0
    for entry in work:
        chunk.append(entry)
        size += len(entry[1])
        if size >= reviews:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def replay_logs(conn: sqlite3.Connection, item_ids: list[str] | None) -> Iterator[tuple[str, Log]]:
    """(item id, its log rows in replay order) for every item, or for these (sorted) items."""
    rows: Iterable[tuple]
    if item_ids is None:
        rows = conn.execute(f"SELECT {REPLAY_COLUMNS} FROM reviews {REPLAY_ORDER}")
    else:
        rows = (
            row
            for chunk in chunks(item_ids)
            for row in conn.execute(f"SELECT {REPLAY_COLUMNS} FROM reviews WHERE item_id IN ({marks(chunk)}) {REPLAY_ORDER}", chunk)
        )
    for item_id, group in groupby(rows, key=itemgetter(0)):
        yield item_id, list(map(_replay_row, group))
