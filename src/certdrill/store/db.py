"""Opening the database: WAL, busy timeout, identity check, migrations."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from certdrill.errors import DamagedStoreError, StoreError
from certdrill.paths import check_folder
from certdrill.store.backup import backup_before_migration, restore_hint
from certdrill.store.migrations import APPLICATION_ID, MIGRATIONS
from certdrill.store.wal import refuse_a_lost_log

BUSY_TIMEOUT_MS = 15_000
WAL_SWITCH_TIMEOUT_MS = 50


def _writable(path: Path) -> bool:
    """False on a read-only file system or folder (os.access sees EROFS even for root)."""
    if path.exists() and not os.access(path, os.W_OK):
        return False
    return os.access(path.parent, os.W_OK)


def _nearly_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < 1024 * 1024
    except OSError:
        return False


class ReadOnlyStore(StoreError):
    """Nothing can be written: a read-only file, folder or disk."""


class DiskFull(StoreError):
    """Nothing more can be written: the disk is full."""


def store_error(exc: sqlite3.Error, path: Path) -> StoreError:
    """One clear message for each way the store can fail; never a bare SQLite error.

    Only SQLite's own verdict that the file is damaged (or not a database) says "corrupt": a full
    or read-only disk fails with I/O errors too, and must not send the learner to their backups.
    """
    text = str(exc).lower()
    code = getattr(exc, "sqlite_errorname", "") or ""
    io_trouble = code.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "disk i/o" in text or "unable to open" in text
    if code.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text or (io_trouble and not _writable(path)):
        return ReadOnlyStore(f"the progress database is read-only, so nothing can be saved: make {path.parent} writable, or set CERTDRILL_HOME", file=str(path))
    if code.startswith("SQLITE_FULL") or "is full" in text or (io_trouble and _nearly_full(path)):
        return DiskFull("the disk is full, so nothing more can be saved (every answer already graded was): free some space and run again", file=str(path))
    if _busy(exc):
        return StoreError(f"another certdrill kept the progress database busy for {BUSY_TIMEOUT_MS // 1000} s; try again", file=str(path))
    if io_trouble:
        return StoreError(f"cannot read or write the progress database ({exc}); the file was left as it was: check the disk and run again", file=str(path))
    if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return DamagedStoreError(f"corrupt or not a database ({exc}); {restore_hint(path)}", file=str(path))
    if "could not decode to utf-8" in text:
        return damaged(path, "a text cell is not UTF-8")
    if any(sign in text for sign in ("no such column", "no such table", "has no column named", "no such index")):
        return damaged(path, f"database error ({exc}): its schema does not match this certdrill's")
    return StoreError(f"database error ({exc})", file=str(path))


def damaged(path: Path, why: str) -> DamagedStoreError:
    """The "damaged, here is how to restore" error, for damage SQLite itself does not call corrupt."""
    return DamagedStoreError(f"the progress database is damaged ({why}); {restore_hint(path)}", file=str(path))


SQLITE_MAGIC = b"SQLite format 3\0"


def _check_file(path: Path) -> bool:
    """Whether `path` is a new store (missing or empty); a FIFO, a folder or a file that does not
    start as SQLite's do (a store truncated to a few bytes) is refused, never replaced by a fresh one."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return True
    except OSError as exc:
        raise StoreError(f"cannot open the progress database: {exc.strerror}", file=str(path)) from None
    import stat

    if not stat.S_ISREG(info.st_mode):
        raise StoreError("the progress database is not a regular file (a folder, FIFO or device has its name): move it away", file=str(path))
    if info.st_size == 0:
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"cannot read the progress database: {exc.strerror}", file=str(path)) from None
    if head != SQLITE_MAGIC:
        why = f"{info.st_size:,} bytes that do not start as an SQLite database does: truncated or overwritten"
        raise DamagedStoreError(f"corrupt or not a database ({why}); {restore_hint(path)}", file=str(path))
    return False


def _busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return (getattr(exc, "sqlite_errorname", "") or "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text


def connect(path: Path, *, migrate: bool = True, read_only: bool = False) -> sqlite3.Connection:
    path = Path(path)
    check_folder(path.parent)  # a file in its place, a name too long, no permission: one line, before SQLite trips on it
    fresh = _check_file(path)
    if not fresh:
        refuse_a_lost_log(path)  # deleted while another certdrill runs, or after one was killed (store/wal.py)
    if read_only:
        return _empty_store(path) if fresh else _connect_read_only(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder: {exc.strerror}", file=str(path.parent)) from None

    def setup(conn: sqlite3.Connection) -> None:
        version = _identify(conn, path, fresh=fresh)
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        if migrate and version < len(MIGRATIONS):
            _migrate(conn, version, path)

    try:
        return _open(path, str(path), setup)
    except StoreError:
        if fresh:
            _forget_a_failed_first_use(path)
        raise


def _forget_a_failed_first_use(path: Path) -> None:
    """A first use that failed before its tables were made (a full disk) leaves a file of nothing
    but SQLite's header; removed, the next command starts afresh instead of taking it for a store
    whose log was lost (store/wal.py). Never while another process has it open."""
    from certdrill.files import discard
    from certdrill.store.wal import held_open, holds_nothing

    if held_open(path) is False and holds_nothing(path):
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            discard(leftover)


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch a new store to WAL. Two processes opening it at once would each wait, inside the switch,
    on the other's read lock until the busy timeout (15 s, then one fails); a short timeout, a
    jittered pause and another look (the other may have switched it already) let one through."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    conn.execute(f"PRAGMA busy_timeout = {WAL_SWITCH_TIMEOUT_MS}")
    try:
        while conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            try:
                conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.01, 0.1))
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _open(path: Path, target: str, setup: Callable[[sqlite3.Connection], None]) -> sqlite3.Connection:
    """Connect to `target` (a path or a URI) and run `setup`; any failure closes it and is explained."""
    try:
        conn = sqlite3.connect(target, uri=target.startswith("file:"), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    except sqlite3.Error as exc:
        raise store_error(exc, path) from None
    try:
        setup(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise store_error(exc, path) from None
    except UnicodeDecodeError:  # SQLite's own message quotes the damaged schema, and it is not UTF-8
        conn.close()
        raise damaged(path, "its schema is not UTF-8 text") from None
    except StoreError:
        conn.close()
        raise
    return conn


def _identify(conn: sqlite3.Connection, path: Path, *, fresh: bool) -> int:
    """Refuse another program's database or a newer schema; return the schema version.

    The three reads are one snapshot: read one by one, a first use committing its tables between
    them (another certdrill starting at the same moment) showed an unmarked file that has tables,
    which is another program's."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("BEGIN")
    try:
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")
    if not fresh and app_id != APPLICATION_ID and tables:
        raise StoreError(f"not a certdrill database (another program's file); {restore_hint(path)}", file=str(path))
    if version > len(MIGRATIONS):
        raise StoreError(f"made by a newer certdrill (schema {version}, this one knows {len(MIGRATIONS)}); upgrade certdrill", file=str(path))
    return version


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """For commands that only read (export, stats), even from a read-only or full disk; nothing is written.

    A WAL database needs its -shm file created to be read; where nothing can be written (a
    read-only folder, a full disk), nothing can change the file either, so there it is opened as
    immutable. But immutable ignores the -wal file: answers still in it (the last session's, until a
    checkpoint) would be silently missing, so a store with a -wal is read through it, or refused.
    """
    if _writable(path) or _has_wal(path):
        try:
            return _read(path, "mode=ro")
        except (ReadOnlyStore, DiskFull) as exc:
            if _has_wal(path):
                raise _wal_unreadable(path) if isinstance(exc, ReadOnlyStore) else exc from None
    return _read(path, "immutable=1")


def _read(path: Path, mode: str) -> sqlite3.Connection:
    try:
        return _open(path, f"{path.resolve().as_uri()}?{mode}", lambda conn: _check_read_only(conn, path))
    except _NothingYet:
        return _empty_store(path)


def _wal_unreadable(path: Path) -> StoreError:
    return StoreError(
        f"answers not yet merged into the database wait in {path.name}-wal, which cannot be read from a read-only folder without its -shm file: make {path.parent} writable and run again",
        file=str(path),
    )


class _NothingYet(StoreError):
    """A store whose first use failed before its tables were made (a full disk): nothing in it yet."""


def _check_read_only(conn: sqlite3.Connection, path: Path) -> None:
    version = _identify(conn, path, fresh=False)
    if version == 0 and not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise _NothingYet("empty")
    if version < len(MIGRATIONS):
        raise StoreError("made by an older certdrill; run `certdrill study` once to upgrade it", file=str(path))


def _empty_store(path: Path) -> sqlite3.Connection:
    """What a read-only command reads before anything was studied (no store yet, or one left empty
    by a failed first use): an empty store in memory, so reading writes nothing to the data folder."""
    return _open(path, ":memory:", lambda conn: _migrate(conn, 0, path))


def _has_wal(path: Path) -> bool:
    try:
        return Path(f"{path}-wal").stat().st_size > 0
    except OSError:
        return False


def _migrate(conn: sqlite3.Connection, version: int, path: Path) -> None:
    """Every pending migration in one transaction: all or nothing, so a full disk (or a kill) on
    first use leaves the store as it was, never half-upgraded. SQLite itself rolls back a
    transaction that ran out of room; its error, not "cannot rollback", is what the learner sees."""
    if version > 0:
        backup_before_migration(conn, path, version)
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated meanwhile
        for number in range(current, len(MIGRATIONS)):
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
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
