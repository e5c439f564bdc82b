"""Writing a file whole or not at all: into a temporary file beside it, synced, then renamed over it.

One policy for every file certdrill writes (exports, settings, the bank cache, imported banks,
backups): the temporary file is fsynced before the rename and the folder after it, so a crash
leaves either the old file or the new one, never half of one; a failure removes the temporary file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeVar

T = TypeVar("T")


def temporary_beside(target: Path) -> Path:
    """The temporary name `replace_atomically` fills: hidden, unique to this process, ending in .tmp."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


# Scratch files named after the process that writes them: `.NAME.PID.tmp` (replace_atomically),
# `.NAME.restore-PID.tmp` (backup restore), `.NAME.PID.import` (a first import), and the -journal,
# -wal and -shm files SQLite keeps beside either.
_SCRATCH = re.compile(r"^\.(?P<name>.+)\.(?:restore-)?(?P<pid>\d{1,10})\.(?:tmp|import)(?:-journal|-wal|-shm)?$")


def alive(pid: int) -> bool:
    """Whether a process with this id exists (another user's counts: it is not ours to judge)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True
    return True


def remove_orphans(folder: Path, *, name: str | None = None) -> list[Path]:
    """Remove the scratch files in `folder` (of `name` only, if given) whose process is gone: a killed
    export, import or backup leaves them, up to the size of the whole store; the next start tidies."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _SCRATCH.match(entry.name)
        if match is None or (name is not None and match["name"] != name):
            continue
        pid = int(match["pid"])
        if pid == os.getpid() or alive(pid):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def replace_atomically(target: Path, fill: Callable[[Path], T]) -> T:
    """`fill(tmp)` writes the whole file at a temporary path; it then replaces `target`. Errors propagate.
    What a killed writer of the same target left behind goes first."""
    remove_orphans(target.parent, name=target.name)
    tmp = temporary_beside(target)
    try:
        result = fill(tmp)
        fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        discard(tmp)
        raise
    fsync_dir(target.parent)
    return result


def write_text_atomically(target: Path, write: Callable[[TextIO], T]) -> T:
    """`replace_atomically` with `write` given the temporary file open as UTF-8 text (newlines as written)."""

    def fill(tmp: Path) -> T:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            return write(fh)

    return replace_atomically(target, fill)


def save_text(target: Path, text: str) -> None:
    write_text_atomically(target, lambda fh: fh.write(text))


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable; not every file system lets a folder be fsynced (the rename is still atomic)."""
    try:
        fsync_file(folder)
    except OSError:
        pass


def discard(path: Path) -> None:
    """Remove a temporary file if it is there; on a read-only disk there is none to remove."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
