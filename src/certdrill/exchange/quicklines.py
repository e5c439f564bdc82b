"""Review lines exactly as `certdrill export` writes them, read by one regular expression.

Validating a million reviews with pydantic and turning each into a row took most of an import's
parsing (7.6 of 9 s at 50,000 items). A line in export's own form (keys in its order, no escapes,
the time as export writes it) is matched whole here, and its row built a column at a time. What the
expression takes, the model takes too, with the same values (tests/test_quick_lines.py checks it
against the model's path); anything else, such as a line that is valid but written another way,
returns None and the batch goes through the model, which names the field of any error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from operator import add, itemgetter

from certdrill.clock import ms_of_iso
from certdrill.exchange.models import ID_CHARS, ID_MAX, MAX_DURATION_MS, NAME_EXCLUDED, NAME_MAX, SESSION_MAX
from certdrill.schedule.review_log import KINDS

_ID = f'"([{ID_CHARS}]{{1,{ID_MAX}}})"'
_TEXT = f'[^"\\\\{NAME_EXCLUDED}]'  # no escape, no quote: the JSON text is the value
_CHOICE = r"(?:1\d|2[0-5]|\d)"  # 0-25, without leading zeros (JSON has none)
_DURATION_DIGITS = len(str(MAX_DURATION_MS)) - 1  # fewer digits than the most: always within it
LINE = re.compile(
    rf'^    \{{"id": {_ID}, "item_id": {_ID}, "bank": "({_TEXT}{{0,{NAME_MAX}}})", '
    r'"reviewed_at": "((?:20\d\d|2100)-\d\d-\d\d)T((?:[01]\d|2[0-3]):[0-5]\d):([0-5]\d\.\d{3})Z", '
    rf'"rating": ([1-4]), "answer": (null|\[(?:{_CHOICE}(?:, {_CHOICE})*)?\]), "correct": (true|false|null), '
    rf'"duration_ms": (null|0|[1-9]\d{{0,{_DURATION_DIGITS - 1}}}), "kind": "({"|".join(KINDS)})", '
    rf'"session_id": (null|"{_TEXT}{{0,{SESSION_MAX}}}")\}},?$',
    re.MULTILINE,
)
_CORRECT = {"true": 1, "false": 0, "null": None}
_RATING = {str(r): r for r in range(1, 5)}
# What the expression lets through: "HH:MM" and "SS.mmm" in milliseconds.
_MINUTE_MS = {f"{h:02d}:{m:02d}": (h * 60 + m) * 60_000 for h in range(24) for m in range(60)}
_SECOND_MS = {f"{ms // 1000:02d}.{ms % 1000:03d}": ms for ms in range(60_000)}
_UNQUOTED = itemgetter(slice(1, -1))


def quick_rows(text: str, lines: int) -> list[tuple] | None:
    """The review rows of `text` (`lines` whole review lines as the file has them, each ending in a
    newline), or None unless every line is in export's own form."""
    columns = quick_columns(text, lines)
    return None if columns is None else list(zip(*columns, strict=True))


def quick_columns(text: str, lines: int) -> list[list] | None:
    """`quick_rows` a column at a time (the row's ten fields, each a list): what a worker process
    hands back, as ten lists pickle in less time than thousands of tuples."""
    found = LINE.findall(text)
    if len(found) != lines:  # a line matches at most once (no newline inside a match): one is not in the form
        return None
    if not found:
        return [[] for _ in range(10)]
    ids, items, banks, days, minutes, seconds, ratings, answers, correct, durations, kinds, sessions = zip(*found, strict=True)
    try:
        at = _times(days, minutes, seconds)
    except ValueError:  # a date or hour that does not exist: the model names it
        return None
    return [
        list(ids),
        list(items),
        list(banks),
        at,
        list(map(_RATING.__getitem__, ratings)),
        list(_each(answers, lambda a: None if a == "null" else a.replace(" ", ""))),
        list(map(_CORRECT.__getitem__, correct)),
        list(map(int, durations) if "null" not in durations else _each(durations, lambda d: None if d == "null" else int(d))),
        list(kinds),
        list(map(_UNQUOTED, sessions) if "null" not in sessions else _each(sessions, lambda s: None if s == "null" else _UNQUOTED(s))),
    ]


def columns_of_lines(text: bytes) -> list[list] | None:
    """`quick_columns` of whole lines as read from the file (each ending in a newline), or None."""
    try:
        return quick_columns(text.decode("utf-8"), text.count(b"\n") + (not text.endswith(b"\n")))
    except UnicodeDecodeError:
        return None


def _times(days: Sequence[str], minutes: Sequence[str], seconds: Sequence[str]) -> list[int]:
    """Milliseconds since the epoch, as `clock.ms_of_iso` gives them: each distinct day computed
    (and checked) once, the minutes and seconds looked up, all a column at a time."""
    day_ms = {day: ms_of_iso(f"{day}T00:00:00.000Z") for day in set(days)}
    return list(map(add, map(day_ms.__getitem__, days), map(add, map(_MINUTE_MS.__getitem__, minutes), map(_SECOND_MS.__getitem__, seconds))))


def _each(column: Sequence[str], convert: Callable[[str], object]) -> map:
    """`map(convert, column)`, each distinct value converted once (a batch has few answers and sessions)."""
    return map({value: convert(value) for value in set(column)}.__getitem__, column)
