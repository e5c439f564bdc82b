"""Copies of the progress database: before a migration, once a day, and on demand.

Backups live in `backups/` beside the database, one complete SQLite file each, named
`progress-<UTC time>-<reason>.sqlite3` so that name order is time order. Only the automatic daily
copies are pruned (the newest KEEP stay); copies made before a migration, before a restore or on
demand are kept until the learner deletes them.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from certdrill.clock import from_ms
from certdrill.errors import DamagedStoreError, InputError, StoreError
from certdrill.files import fsync_dir, fsync_file, remove_orphans, replace_atomically
from certdrill.store.migrations import APPLICATION_ID, MIGRATIONS

KEEP = 10
STALE_TMP_SECONDS = 3600
_PREFIX = "progress-"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime | None
    reason: str
    size: int
    reviews: int | None  # None: the file cannot be read as a certdrill database
    last_review: datetime | None
    problem: str | None = None


def restore_hint(path: Path) -> str:
    """How to get progress back from a database certdrill refuses to touch."""
    return (
        "it was left untouched. To get your progress back run `certdrill backup list`, then "
        f"`certdrill backup restore NAME` (the damaged file is kept aside); or move {path.name} away to start fresh"
    )


def backup_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def list_backups(db_path: Path) -> list[Path]:
    """Newest first."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{_PREFIX}*.sqlite3"), reverse=True)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%S")


def _free_name(folder: Path, when: datetime, reason: str) -> Path:
    target = folder / f"{_PREFIX}{_stamp(when)}-{reason}.sqlite3"
    n = 2
    while target.exists() or Path(f"{target}-wal").exists():
        target = folder / f"{_PREFIX}{_stamp(when)}-{reason}-{n}.sqlite3"
        n += 1
    return target


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    """A consistent copy through SQLite's backup API into `target` (a fresh file)."""
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file; opening it later creates no -wal
    finally:
        dest.close()


def make_backup(conn: sqlite3.Connection, db_path: Path, reason: str, *, when: datetime | None = None, keep: int = KEEP) -> Path:
    """Copy the open database into backups/, written beside and then renamed into place.

    SQLite's check runs first: a damaged database is reported (within a day, by the daily copy)
    instead of copied, where it would push good copies out of the last KEEP. The full integrity
    check (which also finds damaged indexes) for a manual backup and for any store under
    THOROUGH_BYTES (0.3 s for 14 MB here); the quick check, ten times faster, for larger ones.
    `when` only names the file; without it (a migration, deep in the store) the wall clock does.
    """
    thorough = reason == "manual" or _size(db_path) < THOROUGH_BYTES
    verdict = conn.execute("PRAGMA integrity_check" if thorough else "PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise DamagedStoreError(f"the progress database is damaged ({verdict}); {restore_hint(db_path)}", file=str(db_path))
    when = when or datetime.now(UTC)
    folder = backup_dir(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_tmp(folder)
        target = _free_name(folder, when, reason)
        replace_atomically(target, lambda tmp: _copy_database(conn, tmp))
    except (OSError, sqlite3.Error) as exc:
        why = _why_not(folder, exc)
        raise StoreError(f"cannot write a backup: {why}", file=str(folder)) from None
    if reason.startswith("daily-"):
        for old in [p for p in list_backups(db_path) if "-daily-" in p.name][keep:]:
            old.unlink(missing_ok=True)
    return target


THOROUGH_BYTES = 16 * 1024 * 1024


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _why_not(folder: Path, exc: OSError | sqlite3.Error) -> object:
    """Why a backup could not be written, without the path again ("unable to open database file" means a read-only folder)."""
    if folder.is_dir() and not os.access(folder, os.W_OK):  # os.access sees a read-only mount even for root
        return "the folder is read-only"
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else exc


def _remove_stale_tmp(folder: Path) -> None:
    """Half-written copies left by a killed process (a live one's copy is younger than an hour)."""
    remove_orphans(folder)  # the copy and its -journal of a process that is gone, at once
    cutoff = time.time() - STALE_TMP_SECONDS  # and, by age, those of a process id that lives on in another
    for tmp in folder.glob(".*.tmp"):
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
        except OSError:
            pass


def backup_before_migration(conn: sqlite3.Connection, db_path: Path, version: int) -> Path:
    return make_backup(conn, db_path, f"schema{version}")


def daily_backup(conn: sqlite3.Connection, db_path: Path, now: datetime, *, keep: int = KEEP) -> Path | None:
    """At most one automatic backup a local calendar day, on the first use that day."""
    today = now.astimezone().date().isoformat()
    if any(f"-daily-{today}" in p.name for p in list_backups(db_path)):
        return None
    has_reviews = conn.execute("SELECT EXISTS (SELECT 1 FROM reviews)").fetchone()[0]
    if not has_reviews:
        return None
    return make_backup(conn, db_path, f"daily-{today}", when=now, keep=keep)


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _check(conn: sqlite3.Connection) -> str | None:
    """Why this database cannot be restored, or None if it can."""
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        return "not a certdrill database"
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        return f"made by a newer certdrill (schema {version})"
    verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        return f"fails its integrity check: {verdict}"
    return None


def describe(path: Path) -> BackupInfo:
    """What a backup holds, read without changing it."""
    stem = path.name.removeprefix(_PREFIX).removesuffix(".sqlite3")
    stamp, _, reason = stem.partition("-")
    try:
        created = datetime.strptime(stamp, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        created = None
    size = path.stat().st_size
    try:
        conn = _open_read_only(path)
        try:
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                return BackupInfo(path, created, reason, size, None, None, "not a certdrill database")
            count, last = conn.execute("SELECT count(*), max(reviewed_at) FROM reviews").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return BackupInfo(path, created, reason, size, None, None, str(exc))
    last_at = from_ms(last) if last is not None else None
    return BackupInfo(path, created, reason, size, count, last_at)


def find_backup(db_path: Path, name: str) -> Path:
    """A backup by the name `backup list` shows, or by path."""
    listed = {p.name: p for p in list_backups(db_path)}
    if name in listed:
        return listed[name]
    if f"{name}.sqlite3" in listed:
        return listed[f"{name}.sqlite3"]
    path = Path(name).expanduser()
    if path.is_file():
        return path
    hint = f"; the newest is {next(iter(listed))}" if listed else "; there are no backups yet"
    raise InputError(f"no backup named {name!r} (see certdrill backup list){hint}")


def restore_backup(backup: Path, db_path: Path, *, when: datetime) -> Path | None:
    """Replace the database with a backup; the current file (even a damaged one) is moved into
    backups/ rather than deleted. Returns where it went, or None if there was none.

    Close other certdrill sessions first: a session still running keeps writing to the old file.
    """
    if not backup.is_file():
        raise InputError("no such backup", file=str(backup))
    tmp = db_path.with_name(f".{db_path.name}.restore-{os.getpid()}.tmp")
    try:
        source = _open_read_only(backup)
        try:
            problem = _check(source)
            if problem is not None:
                raise InputError(f"cannot restore this file: {problem}", file=str(backup))
            tmp.unlink(missing_ok=True)
            _copy_database(source, tmp)
            fsync_file(tmp)
        finally:
            source.close()
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot restore this file: {exc}", file=str(backup)) from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write the restored database: {exc.strerror}", file=str(db_path)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        aside = _move_aside(db_path, when) if db_path.exists() else None
        os.replace(tmp, db_path)
        fsync_dir(db_path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot put the backup in place: {exc.strerror}", file=str(db_path)) from None
    return aside


def _move_aside(db_path: Path, when: datetime) -> Path:
    """Rename the database and its WAL together (so no committed answer is dropped) into backups/."""
    folder = backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    aside = _free_name(folder, when, "before-restore")
    wal = Path(f"{db_path}-wal")
    os.replace(db_path, aside)
    if wal.exists():
        os.replace(wal, Path(f"{aside}-wal"))
    Path(f"{db_path}-shm").unlink(missing_ok=True)
    return aside
