"""A plain SQLite file for formats that are SQLite inside (an Anki package's collection)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def new_sqlite_file(path: Path) -> Iterator[sqlite3.Cursor]:
    """A cursor on a fresh database at `path`, committed and closed when the block ends without error."""
    conn = sqlite3.connect(path)
    try:
        yield conn.cursor()
        conn.commit()
    finally:
        conn.close()
