"""Write every review and card as one JSON document, streamed (a million reviews fit)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO

from certdrill import __version__
from certdrill.clock import from_ms, iso
from certdrill.exchange.models import FORMAT, VERSION
from certdrill.scheduler import STATE_NAMES, CardState


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


def write_progress(out: TextIO, *, review_rows: Iterable[tuple], cards: dict[str, tuple[str, CardState]], bank: dict, now: datetime) -> int:
    """One review per line inside the document, so errors and diffs point at a line."""
    head = {"format": FORMAT, "version": VERSION, "exported_at": iso(now), "app_version": __version__, "bank": bank}
    out.write("{\n")
    for key, value in head.items():
        out.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    out.write('  "reviews": [')
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    for row in review_rows:
        out.write(("\n    " if count == 0 else ",\n    ") + dumps(review_json(row)))
        count += 1
    out.write("\n  ],\n" if count else "],\n")
    out.write('  "cards": [')
    for n, (item_id, (bank_name, card)) in enumerate(sorted(cards.items())):
        out.write(("\n    " if n == 0 else ",\n    ") + dumps(card_json(item_id, bank_name, card)))
    out.write("\n  ]\n}\n" if cards else "]\n}\n")
    return count
