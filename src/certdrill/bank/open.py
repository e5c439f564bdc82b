"""Open a bank: its files found, then from the cache of each file's part (cache.py) or parsed here."""

from __future__ import annotations

from pathlib import Path

from certdrill.bank import build, cache, loader
from certdrill.bank.items import Bank
from certdrill.bank.loader import MANIFEST
from certdrill.errors import InputError
from certdrill.gcpause import paused_gc


def bank_files(path: Path) -> tuple[Path | None, list[Path]]:
    """The manifest and topic files of a bank given as a folder or one topic file."""
    if path.is_file():
        return None, [path]
    if not path.is_dir():
        raise InputError("no such bank file or folder", file=str(path))
    manifest = path / MANIFEST
    topics = sorted(p for p in path.glob("*.y*ml") if p.name != MANIFEST and p.suffix in (".yaml", ".yml"))
    if not topics:
        raise InputError("no topic files (*.yaml) in this folder", file=str(path))
    return (manifest if manifest.is_file() else None), topics


def load_bank(path: Path, *, cache_dir: Path | None = None) -> Bank:
    """The validated bank; with `cache_dir`, from a cache of each file's part, so that only the
    files that changed are parsed again (see cache.py and parts.py)."""
    path = Path(path)
    manifest, topics = bank_files(path)
    files = ([manifest] if manifest else []) + topics
    if cache_dir is not None:
        return cache.cached_bank(path, manifest, files, cache_dir)
    with paused_gc():
        return build.build_bank(path, [(f, loader._read_bytes(f)) for f in files], manifest)
