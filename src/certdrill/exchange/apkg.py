"""Write notes as an Anki package (.apkg) with genanki, optionally with each card's scheduling.

genanki writes new cards only; a card subclass fills in Anki's scheduling columns instead, and the
collection file is made here (genanki's own `write_to_file` leaves a temporary file behind).
"""

from __future__ import annotations

import itertools
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from certdrill.errors import MissingExtra
from certdrill.exchange.anki import FIELDS, NOTETYPE, AnkiNote, anki_id, card_columns

CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; color: black; background-color: white; }
.choices { margin-top: 1em; }
.explanation { margin-top: 1em; }
.source { margin-top: 1em; font-size: 14px; color: #666; }
"""
FRONT = "{{Prompt}}{{#Choices}}<div class=choices>{{Choices}}</div>{{/Choices}}"
BACK = (
    "{{FrontSide}}<hr id=answer><div class=answer><b>{{Answer}}</b></div>"
    "<div class=explanation>{{Explanation}}</div>{{#Source}}<div class=source>Source: {{Source}}</div>{{/Source}}"
)
NEEDS_GENANKI = "the anki export needs the genanki package"


def _genanki():
    try:
        import genanki
    except ImportError:
        raise MissingExtra(NEEDS_GENANKI, "anki") from None
    return genanki


def write_apkg(path: Path, notes: Sequence[AnkiNote], *, deck_name: str, now: datetime) -> None:
    """Write the package to `path` (the caller makes that atomic); `now` stamps notes and ids."""
    from certdrill.store.anki_collection import use_v2_scheduler
    from certdrill.store.sqlite_file import new_sqlite_file

    genanki = _genanki()
    model = genanki.Model(
        anki_id(NOTETYPE),
        NOTETYPE,
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Question", "qfmt": FRONT, "afmt": BACK}],
        css=CSS,
        sort_field_index=FIELDS.index("Prompt"),
    )
    deck = genanki.Deck(anki_id(f"deck:{deck_name}"), deck_name)
    card_class = _scheduled_card_class(genanki, set())
    note_class = _note_class(genanki, card_class)
    for position, note in enumerate(notes):
        deck.add_note(
            note_class(
                model=model, fields=list(note.fields), tags=list(note.tags), guid=note.guid, schedule=note.schedule, position=position, history=note.history
            )
        )
    timestamp = now.timestamp()
    with tempfile.TemporaryDirectory(prefix="certdrill-apkg-") as scratch:
        collection = Path(scratch) / "collection.anki2"
        with new_sqlite_file(collection) as cursor:
            genanki.Package(deck).write_to_db(cursor, timestamp, itertools.count(int(timestamp * 1000)))
            use_v2_scheduler(cursor)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
            package.write(collection, "collection.anki2")
            package.writestr("media", "{}")


def _note_class(genanki: Any, card_class: Any) -> Any:
    class ScheduledNote(genanki.Note):
        def __init__(self, *, schedule, position, history=(), **kwargs):
            super().__init__(**kwargs)
            self.schedule, self.position, self.history = schedule, position, history

        @property
        def cards(self):
            return [card_class(0, self.schedule, self.position, self.history)]

    return ScheduledNote


def _scheduled_card_class(genanki: Any, revlog_ids: set[int]) -> Any:
    """`revlog_ids`: the revlog ids written so far (Anki's revlog id is the answer's millisecond,
    unique in the collection; two answers in one millisecond get the next free one)."""

    class ScheduledCard(genanki.Card):
        def __init__(self, ord, schedule, position, history=()):
            super().__init__(ord)
            self.schedule, self.position, self.history = schedule, position, history

        def write_to_db(self, cursor, timestamp, deck_id, note_id, id_gen, due=0):
            (crt,) = cursor.execute("SELECT crt FROM col").fetchone()
            # Anki counts days from the local calendar date of the collection's creation
            c = card_columns(self.schedule, datetime.fromtimestamp(crt, UTC).astimezone().date(), self.position)
            row: tuple[Any, ...] = (next(id_gen), note_id, deck_id, self.ord, int(timestamp), -1, c["type"], c["queue"], c["due"], c["ivl"], c["factor"])
            row += (c["reps"], c["lapses"], c["left"], 0, 0, 0, c["data"])
            cursor.execute(f"INSERT INTO cards VALUES({','.join('?' * len(row))})", row)
            for entry in self.history:
                revlog_id = entry.ms
                while revlog_id in revlog_ids:
                    revlog_id += 1
                revlog_ids.add(revlog_id)
                values = (revlog_id, row[0], -1, entry.ease, entry.interval, entry.last_interval, entry.factor, entry.taken_ms, entry.kind)
                cursor.execute("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?,?,?,?,?,?,?,?,?)", values)

    return ScheduledCard
