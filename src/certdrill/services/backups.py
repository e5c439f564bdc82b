"""`backup list|now|restore`: the copies of the progress database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from certdrill import paths
from certdrill.store.backup import BackupInfo


@dataclass(frozen=True)
class Backups:
    folder: Path
    infos: list[BackupInfo]  # newest first


@dataclass(frozen=True)
class Restored:
    source: Path
    aside: Path | None  # where the database it replaced went (None: there was none)
    now: BackupInfo  # what the database holds now


def list_backups() -> Backups:
    from certdrill.store.backup import backup_dir, describe, list_backups

    paths.check_folder(paths.home_dir())
    return Backups(backup_dir(paths.db_path()), [describe(p) for p in list_backups(paths.db_path())])


def backup_now(now: datetime) -> Path:
    """A copy kept until the learner deletes it."""
    from certdrill.store.backup import make_backup
    from certdrill.store.store import Store

    store = Store.open(paths.db_path())
    try:
        with store.reading() as conn:
            return make_backup(conn, store.path, "manual", when=now)
    finally:
        store.close()


def restore(name: str, now: datetime) -> Restored:
    """Put a backup (by name or path) in place; the current database is kept in backups/, never deleted."""
    from certdrill.store.backup import describe, find_backup, restore_backup

    source = find_backup(paths.db_path(), name)
    aside = restore_backup(source, paths.db_path(), when=now)
    return Restored(source, aside, describe(paths.db_path()))
