"""Answer latency: typed answer to feedback on screen, in-process, as ui.loop does it.

Each answer is graded and scheduled (Session.handle), committed durably (Store.record: WAL,
synchronous=FULL, so an fsync), and its feedback rendered (to a null console of the usual width).
The commit is also timed with synchronous=OFF, which certdrill never uses, to show what of it is
the disk's fsync rather than our code.
"""

from __future__ import annotations

import io
import os
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from common import median, percentile


@dataclass(frozen=True)
class Latency:
    answers: int
    total_median_ms: float
    total_p95_ms: float
    grade_median_ms: float
    commit_median_ms: float
    render_median_ms: float
    commit_unsynced_median_ms: float
    fsync_median_ms: float

    @property
    def own_median_ms(self) -> float:
        """Everything but the disk's flush."""
        return self.total_median_ms - max(0.0, self.commit_median_ms - self.commit_unsynced_median_ms)


def _answers(store, answers: int, seed: int) -> tuple[list[float], list[float], list[float], list[float]]:
    from rich.console import Console

    from certdrill import paths
    from certdrill.bank.items import LETTERS
    from certdrill.bank.open import load_bank
    from certdrill.clock import parse_instant
    from certdrill.drill.session import Rules, Session
    from certdrill.ui import render

    bank = load_bank(paths.builtin_bank_dir())
    rng = random.Random(seed)
    console = Console(file=io.StringIO(), width=100, no_color=True, highlight=False, emoji=False)
    now = parse_instant("2026-11-23T09:00:00+00:00")
    grade: list[float] = []
    commit: list[float] = []
    draw: list[float] = []
    total: list[float] = []
    while len(total) < answers:  # a fresh session whenever one ends (it asks each item a few times at most)
        session = Session(bank.items, {}, bank=bank.name, rules=Rules(pause_after_answer=False), rng=random.Random(seed + len(total)))
        step = session.start(now)
        while step.question is not None and len(total) < answers:
            item, order = step.question.item, step.question.order
            right = rng.random() < 0.8
            now += timedelta(seconds=20)
            t0 = time.perf_counter()
            if item.is_choice:
                wrong = tuple(i for i in range(len(item.choices)) if i not in item.answer)[:1] + (item.answer[:1] if item.type == "multi" else ())
                chosen = item.answer if right else wrong
                step = session.handle("".join(LETTERS[order.index(i)] for i in chosen), now)
            else:
                session.handle("", now)
                step = session.handle("3" if right else "1", now)
            outcome = step.save
            assert outcome is not None
            t1 = time.perf_counter()
            session.cards[outcome.review.item_id] = store.record(outcome.review, outcome.card, prior=outcome.prior, config=session.config)  # as study saves it
            t2 = time.perf_counter()
            console.print(render.feedback(item, order, outcome.review.answer, outcome.correct))
            t3 = time.perf_counter()
            grade.append(t1 - t0)
            commit.append(t2 - t1)
            draw.append(t3 - t2)
            total.append(t3 - t0)
            console.file.seek(0)
            console.file.truncate()
    return grade, commit, draw, total


def _fsync_ms(folder: Path, times: int = 50) -> float:
    path = folder / "fsync-probe"
    samples = []
    with open(path, "wb") as fh:
        for _ in range(times):
            fh.write(os.urandom(4096))
            fh.flush()
            t0 = time.perf_counter()
            os.fsync(fh.fileno())
            samples.append(time.perf_counter() - t0)
    path.unlink()
    return median(samples) * 1000


def measure(answers: int = 500, seed: int = 7) -> Latency:
    from certdrill.store.store import Store

    with tempfile.TemporaryDirectory(prefix="certdrill-latency-") as tmp:
        folder = Path(tmp)
        store = Store.open(folder / "progress.sqlite3")
        try:
            grade, commit, draw, total = _answers(store, answers, seed)
        finally:
            store.close()
        unsynced = Store.open(folder / "unsynced.sqlite3")
        try:
            unsynced.conn.execute("PRAGMA synchronous = OFF")
            commit_off = _answers(unsynced, answers, seed)[1]
        finally:
            unsynced.close()
        fsync = _fsync_ms(folder)
    ms = 1000
    return Latency(
        answers=len(total),
        total_median_ms=median(total) * ms,
        total_p95_ms=percentile(total, 0.95) * ms,
        grade_median_ms=median(grade) * ms,
        commit_median_ms=median(commit) * ms,
        render_median_ms=median(draw) * ms,
        commit_unsynced_median_ms=median(commit_off) * ms,
        fsync_median_ms=fsync,
    )
