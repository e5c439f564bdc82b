"""The store's write-ahead log (`progress.sqlite3-wal`): SQLite keeps each answer there until a
checkpoint copies it into the file, and the `-shm` file indexes it.

Deleting the two while a session runs (issue 15, class 7) splits the store: the running session
goes on writing into the log it still holds open, which no longer has a name, while the next one
starts a new log from the file alone, without the first one's answers; whichever closes last then
overwrites the other's, and every answer looked saved. So a connection remembers which log it
opened, checks before and after every write that it is still the one at that name, and refuses
the answer otherwise; a new connection refuses a store that another process holds open without
its log; and a store whose answers were all still in a log that is gone says so, instead of
looking like an empty or an older store.
"""

from __future__ import annotations

import os
import struct
import sys
import time
from pathlib import Path

from certdrill.errors import DamagedStoreError, StoreError
from certdrill.store.backup import restore_hint

HEADER = 100  # bytes of an SQLite file's header
SHARED_FIRST, SHARED_BYTES = 0x40000002, 510  # the lock bytes every open connection holds a read lock on (SQLite's os_unix.c)
SETTLE = 0.05  # s: a connection opening the store has its log made within this, after taking its lock


def log_of(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _identity(path: Path) -> tuple[int, int, float] | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino, info.st_mtime


class WalWatch:
    """The log a connection opened, checked at its name around each write."""

    def __init__(self, path: Path, seen: tuple[int, int, float]):
        self.log = log_of(path)
        self.seen = seen

    @classmethod
    def of(cls, path: Path) -> WalWatch | None:
        """For a connection just opened in WAL mode (it has made or opened the log); None otherwise."""
        seen = _identity(log_of(path))
        return None if seen is None else cls(path, seen)

    def check(self) -> None:
        """Refuse to go on (and to confirm an answer) when the log at its name is not ours any more."""
        now = _identity(self.log)
        if now is not None and now[:2] == self.seen[:2]:
            self.seen = now
            return
        last = time.strftime("%H:%M", time.localtime(self.seen[2]))
        raise StoreError(
            f"the store's write-ahead log ({self.log.name}) was deleted while certdrill ran (it was last seen in place at {last}): "
            "answers saved since then, by this or another session, may be lost, so no more are taken; "
            "close every certdrill, then see `certdrill backup list` to restore a copy",
            file=str(self.log.with_name(self.log.name.removesuffix("-wal"))),
        )


def refuse_a_lost_log(path: Path) -> None:
    """Before a connection opens a store that exists: is its log missing while it is needed?"""
    header = _header(path)
    if header is None or header[18:20] != b"\x02\x02" or log_of(path).exists():
        return  # not in WAL mode, or its log is there
    if held_open(path):
        time.sleep(SETTLE)  # another certdrill opening it makes its log just after taking its lock
        if not log_of(path).exists() and held_open(path):
            raise StoreError(
                f"another certdrill has the store open, but its write-ahead log ({log_of(path).name}) was deleted: "
                "answers saved here now would be lost, and so may that session's; close every certdrill, then run again "
                "(`certdrill backup list` shows the copies to restore)",
                file=str(path),
            )
        return
    pages, user_version, app_id = (int.from_bytes(header[at : at + 4], "big") for at in (28, 60, 68))
    frames = _frames_indexed(path)
    if frames:
        why = f"its write-ahead log ({log_of(path).name}) is missing, and {frames} pages saved in it had not yet been copied into the file"
        raise DamagedStoreError(f"the progress database is damaged ({why}); {restore_hint(path)}", file=str(path))
    if pages <= 1 and user_version == 0 and app_id == 0:
        why = f"it holds nothing but its header: everything saved in it was still in its write-ahead log ({log_of(path).name}), which is missing"
        raise DamagedStoreError(f"the progress database is damaged ({why}); {restore_hint(path)}", file=str(path))


def holds_nothing(path: Path) -> bool:
    """An empty file, or SQLite's header alone with no schema version or application id, and no log
    beside it: nothing was ever committed to it."""
    try:
        if path.stat().st_size == 0:
            return not log_of(path).exists()
    except OSError:
        return False
    header = _header(path)
    if header is None or log_of(path).exists():
        return False
    pages, user_version, app_id = (int.from_bytes(header[at : at + 4], "big") for at in (28, 60, 68))
    return pages <= 1 and user_version == 0 and app_id == 0


def _header(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            header = fh.read(HEADER)
    except OSError:
        return None  # the opening code says what is wrong with the file
    return header if len(header) == HEADER else None


def held_open(path: Path) -> bool | None:
    """Does another process have the store open (a read lock on SQLite's shared lock bytes)? None
    where that cannot be asked: off Linux (this packs Linux's `struct flock`), or the file unreadable."""
    if not sys.platform.startswith("linux"):
        return None
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        probe = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, SHARED_FIRST, SHARED_BYTES, 0)
        kind = struct.unpack("hhqqi", fcntl.fcntl(fd, fcntl.F_GETLK, probe))[0]
        return kind != fcntl.F_UNLCK
    except OSError:
        return None
    finally:
        os.close(fd)


def _frames_indexed(path: Path) -> int:
    """Pages the `-shm` index says the log holds (it is left behind by a killed certdrill)."""
    try:
        with open(path.with_name(path.name + "-shm"), "rb") as fh:
            index = fh.read(48)
    except OSError:
        return 0
    if len(index) < 48 or not index[12]:  # isInit
        return 0
    return int.from_bytes(index[16:20], sys.byteorder)  # the index is in the machine's own byte order
