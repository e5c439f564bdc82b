"""The bank cache: a validated bank pickled under a key made of its files' contents, and a note of
the files' sizes and modification times that spares reading and hashing them when nothing changed."""

from __future__ import annotations

import gc
import hashlib
import json
import pickle
import time
from collections.abc import Callable
from pathlib import Path

from certdrill.bank.items import Bank
from certdrill.files import replace_atomically, save_text

CACHE_VERSION = 6  # 6: banks with control characters no longer load
Blobs = list[tuple[Path, bytes]]


def cached_bank(path: Path, files: list[Path], cache_dir: Path, *, read: Callable[[Path], bytes], build: Callable[[Blobs], Bank]) -> Bank:
    """The bank of `files` from the cache when they are unchanged, else `build` of what `read` gives them (then cached).

    Hashing the contents means reading every file; a note of the files' sizes and modification
    times beside the cache (as git keeps for its index) lets an unchanged bank skip even that.
    """
    where = hashlib.sha256(f"{CACHE_VERSION}\0{path.resolve()}".encode())
    note = cache_dir / f"files-{where.hexdigest()[:32]}.json"
    fingerprint = _fingerprint(files)
    noted = _noted_key(note, fingerprint)
    if noted is not None and (cached := _read_cache(noted)) is not None:
        return cached
    read_at = time.time_ns()
    blobs = [(f, read(f)) for f in files]
    digest = where.copy()
    for f, blob in blobs:
        digest.update(f.name.encode() + b"\0" + str(len(blob)).encode() + b"\0" + blob)
    key = cache_dir / f"bank-{digest.hexdigest()[:32]}.pickle"
    bank = _read_cache(key)
    if bank is None:
        bank = build(blobs)
        _write_cache(key, bank)
    if all(stamp[2] < read_at - RACY_NS for stamp in fingerprint):
        _write_note(note, fingerprint, key)
    return bank


RACY_NS = 2_000_000_000  # a file changed this close to being read may change again unseen within its mtime's granularity


def _fingerprint(files: list[Path]) -> list[list]:
    stamps = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            return []
        stamps.append([f.name, st.st_size, st.st_mtime_ns, st.st_ino, st.st_mode])
    return stamps


def _noted_key(note: Path, fingerprint: list[list]) -> Path | None:
    try:
        data = json.loads(note.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not fingerprint or not isinstance(data, dict) or data.get("files") != fingerprint or not isinstance(data.get("key"), str):
        return None
    return note.with_name(Path(data["key"]).name)


def _write_note(note: Path, fingerprint: list[list], key: Path) -> None:
    try:
        save_text(note, json.dumps({"files": fingerprint, "key": key.name}))
    except OSError:
        pass  # the note is an optimisation too


def _read_cache(key: Path) -> Bank | None:
    """Unpickled with the cyclic GC paused: a big bank is half a million acyclic objects, and the
    collections their allocation would trigger cost more than the unpickling itself."""
    paused = gc.isenabled()
    gc.disable()
    try:
        with open(key, "rb") as fh:
            value = pickle.load(fh)
    except Exception:  # noqa: BLE001 - a damaged cache is rebuilt from the YAML, whatever the damage
        return None
    finally:
        if paused:
            gc.enable()
    return value if isinstance(value, Bank) else None


def _write_cache(key: Path, bank: Bank) -> None:
    def fill(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            pickle.dump(bank, fh, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        key.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(key, fill)
        for old in key.parent.glob("bank-*.pickle"):
            if old != key and old.stat().st_mtime < key.stat().st_mtime - 7 * 86400:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # the cache is an optimisation; a read-only or full home still studies
