"""Where things live: the data dir and the built-in bank."""

from __future__ import annotations

import os
from pathlib import Path


def home_dir() -> Path:
    override = os.environ.get("CERTDRILL_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("certdrill", appauthor=False))


def db_path() -> Path:
    return home_dir() / "progress.sqlite3"


def config_path() -> Path:
    return home_dir() / "config.json"


def cache_dir() -> Path:
    return home_dir() / "cache"


def content_root() -> Path:
    """The built-in banks: inside the installed package, or the repo's content/ in a checkout."""
    packaged = Path(__file__).parent / "content"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "content"


BUILTIN_BANK = "aws-containers"


def builtin_bank_dir() -> Path:
    return content_root() / BUILTIN_BANK
