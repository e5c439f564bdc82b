"""Creating state for many new items costs no per-item sleep and no per-item transaction.

fsrs.Card() without a card_id sleeps 1 ms to make its id unique; a first session over a 50k-item
bank, or a rebuild, must never take that path. Counted here by replacing time.sleep and by
tracing the SQL every connection runs.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from unittest import mock


@dataclass(frozen=True)
class NewItems:
    items: int
    queue_s: float
    answered: int
    session_sleeps: int
    session_transactions: int
    rebuild_cards: int
    rebuild_s: float
    rebuild_sleeps: int
    rebuild_transactions: int


class _Counter:
    def __init__(self) -> None:
        self.sleeps = 0
        self.transactions = 0

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1

    def trace(self, sql: str) -> None:
        if sql.lstrip().upper().startswith("BEGIN"):
            self.transactions += 1


def measure(bank_dir: Path, progress_db: Path, answers: int = 100) -> NewItems:
    import random

    from certdrill.bank.items import LETTERS
    from certdrill.bank.open import load_bank
    from certdrill.clock import parse_instant
    from certdrill.drill.session import Rules, Session
    from certdrill.schedule.queue import Limits, build_queue
    from certdrill.schedule.scheduler import retrievability
    from certdrill.store.store import Store

    now = parse_instant("2026-11-23T09:00:00+00:00")
    with tempfile.TemporaryDirectory(prefix="certdrill-new-") as tmp:
        bank = load_bank(bank_dir, cache_dir=Path(tmp) / "cache")
        store = Store.open(Path(tmp) / "fresh.sqlite3")
        counter = _Counter()
        store.conn.set_trace_callback(counter.trace)
        with mock.patch("time.sleep", counter.sleep):
            t0 = time.perf_counter()
            queue = build_queue(bank.items, {}, now=now, day_end=now, limits=Limits(len(bank.items), 0), recall=lambda c: retrievability(c, now))
            queue_s = time.perf_counter() - t0
            session = Session(queue.items[:answers], {}, bank=bank.name, rules=Rules(pause_after_answer=False, max_asks=1), rng=random.Random(1))
            step = session.start(now)
            while step.question is not None:
                shown = step.question
                if shown.item.is_choice:
                    step = session.handle("".join(LETTERS[shown.order.index(i)] for i in shown.item.answer), now)
                else:
                    session.handle("", now)
                    step = session.handle("3", now)
                outcome = step.save
                assert outcome is not None
                session.cards[outcome.review.item_id] = store.record(outcome.review, outcome.card, prior=outcome.prior, config=session.config)
        store.close()
        session_sleeps, session_transactions = counter.sleeps, counter.transactions

        copy = Path(tmp) / "rebuild.sqlite3"
        shutil.copyfile(progress_db, copy)
        store = Store.open(copy)
        counter = _Counter()
        store.conn.set_trace_callback(counter.trace)
        with mock.patch("time.sleep", counter.sleep):
            t0 = time.perf_counter()
            cards = store.rebuild_cards()
            rebuild_s = time.perf_counter() - t0
        store.close()
    return NewItems(len(queue.new), queue_s, answers, session_sleeps, session_transactions, cards, rebuild_s, counter.sleeps, counter.transactions)
