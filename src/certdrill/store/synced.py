"""What travels besides the reviews (mock exams, kept values in meta), and the review log read from a
row on: the SQL behind `certdrill sync` and the extra parts of a progress file."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace

from certdrill.schedule.review_log import ReviewRow
from certdrill.store.exams import IN_PROGRESS, PREDICTION_KEY
from certdrill.store.rows import REVIEW_COLUMNS
from certdrill.store.store import Store

META_PREFIX = "sync:"  # meta rows certdrill sync keeps (the published watermark, the parameters' stamp)


@dataclass(frozen=True)
class ExamAnswer:
    position: int
    item_id: str
    chosen: tuple[int, ...] | None
    answered_at: int | None  # ms since the epoch
    flagged: bool


@dataclass(frozen=True)
class ExamRecord:
    """A mock exam as it travels: the same on every device, named by `uid` (the local row id is
    each store's own). Times are ms since the epoch."""

    uid: str
    bank: str
    started_at: int
    finished_at: int | None
    minutes: float
    seed: int
    status: str
    correct: int | None
    scaled: int | None
    passed: bool | None
    per_topic: dict
    answers: tuple[ExamAnswer, ...]
    prediction: dict | None = None

    @property
    def terminal(self) -> bool:
        return self.status != IN_PROGRESS

    def key(self) -> str:
        """A total order on the versions of one exam, the same on every device."""
        return json.dumps([self.finished_at or 0, self.status, self.correct, self.scaled, _answers_json(self.answers), self.prediction], sort_keys=True)


def exam_uid(bank: str, started_at: int, seed: int, item_ids: Iterable[str]) -> str:
    """An exam's name on every device: from what it was drawn as, which no later answer changes."""
    digest = hashlib.sha256(json.dumps([bank, started_at, seed, list(item_ids)]).encode()).hexdigest()
    return f"exam-{digest[:20]}"


def joined(a: ExamRecord, b: ExamRecord) -> ExamRecord:
    """Two versions of one exam as one, the same whichever comes first: a finished exam wins over
    one in progress (whole: its answers go with its score); of two finished, the greater by `key`;
    of two in progress, each question's later answer."""
    if a.terminal or b.terminal:
        if a.terminal != b.terminal:
            return a if a.terminal else b
        return a if a.key() >= b.key() else b
    by_position = {answer.position: answer for answer in a.answers}
    for answer in b.answers:
        mine = by_position.get(answer.position)
        if mine is None or _answer_key(answer) > _answer_key(mine):
            by_position[answer.position] = answer
    prediction = (
        a.prediction
        if a.prediction is not None and (b.prediction is None or json.dumps(a.prediction, sort_keys=True) >= json.dumps(b.prediction, sort_keys=True))
        else b.prediction
    )
    return replace(a, answers=tuple(by_position[p] for p in sorted(by_position)), prediction=prediction)


def _answer_key(answer: ExamAnswer) -> tuple:
    return (answer.answered_at or 0, json.dumps(answer.chosen), answer.flagged, answer.item_id)


def _answers_json(answers: tuple[ExamAnswer, ...]) -> list:
    return [[a.position, a.item_id, a.chosen, a.answered_at, a.flagged] for a in answers]


def exam_records(store: Store) -> dict[str, tuple[int, ExamRecord]]:
    """Every mock exam in the store by uid, with its local row id."""
    with store.reading() as conn:
        return _exam_records(conn)


def _exam_records(conn: sqlite3.Connection) -> dict[str, tuple[int, ExamRecord]]:
    exams = conn.execute(
        "SELECT id, bank, started_at, finished_at, minutes, seed, status, correct, scaled, passed, per_topic FROM exams ORDER BY id"
    ).fetchall()
    answers: dict[int, list[ExamAnswer]] = {}
    for exam_id, position, item_id, chosen, at, flagged in conn.execute(
        "SELECT exam_id, position, item_id, chosen, answered_at, flagged FROM exam_answers ORDER BY exam_id, position"
    ):
        answers.setdefault(exam_id, []).append(ExamAnswer(position, item_id, None if chosen is None else tuple(json.loads(chosen)), at, bool(flagged)))
    predictions = {
        int(key.removeprefix(PREDICTION_KEY)): json.loads(value)
        for key, value in conn.execute("SELECT key, value FROM meta WHERE key GLOB ?", (f"{PREDICTION_KEY}*",))
    }
    out = {}
    for exam_id, bank, started, finished, minutes, seed, status, correct, scaled, passed, per_topic in exams:
        mine = tuple(answers.get(exam_id, ()))
        uid = exam_uid(bank, started, seed, (a.item_id for a in mine))
        record = ExamRecord(
            uid, bank, started, finished, minutes, seed, status, correct, scaled, None if passed is None else bool(passed),
            json.loads(per_topic) if per_topic else {}, mine, predictions.get(exam_id),
        )  # fmt: skip
        out[uid] = (exam_id, record)
    return out


def merge_exams(store: Store, incoming: Iterable[ExamRecord]) -> int:
    """Each incoming exam joined with the store's version of it (`joined`), in one transaction;
    returns the number of exams added or changed. The answers of a finished exam are already in
    the review log (they travel as reviews), so none is logged here."""
    changed = 0
    with store.transaction() as conn:
        here = _exam_records(conn)
        for record in incoming:
            local = here.get(record.uid)
            merged = record if local is None else joined(local[1], record)
            if local is not None and merged == local[1]:
                continue
            exam_id = _put_exam(conn, None if local is None else local[0], merged)
            here[record.uid] = (exam_id, merged)
            changed += 1
    return changed


def _put_exam(conn: sqlite3.Connection, exam_id: int | None, r: ExamRecord) -> int:
    values = (
        r.bank,
        r.started_at,
        r.finished_at,
        r.minutes,
        len(r.answers),
        r.seed,
        r.status,
        r.correct,
        r.scaled,
        None if r.passed is None else int(r.passed),
    )
    per_topic = json.dumps(r.per_topic, separators=(",", ":")) if r.per_topic else None
    if exam_id is None:
        cursor = conn.execute(
            "INSERT INTO exams (bank, started_at, finished_at, minutes, count, seed, status, correct, scaled, passed, per_topic) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (*values, per_topic),
        )
        assert cursor.lastrowid is not None  # an INSERT sets it
        exam_id = cursor.lastrowid
    else:
        conn.execute(
            "UPDATE exams SET bank=?, started_at=?, finished_at=?, minutes=?, count=?, seed=?, status=?, correct=?, scaled=?, passed=?, per_topic=? WHERE id=?",
            (*values, per_topic, exam_id),
        )
        conn.execute("DELETE FROM exam_answers WHERE exam_id = ?", (exam_id,))
    conn.executemany(
        "INSERT INTO exam_answers (exam_id, position, item_id, chosen, answered_at, flagged) VALUES (?,?,?,?,?,?)",
        [(exam_id, a.position, a.item_id, None if a.chosen is None else json.dumps(list(a.chosen)), a.answered_at, int(a.flagged)) for a in r.answers],
    )
    if r.prediction is not None:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (f"{PREDICTION_KEY}{exam_id}", json.dumps(r.prediction, separators=(",", ":"))))
    return exam_id


def kept(store: Store, key: str) -> str | None:
    """A value certdrill sync keeps in meta (under `sync:`)."""
    with store.reading() as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_PREFIX + key,)).fetchone()
    return None if row is None else row[0]


def keep(store: Store, key: str, value: str) -> None:
    with store.transaction() as conn:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (META_PREFIX + key, value))


def reviews_after(store: Store, rowid: int) -> list[tuple[int, ReviewRow]]:
    """The review rows logged (or changed by a merge) after `rowid`, with their rowids."""
    with store.reading() as conn:
        rows = conn.execute(f"SELECT rowid, {REVIEW_COLUMNS} FROM reviews WHERE rowid > ? ORDER BY rowid", (rowid,)).fetchall()
    return [(row[0], ReviewRow._make(row[1:])) for row in rows]


def review_id_at(store: Store, rowid: int) -> str | None:
    """The id of the review at `rowid`: a mark the log moved under (SQLite gives a new row the rowid
    of a deleted last one) is seen by its id changing."""
    with store.reading() as conn:
        row = conn.execute("SELECT id FROM reviews WHERE rowid = ?", (rowid,)).fetchone()
    return None if row is None else row[0]
