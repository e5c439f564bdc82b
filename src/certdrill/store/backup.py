"""Copies of the progress database: before a migration, once a day, and on demand."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from certdrill.errors import StoreError

KEEP = 10


def backup_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def list_backups(db_path: Path) -> list[Path]:
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("progress-*.sqlite3"), reverse=True)


def make_backup(conn: sqlite3.Connection, db_path: Path, reason: str, *, when: datetime | None = None, keep: int = KEEP) -> Path:
    """A consistent copy through SQLite's backup API, written beside and then renamed into place."""
    when = when or datetime.now(UTC)
    folder = backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"progress-{when.strftime('%Y%m%dT%H%M%S')}-{reason}.sqlite3"
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        dest = sqlite3.connect(tmp)
        try:
            conn.backup(dest)
        finally:
            dest.close()
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        Path(tmp).unlink(missing_ok=True)
        raise StoreError(f"cannot write a backup: {exc}", file=str(folder)) from None
    for old in list_backups(db_path)[keep:]:
        old.unlink(missing_ok=True)
    return target


def backup_before_migration(conn: sqlite3.Connection, db_path: Path, version: int) -> Path:
    return make_backup(conn, db_path, f"schema{version}")


def daily_backup(conn: sqlite3.Connection, db_path: Path, today: str) -> Path | None:
    """At most one automatic backup a calendar day, on the first use that day."""
    if any(f"-daily-{today}" in p.name for p in list_backups(db_path)):
        return None
    has_reviews = conn.execute("SELECT EXISTS (SELECT 1 FROM reviews)").fetchone()[0]
    if not has_reviews:
        return None
    return make_backup(conn, db_path, f"daily-{today}")


def restore_backup(backup: Path, db_path: Path) -> None:
    """Replace the database with a backup, keeping the current file aside (never deleted)."""
    if not backup.is_file():
        raise StoreError("no such backup", file=str(backup))
    try:
        check = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
    except sqlite3.Error as exc:
        raise StoreError(f"not a usable backup: {exc}", file=str(backup)) from None
    if ok != "ok":
        raise StoreError(f"backup fails its integrity check: {ok}", file=str(backup))
    if db_path.exists():
        aside = db_path.with_name(f"{db_path.stem}-before-restore-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.sqlite3")
        os.replace(db_path, aside)
        for suffix in ("-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
    tmp = db_path.with_suffix(".restore.tmp")
    tmp.write_bytes(backup.read_bytes())
    os.replace(tmp, db_path)
