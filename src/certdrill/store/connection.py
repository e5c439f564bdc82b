"""A store's connection: opened, read and written through one error path (every SQLite error explained)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from certdrill.errors import DamagedStoreError, StoreError
from certdrill.store.db import BUSY_TIMEOUT_MS, _busy, connect, damaged, store_error
from certdrill.store.wal import WalWatch

BATCH = 500  # ids an `IN (...)` query takes at once, well under SQLite's variable limit
PATIENCE = 60  # s a session saving an answer waits for the write lock
LOOK_EVERY = 0.002  # s between two looks at the lock while it waits
T = TypeVar("T")


class Connection:
    """The open database of a `Store`; every read goes through `reading()`, every write through `transaction()`."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self.wal: WalWatch | None = None  # the write-ahead log this connection writes into (store/wal.py)

    @classmethod
    def open(cls: type[S], path: Path, *, read_only: bool = False) -> S:
        store = cls(Path(path), connect(Path(path), read_only=read_only))
        store.wal = None if read_only else WalWatch.of(store.path)
        return store

    @classmethod
    def open_scratch(cls: type[S], path: Path) -> S:
        """A new store no one else sees yet (a first import, before it is moved into place): no
        journal and no syncs while it fills, since a failure throws the file away; `seal` it after."""
        store = cls.open(path)
        store.wal = None  # it has no log until sealed, and then no other writer
        store.conn.execute("PRAGMA journal_mode = OFF")
        store.conn.execute("PRAGMA synchronous = OFF")
        return store

    def seal(self) -> None:
        """A scratch store made a real one: WAL and full syncs again, and everything on disk."""
        with self.reading() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        with open(self.path, "rb") as fh:
            os.fsync(fh.fileno())

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self, *, patient: bool = False) -> Iterator[sqlite3.Connection]:
        """`patient`: a session saving an answer, which waits its turn for as long as `PATIENCE`.
        Before and after it, the write-ahead log must still be the one opened (store/wal.py)."""
        self._log_kept()
        try:
            if patient:
                self._begin_patiently()
            else:
                self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise store_error(exc, self.path) from None
        except UnicodeDecodeError:
            raise _not_utf8(self.path) from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
            self._log_kept()
        except sqlite3.Error as exc:
            self._rollback()
            raise store_error(exc, self.path) from None
        except UnicodeDecodeError:
            self._rollback()
            raise _not_utf8(self.path) from None
        except BaseException:
            self._rollback()
            raise

    def _begin_patiently(self) -> None:
        """Take the write lock, looking every few milliseconds (SQLite's own wait looks only every
        100 ms after a while, and can miss every gap a long import leaves between its batches)."""
        deadline = time.monotonic() + PATIENCE
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if not _busy(exc):
                        raise
                    if time.monotonic() > deadline:
                        raise StoreError(
                            f"another certdrill kept the progress database busy for {PATIENCE} s, so this answer was not saved; try again", file=str(self.path)
                        ) from None
                time.sleep(LOOK_EVERY)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _log_kept(self) -> None:
        if self.wal is not None:
            self.wal.check()

    def check_writable(self) -> None:
        """Fail now, with a clear error, rather than at the first answer (read-only file or folder).
        A write is tried and rolled back: `BEGIN IMMEDIATE` alone passes on a read-only folder where
        the store's -wal and -shm files already exist, and only the first real write fails there."""
        try:
            with self.transaction() as conn:
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                conn.execute(f"PRAGMA user_version = {version}")
                raise _Probed
        except _Probed:
            pass

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Reads fail as clearly as writes (a damaged page shows up on read)."""
        try:
            yield self.conn
        except sqlite3.Error as exc:
            raise store_error(exc, self.path) from None
        except UnicodeDecodeError:
            raise _not_utf8(self.path) from None

    def _rollback(self) -> None:
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


S = TypeVar("S", bound=Connection)


class _Probed(Exception):
    """The write of `check_writable` went through: roll it back."""


def _not_utf8(path: Path) -> DamagedStoreError:
    """A flipped byte in the schema text (SQLite quotes it in its error) or in a text cell."""
    return damaged(path, "its schema or a text cell is not UTF-8")


def chunks(ids: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def marks(chunk: Sequence[object]) -> str:
    return ",".join("?" * len(chunk))
