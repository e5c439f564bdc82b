"""Writing a file whole or not at all: into a temporary file beside it, synced, then renamed over it.

One policy for every file certdrill writes (exports, settings, the bank cache, imported banks,
backups): the temporary file is fsynced before the rename and the folder after it, so a crash
leaves either the old file or the new one, never half of one; a failure removes the temporary file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeVar

T = TypeVar("T")


def temporary_beside(target: Path) -> Path:
    """The temporary name `replace_atomically` fills: hidden, unique to this process, ending in .tmp."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def replace_atomically(target: Path, fill: Callable[[Path], T]) -> T:
    """`fill(tmp)` writes the whole file at a temporary path; it then replaces `target`. Errors propagate."""
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
