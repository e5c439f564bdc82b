"""Anki's plain-text import format: header lines, then one tab-separated Basic note a line."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import TextIO

from certdrill.exchange.anki import AnkiNote, front_back
from certdrill.text import strip_controls

BASIC = "Basic"


def write_anki_text(out: TextIO, notes: Sequence[AnkiNote], *, deck_name: str) -> int:
    """Front, Back, Tags and a GUID column (so importing a newer file updates the notes)."""
    deck = " ".join(strip_controls(deck_name).split())
    for header in ("separator:tab", "html:true", f"notetype:{BASIC}", f"deck:{deck}", "tags column:3", "guid column:4"):
        out.write(f"#{header}\n")
    writer = csv.writer(out, delimiter="\t", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    for note in notes:
        front, back = front_back(note)
        writer.writerow([front, back, " ".join(note.tags), note.guid])
    return len(notes)
