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
    if new.exists() or not old.exists():
        return new
    import shutil

    try:
        new.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(old), str(new))
    except OSError:
        return old if keep_old else new
    return new


def content_root() -> Path:
    """The built-in banks: inside the installed package, or the repo's content/ in a checkout."""
    packaged = Path(__file__).parent / "content"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "content"


BUILTIN_BANK = "aws-containers"


def builtin_bank_dir() -> Path:
    return content_root() / BUILTIN_BANK
