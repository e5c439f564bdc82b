"""Write every review and card as one JSON document, streamed (a million reviews fit)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any, TextIO

from certdrill import __version__
from certdrill.clock import from_ms, iso, iso_of_ms
from certdrill.exchange.controls import ControlRows
from certdrill.exchange.models import FORMAT, VERSION
from certdrill.schedule.scheduler import STATE_NAMES, CardState
from certdrill.text import json_controls


def review_json(row: tuple) -> dict:
    rid, item_id, bank, at, rating, answer, correct, duration, kind, session = row
    return {
        "id": rid,
        "item_id": item_id,
        "bank": bank,
        "reviewed_at": iso(from_ms(at)),
        "rating": rating,
        "answer": json.loads(answer) if answer is not None else None,
        "correct": None if correct is None else bool(correct),
        "duration_ms": duration,
        "kind": kind,
        "session_id": session,
    }


_PLAIN_ANSWER = re.compile(r"\[(?:\d+(?:,\d+)*)?\]")


def review_line(row: tuple) -> str:
    """`review_json` encoded with ", " and ": " separators: the same text, a few times faster.

    Rows of the usual types take the quick way; anything else goes through the JSON encoder.
    """
    rid, item_id, bank, at, rating, answer, correct, duration, kind, session = row
    usual = type(at) is int and type(rating) is int and type(duration) in (int, type(None)) and type(correct) in (int, type(None))
    usual = usual and all(type(text) is str for text in (rid, item_id, bank, kind)) and type(session) in (str, type(None))
    if not usual or (answer is not None and not (type(answer) is str and _PLAIN_ANSWER.fullmatch(answer))):
        return _dumps(review_json(row))
    return (
        f'{{"id": {encode_basestring(rid)}, "item_id": {encode_basestring(item_id)}, "bank": {encode_basestring(bank)}, '
        f'"reviewed_at": "{iso_of_ms(at)}", "rating": {rating}, "answer": {"null" if answer is None else answer.replace(",", ", ")}, '
        f'"correct": {"null" if correct is None else "true" if correct else "false"}, "duration_ms": {"null" if duration is None else duration}, '
        f'"kind": {encode_basestring(kind)}, "session_id": {"null" if session is None else encode_basestring(session)}}}'
    )


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def card_json(item_id: str, bank: str, c: CardState) -> dict:
    return {
        "item_id": item_id,
        "bank": bank,
        "state": STATE_NAMES[c.state],
        "step": c.step,
        "stability": c.stability,
        "difficulty": c.difficulty,
        "due": iso(c.due),
        "last_review": iso(c.last_review) if c.last_review else None,
        "reps": c.reps,
        "lapses": c.lapses,
    }


def undone_json(row: Sequence) -> dict:
    return {**review_json(tuple(row[:-1])), "undone_at": iso(from_ms(row[-1]))}


def suspension_json(row: Sequence) -> dict:
    rid, item_id, at, suspended, reason, review_id = row
    return {"id": rid, "item_id": item_id, "at": iso(from_ms(at)), "suspended": bool(suspended), "reason": reason, "review_id": review_id}


def write_progress(
    out: TextIO,
    *,
    review_rows: Iterable[tuple],
    cards: dict[str, tuple[str, CardState]],
    bank: dict,
    now: datetime,
    controls: ControlRows = ControlRows(),
    newer_kinds: bool = False,
    after_cards: dict[str, Any] | None = None,
) -> int:
    """One review per line inside the document, so errors and diffs point at a line; every line
    through `json_controls`, so that `export -o -` to a terminal is inert (DEL, C1, bidi escaped).

    Undone answers and suspensions go before the reviews (an import merges them first). A file
    that has them, or reviews of a kind version 1 did not know (`newer_kinds`), is version 2, so
    an older certdrill refuses it rather than bring an undone answer back; any other stays 1.

    `after_cards`: the mock exams, settings and parameters (exchange/records.py `extras_json`),
    after the cards, one exam a line; a certdrill that does not know them reads the file as before.
    """
    version = VERSION if controls or newer_kinds else 1
    head = {"format": FORMAT, "version": version, "exported_at": iso(now), "app_version": __version__, "bank": bank}
    out.write("{\n")
    for key, value in head.items():
        out.write(json_controls(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n"))
    for key, rows, encode in (("undone", controls.undone, undone_json), ("suspensions", controls.suspensions, suspension_json)):
        if rows:
            out.write(f'  "{key}": [\n    ' + ",\n    ".join(json_controls(_dumps(encode(row))) for row in rows) + "\n  ],\n")
    out.write('  "reviews": [')
    count = 0
    for row in review_rows:
        out.write(("\n    " if count == 0 else ",\n    ") + json_controls(review_line(row)))
        count += 1
    out.write("\n  ],\n" if count else "],\n")
    out.write('  "cards": [')
    for n, (item_id, (bank_name, card)) in enumerate(sorted(cards.items())):
        out.write(("\n    " if n == 0 else ",\n    ") + json_controls(_dumps(card_json(item_id, bank_name, card))))
    out.write("\n  ]" if cards else "]")
    for key, value in (after_cards or {}).items():
        if isinstance(value, list):
            out.write(json_controls(f",\n  {json.dumps(key)}: [" + ",".join(f"\n    {_dumps(v)}" for v in value) + ("\n  ]" if value else "]")))
        else:
            out.write(json_controls(f",\n  {json.dumps(key)}: {_dumps(value)}"))
    out.write("\n}\n")
    return count
