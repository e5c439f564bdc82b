"""Where things live: the data, config and cache dirs (XDG through platformdirs; CERTDRILL_HOME puts all three in one folder) and the built-in bank."""

from __future__ import annotations

import os
from pathlib import Path


def _override() -> Path | None:
    value = os.environ.get("CERTDRILL_HOME")
    return Path(value).expanduser() if value else None


def home_dir() -> Path:
    """The data dir: progress, backups. CERTDRILL_HOME, or the platform's (XDG_DATA_HOME on Linux)."""
    override = _override()
    if override is not None:
        return override
    import platformdirs

    return Path(platformdirs.user_data_dir("certdrill", appauthor=False))


def db_path() -> Path:
    return home_dir() / "progress.sqlite3"


def config_path() -> Path:
    """The settings file: CERTDRILL_HOME/config.json, or config.json in the platform's config dir
    (XDG_CONFIG_HOME on Linux). A settings file left in the data dir by an older certdrill is
    moved here first (or, if it cannot be moved, read where it is)."""
    override = _override()
    if override is not None:
        return override / "config.json"
    import platformdirs

    return _adopted(Path(platformdirs.user_config_dir("certdrill", appauthor=False)) / "config.json", home_dir() / "config.json")


def cache_dir() -> Path:
    """The bank cache: CERTDRILL_HOME/cache, or the platform's cache dir (XDG_CACHE_HOME on Linux).
    The cache an older certdrill kept in the data dir is moved here, or else left to be rebuilt."""
    override = _override()
    if override is not None:
        return override / "cache"
    import platformdirs

    return _adopted(Path(platformdirs.user_cache_dir("certdrill", appauthor=False)), home_dir() / "cache", keep_old=False)


def _adopted(new: Path, old: Path, *, keep_old: bool = True) -> Path:
    """`new`, after moving `old` (a file or folder an older certdrill wrote) there when only `old`
    exists. When the move fails: `old` if it must be kept readable (settings), else `new`."""
    try:
        if new.exists() or not old.exists():
            return new
    except OSError:  # a name too long, a folder that may not be entered: the caller's check names it
        return new
    import shutil

    try:
        new.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(old), str(new))
    except OSError:
        return old if keep_old else new
    return new


NAME_MAX = 255  # bytes in one file or folder name, on every file system certdrill runs on


def folder_problem(folder: Path) -> str | None:
    """What stops certdrill from using `folder` (or from creating it), in words; None if nothing does.

    A name in its path longer than a file system takes, a file where it or a folder above it
    should be, a folder above it or itself that may not be entered or read. Asked before the first
    read or write, so each is one clear line instead of the first call that trips on it.
    """
    import stat

    for part in folder.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            return f"a name in this path is {len(os.fsencode(part))} bytes long, more than the {NAME_MAX} a file system takes: set CERTDRILL_HOME to a shorter path"
    for above in [*reversed(folder.parents), folder]:
        try:
            info = above.stat()
        except FileNotFoundError:
            return None  # made when first needed
        except PermissionError:
            return f"permission denied: this user may not enter {above.parent}: give it back with chmod, or set CERTDRILL_HOME"
        except OSError as exc:  # a loop of symbolic links, a path too long as a whole
            return f"cannot use {above}: {exc.strerror}: set CERTDRILL_HOME to another folder"
        if not stat.S_ISDIR(info.st_mode):
            where = "it is" if above == folder else f"{above}, above it, is"
            return f"{where} a file, not a folder: move the file away, or set CERTDRILL_HOME"
    if not os.access(folder, os.R_OK | os.X_OK):
        return f"permission denied: this user may not read the folder (mode {stat.S_IMODE(info.st_mode):03o}): give it back with chmod u+rwx, or set CERTDRILL_HOME"
    return None


def has_store() -> bool:
    """Whether there is a store to read; a home that cannot be a folder (a name too long, under a
    file) has none, and the commands that need one say why through `check_folder`."""
    try:
        return db_path().exists()
    except OSError:
        return False


def check_folder(folder: Path) -> None:
    """Raise the store error that `folder_problem` finds (exit 3: the store cannot be used)."""
    problem = folder_problem(folder)
    if problem is not None:
        from certdrill.errors import StoreError

        raise StoreError(problem, file=str(folder))


def content_root() -> Path:
    """The built-in banks: inside the installed package, or the repo's content/ in a checkout."""
    packaged = Path(__file__).parent / "content"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "content"


BUILTIN_BANK = "aws-containers"


def builtin_bank_dir() -> Path:
    return content_root() / BUILTIN_BANK
