"""Opening the database: WAL, busy timeout, identity check, migrations."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from certdrill.errors import DamagedStoreError, StoreError
from certdrill.store.migrations import APPLICATION_ID, MIGRATIONS

BUSY_TIMEOUT_MS = 15_000


def restore_hint(path: Path) -> str:
    return (
        "it was left untouched. To get your progress back run `certdrill backup list`, then "
        f"`certdrill backup restore NAME` (the damaged file is kept aside); or move {path.name} away to start fresh"
    )


def _writable(path: Path) -> bool:
    """False on a read-only file system or folder (os.access sees EROFS even for root)."""
    if path.exists() and not os.access(path, os.W_OK):
        return False
    return os.access(path.parent, os.W_OK)


def store_error(exc: sqlite3.Error, path: Path) -> StoreError:
    """One clear message for each way the store can fail; never a bare SQLite error."""
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or (not _writable(path) and ("unable to open" in text or "disk i/o" in text)):
        return StoreError(f"the progress database is read-only, so nothing can be saved: make {path.parent} writable, or set CERTDRILL_HOME", file=str(path))
    if "full" in text:
        return StoreError("the disk is full, so the last answer was not saved (every earlier one was): free some space and run again", file=str(path))
    if "locked" in text or "busy" in text:
        return StoreError(f"another certdrill kept the progress database busy for {BUSY_TIMEOUT_MS // 1000} s; try again", file=str(path))
    if "unable to open" in text:
        return StoreError(f"cannot open the progress database ({exc})", file=str(path))
    return DamagedStoreError(f"corrupt or not a database ({exc}); {restore_hint(path)}", file=str(path))


def connect(path: Path, *, migrate: bool = True) -> sqlite3.Connection:
    path = Path(path)
    fresh = not path.exists() or path.stat().st_size == 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder: {exc.strerror}", file=str(path.parent)) from None
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    except sqlite3.Error as exc:
        raise store_error(exc, path) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if not fresh and app_id != APPLICATION_ID:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise StoreError(f"not a certdrill database (another program's file); {restore_hint(path)}", file=str(path))
        if version > len(MIGRATIONS):
            raise StoreError(f"made by a newer certdrill (schema {version}, this one knows {len(MIGRATIONS)}); upgrade certdrill", file=str(path))
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        if migrate and version < len(MIGRATIONS):
            _migrate(conn, version, path)
    except sqlite3.Error as exc:
        conn.close()
        raise store_error(exc, path) from None
    except StoreError:
        conn.close()
        raise
    return conn


def _migrate(conn: sqlite3.Connection, version: int, path: Path) -> None:
    if version > 0:
        from certdrill.store.backup import backup_before_migration

        backup_before_migration(conn, path, version)
    for number in range(version, len(MIGRATIONS)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current > number:  # another process migrated meanwhile
                conn.execute("ROLLBACK")
                continue
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction)."""
    out, buf = [], []
    for line in script.splitlines():
        buf.append(line.split("--", 1)[0])
        joined = "\n".join(buf)
        if sqlite3.complete_statement(joined):
            if joined.strip():
                out.append(joined.strip())
            buf = []
    return out
