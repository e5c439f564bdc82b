"""Mock exams in the progress store: started, answered one question at a time, finished in one go."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from certdrill.clock import from_ms, to_ms
from certdrill.drill.exam import Result
from certdrill.errors import StoreError
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import CardState
from certdrill.store.store import Store
from certdrill.store.writes import write_review


class ExamStatus(StrEnum):
    """An exam row's status (the values the exams table's CHECK allows)."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    ABANDONED = "abandoned"


IN_PROGRESS, SUBMITTED, ABANDONED = ExamStatus.IN_PROGRESS, ExamStatus.SUBMITTED, ExamStatus.ABANDONED
_COLUMNS = "e.id, e.bank, e.started_at, e.finished_at, e.minutes, e.count, e.seed, e.correct, e.scaled, e.passed, e.per_topic, e.status"


@dataclass(frozen=True)
class ExamRow:
    id: int
    bank: str
    started_at: datetime
    finished_at: datetime | None
    minutes: float
    count: int
    seed: int
    correct: int | None
    scaled: int | None
    passed: bool | None
    per_topic: dict[str, dict[str, int]]
    status: ExamStatus
    answered: int


@dataclass(frozen=True)
class SavedAnswer:
    position: int
    item_id: str
    chosen: tuple[int, ...] | None
    answered_at: datetime | None
    flagged: bool


def start(store: Store, *, bank: str, started_at: datetime, minutes: float, seed: int, item_ids: Sequence[str], prediction: dict | None = None) -> int:
    """The exam row and one empty answer row a question, so the drawn questions survive a crash; and what was predicted for it."""
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO exams (bank, started_at, minutes, count, seed, status) VALUES (?,?,?,?,?,?)",
            (bank, to_ms(started_at), minutes, len(item_ids), seed, IN_PROGRESS),
        )
        exam_id = cursor.lastrowid
        assert exam_id is not None  # an INSERT sets it
        conn.executemany("INSERT INTO exam_answers (exam_id, position, item_id) VALUES (?,?,?)", [(exam_id, p, i) for p, i in enumerate(item_ids)])
        if prediction is not None:
            _keep_prediction(conn, exam_id, prediction)
    return exam_id


def save_answer(store: Store, exam_id: int, saved: SavedAnswer) -> None:
    chosen = json.dumps(list(saved.chosen)) if saved.chosen is not None else None
    at = to_ms(saved.answered_at) if saved.answered_at is not None else None
    with store.transaction() as conn:
        conn.execute(
            "UPDATE exam_answers SET chosen = ?, answered_at = ?, flagged = ? WHERE exam_id = ? AND item_id = ?",
            (chosen, at, int(saved.flagged), exam_id, saved.item_id),
        )


def answers(store: Store, exam_id: int) -> list[SavedAnswer]:
    sql = "SELECT position, item_id, chosen, answered_at, flagged FROM exam_answers WHERE exam_id = ? ORDER BY position"
    with store.reading() as conn:
        rows = conn.execute(sql, (exam_id,)).fetchall()
    return [
        SavedAnswer(position, item_id, tuple(json.loads(chosen)) if chosen is not None else None, from_ms(at) if at is not None else None, bool(flagged))
        for position, item_id, chosen, at, flagged in rows
    ]


def in_progress(store: Store) -> list[ExamRow]:
    """Exams neither submitted nor abandoned, newest first."""
    return _select(store, "WHERE e.status = ? ORDER BY e.started_at DESC, e.id DESC", (IN_PROGRESS,))


def history(store: Store) -> list[ExamRow]:
    """Every exam, oldest first."""
    return _select(store, "ORDER BY e.started_at, e.id", ())


def finish(
    store: Store,
    exam_id: int,
    *,
    status: ExamStatus,
    finished_at: datetime,
    result: Result | None,
    reviews: Sequence[tuple[Review, CardState]],
    prediction: dict | None = None,
) -> None:
    """Close the exam and log its answers as reviews (and the scored prediction, if any), all or nothing."""
    per_topic = None
    if result is not None:
        per_topic = json.dumps({t: {"correct": s.correct, "total": s.total} for t, s in result.per_topic.items()}, separators=(",", ":"))
    with store.transaction() as conn:
        cursor = conn.execute(
            "UPDATE exams SET status = ?, finished_at = ?, correct = ?, scaled = ?, passed = ?, per_topic = ? WHERE id = ? AND status = ?",
            (
                status,
                to_ms(finished_at),
                result.correct if result else None,
                result.scaled if result else None,
                int(result.passed) if result else None,
                per_topic,
                exam_id,
                IN_PROGRESS,
            ),
        )
        if cursor.rowcount != 1:
            raise StoreError(f"exam {exam_id} is no longer in progress (finished by another certdrill?)")
        for entry, card in reviews:
            write_review(conn, entry, card)
        if prediction is not None:
            _keep_prediction(conn, exam_id, prediction)


PREDICTION_KEY = "exam_prediction:"  # meta rows, one an exam: what was predicted for it, and what happened (JSON)


def _keep_prediction(conn: sqlite3.Connection, exam_id: int, record: dict) -> None:
    """Keep (or replace) the prediction made for an exam; `stats` checks calibration on them."""
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (f"{PREDICTION_KEY}{exam_id}", json.dumps(record, separators=(",", ":"))))


def predictions(store: Store) -> dict[int, dict]:
    """Every kept prediction by exam id."""
    with store.reading() as conn:
        rows = conn.execute("SELECT key, value FROM meta WHERE key GLOB ?", (f"{PREDICTION_KEY}*",)).fetchall()
    return {int(key.removeprefix(PREDICTION_KEY)): json.loads(value) for key, value in rows}


def prediction(store: Store, exam_id: int) -> dict | None:
    with store.reading() as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (f"{PREDICTION_KEY}{exam_id}",)).fetchone()
    return None if row is None else json.loads(row[0])


def _select(store: Store, tail: str, args: tuple) -> list[ExamRow]:
    sql = f"SELECT {_COLUMNS}, (SELECT count(*) FROM exam_answers a WHERE a.exam_id = e.id AND a.chosen IS NOT NULL) FROM exams e {tail}"
    with store.reading() as conn:
        rows = conn.execute(sql, args).fetchall()
    return [_row(row) for row in rows]


def _row(row: tuple) -> ExamRow:
    eid, bank, started, finished, minutes, count, seed, correct, scaled, passed, per_topic, status, answered = row
    return ExamRow(
        eid,
        bank,
        from_ms(started),
        from_ms(finished) if finished is not None else None,
        minutes,
        count,
        seed,
        correct,
        scaled,
        None if passed is None else bool(passed),
        json.loads(per_topic) if per_topic else {},
        ExamStatus(status),
        answered,
    )
