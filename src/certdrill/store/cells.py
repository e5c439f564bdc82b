"""Single damaged cells: which row holds a value certdrill cannot compute with (run when a command
failed on one, so the happy path pays nothing)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from certdrill.clock import FIRST_YEAR, LAST_YEAR, to_ms
from certdrill.schedule.review_log import KINDS
from certdrill.schedule.scheduler import STATES

FIRST_MS = to_ms(datetime(FIRST_YEAR - 100, 1, 1, tzinfo=UTC))  # the times a store may hold: wider than what is
LAST_MS = to_ms(datetime(LAST_YEAR + 200, 1, 1, tzinfo=UTC))  # accepted, as a due date lies up to a century on


def _time(column: str, *, nullable: bool = False) -> str:
    check = f"(typeof({column}) != 'integer' OR {column} NOT BETWEEN {FIRST_MS} AND {LAST_MS})"
    return f"({column} IS NOT NULL AND {check})" if nullable else check


def _typed(column: str, *types: str, nullable: bool = True) -> str:
    allowed = ", ".join(f"'{t}'" for t in (*types, *(("null",) if nullable else ())))
    return f"typeof({column}) NOT IN ({allowed})"


_KINDS = ", ".join(f"'{k}'" for k in KINDS)
_STATES = ", ".join(str(s) for s in STATES)
# (table, column, condition that makes the cell bad); the first bad row of each is reported
RULES: list[tuple[str, str, str]] = [
    ("reviews", "id", _typed("id", "text", nullable=False)),
    ("reviews", "item_id", _typed("item_id", "text", nullable=False)),
    ("reviews", "bank", _typed("bank", "text", nullable=False)),
    ("reviews", "reviewed_at", _time("reviewed_at")),
    ("reviews", "rating", "typeof(rating) != 'integer' OR rating NOT BETWEEN 1 AND 4"),
    (
        "reviews",
        "answer",
        "answer IS NOT NULL AND (typeof(answer) != 'text' OR NOT json_valid(answer) OR json_type(answer) != 'array'"
        " OR EXISTS (SELECT 1 FROM json_each(answer) WHERE type != 'integer' OR value NOT BETWEEN 0 AND 25))",
    ),
    ("reviews", "correct", "correct IS NOT NULL AND (typeof(correct) != 'integer' OR correct NOT IN (0, 1))"),
    ("reviews", "duration_ms", "duration_ms IS NOT NULL AND (typeof(duration_ms) != 'integer' OR duration_ms < 0 OR duration_ms > 1e15)"),
    ("reviews", "kind", f"typeof(kind) != 'text' OR kind NOT IN ({_KINDS})"),
    ("reviews", "session_id", _typed("session_id", "text")),
    ("cards", "bank", _typed("bank", "text", nullable=False)),
    ("cards", "state", f"typeof(state) != 'integer' OR state NOT IN ({_STATES})"),
    ("cards", "step", "step IS NOT NULL AND (typeof(step) != 'integer' OR step NOT BETWEEN 0 AND 1000)"),
    ("cards", "stability", _typed("stability", "real", "integer")),
    ("cards", "difficulty", _typed("difficulty", "real", "integer")),
    ("cards", "due", _time("due")),
    ("cards", "last_review", _time("last_review", nullable=True)),
    ("cards", "reps", "typeof(reps) != 'integer' OR reps < 0"),
    ("cards", "lapses", "typeof(lapses) != 'integer' OR lapses < 0"),
    ("cards", "first_review", _time("first_review")),
    ("exams", "started_at", _time("started_at")),
    ("exams", "finished_at", _time("finished_at", nullable=True)),
    ("exams", "minutes", _typed("minutes", "real", "integer", nullable=False) + " OR minutes <= 0"),
    ("exams", "count", "typeof(count) != 'integer' OR count < 0"),
    ("exams", "seed", _typed("seed", "integer", nullable=False)),
    ("exams", "per_topic", "per_topic IS NOT NULL AND (typeof(per_topic) != 'text' OR NOT json_valid(per_topic))"),
    ("exam_answers", "chosen", "chosen IS NOT NULL AND (typeof(chosen) != 'text' OR NOT json_valid(chosen) OR json_type(chosen) != 'array')"),
    ("exam_answers", "answered_at", _time("answered_at", nullable=True)),
]
_KEYS = {"reviews": "id", "cards": "item_id", "exams": "id", "exam_answers": "item_id"}


def bad_cell(conn: sqlite3.Connection) -> str | None:
    """The first cell no command can use, as "reviews row id 'r1': rating is 9", or None."""
    for table, column, condition in RULES:
        key = _KEYS[table]
        try:
            found = conn.execute(f"SELECT quote({key}), quote({column}) FROM {table} WHERE {condition} LIMIT 1").fetchone()
        except sqlite3.OperationalError:  # a table of a later schema, not there yet
            continue
        if found is not None:
            return f"{table} row {key} {found[0]}: {column} is {found[1][:60]}"
    return None


def bad_cell_in(path: Path) -> str | None:
    """`bad_cell` of the database at `path`, opened read-only; None if it cannot be read at all."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return bad_cell(conn)
        finally:
            conn.close()
    except (sqlite3.Error, UnicodeDecodeError):
        return None
