"""The bank cache: a part per file (parts.py), an index of the assembled bank, and a note of the
files' sizes and modification times.

Each bank has a folder of its own in the cache dir. With every file as noted (as git keeps its
index) nothing is read: the index gives the bank's outline and each item's entry, and the parts
give the items asked for. A changed file is read and hashed; only a file whose content has no part
yet is parsed (on every core when there are many), and the checks across files run over all
parts whenever any changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from collections.abc import Sequence
from dataclasses import replace
from itertools import repeat
from pathlib import Path

from certdrill.bank import build, loader
from certdrill.bank.build import Outline, Summary
from certdrill.bank.items import Bank, Entry
from certdrill.bank.parts import CACHE_VERSION, PartShelf, StoredPart, digest_of, part_name, read_summary, write_part
from certdrill.files import save_text
from certdrill.gcpause import paused_gc

RACY_NS = 2_000_000_000  # a file changed this close to being read may change again unseen within its mtime's granularity
PARALLEL_BYTES = 4 * 1024 * 1024  # below this, starting worker processes costs more than it saves
KEEP_S = 86400  # parts and indexes no longer used are removed after a day (a concurrent builder may still use them)


def cached_bank(path: Path, manifest: Path | None, files: list[Path], cache_dir: Path) -> Bank:
    """The bank of `files`, from the cache for every file that has not changed."""
    where = hashlib.sha256(f"{CACHE_VERSION}\0{path.resolve()}".encode()).hexdigest()[:32]
    folder = cache_dir / f"bank-{where}"
    note = folder / "files.json"
    stamps = [_stamp(f) for f in files]
    noted, noted_index = _read_note(note)
    if noted_index and len(noted) == len(files) and all(s is not None and noted.get(f.name, [None])[:-1] == s for f, s in zip(files, stamps, strict=True)):
        with paused_gc():
            bank = _from_index(folder / noted_index)
        if bank is not None:
            return bank
    read_at = time.time_ns()
    digests: list[str] = []
    blobs: dict[Path, bytes] = {}
    for f, s in zip(files, stamps, strict=True):
        known = noted.get(f.name)
        if s is not None and known is not None and known[:-1] == s:
            digests.append(known[-1])
        else:
            blobs[f] = loader._read_bytes(f)
            digests.append(digest_of(blobs[f]))
    index = folder / _index_name(path, files, digests)
    with paused_gc():
        bank = _from_index(index)
        if bank is None:
            bank = _assembled(path, manifest, files, digests, blobs, folder, index)
    fresh = {f.name: [*s, d] for f, s, d in zip(files, stamps, digests, strict=True) if s is not None and s[1] < read_at - RACY_NS}
    if fresh and (fresh != noted or index.name != noted_index) and _room_for(folder, 0):
        _write_note(note, fresh, index.name)
    return bank


def _stamp(file: Path) -> list | None:
    try:
        st = file.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_mode]


def _index_name(path: Path, files: Sequence[Path], digests: Sequence[str]) -> str:
    key = hashlib.sha256(f"{CACHE_VERSION}\0{path}".encode())
    for f, d in zip(files, digests, strict=True):
        key.update(f"\0{f}\0{d}".encode())
    return f"index-{key.hexdigest()[:32]}.pickle"


def _assembled(path: Path, manifest: Path | None, files: list[Path], digests: list[str], blobs: dict[Path, bytes], folder: Path, index: Path) -> Bank:
    """Parts for the files that have none, the checks across files, then the index."""
    stored = [StoredPart(folder / part_name(f, d), f, d) for f, d in zip(files, digests, strict=True)]
    summaries: list[Summary | None] = [read_summary(p.path, p.digest) for p in stored]
    todo = [n for n, s in enumerate(summaries) if s is None]
    for n in todo:
        if files[n] not in blobs:
            blobs[files[n]] = loader._read_bytes(files[n])
    keep = _room_for(folder, 2 * sum(len(blobs[files[n]]) for n in todo))
    created = [d for d in (folder.parent, folder) if not d.exists()]
    if keep:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass
    jobs = [(stored[n].path if keep else None, files[n], digests[n], blobs[files[n]], files[n] == manifest) for n in todo]
    try:
        for n, (made, items) in zip(todo, _build_parts(jobs), strict=True):
            summaries[n] = made
            stored[n].items = items
        outline = build.assemble(path, [s for s in summaries if s is not None])
    except BaseException:
        _discard([stored[n].path for n in todo], created)
        raise
    if keep:
        _write_index(index, outline, stored)
        _tidy(folder, {index.name, *(p.path.name for p in stored)})
    return build.bank_of(outline, shelf=PartShelf(outline.entries, stored))


ROOM_BYTES = 64 * 1024 * 1024


def _room_for(folder: Path, size: int) -> bool:
    """The cache never takes a disk's last free space, which the store needs more: parts are
    written only with `size` and ROOM_BYTES to spare (else the bank is built in memory)."""
    import shutil

    for existing in (folder, *folder.parents):
        if existing.exists():
            try:
                return shutil.disk_usage(existing).free >= size + ROOM_BYTES
            except OSError:
                return False
    return False


def _build_parts(jobs: list[tuple]) -> list[tuple[Summary, list | None]]:
    """Each job's part, stored; the summaries (with the items when built here). Many bytes to
    parse go to worker processes (certdrill.parallel), which store the parts themselves."""
    from certdrill.parallel import ordered_map

    if len(jobs) < 2 or sum(len(job[3]) for job in jobs) < PARALLEL_BYTES or (os.cpu_count() or 1) < 2 or jobs[0][0] is None:
        return [_build_one(job, keep=True) for job in jobs]
    import certdrill.bank.schema  # noqa: F401 - imported once here, not in every worker

    return list(ordered_map(_build_stored, [[job] for job in jobs]))


def _build_stored(chunk: list[tuple]) -> tuple[Summary, list | None]:
    (job,) = chunk
    return _build_one(job, keep=False)


def _build_one(job: tuple, *, keep: bool) -> tuple[Summary, list | None]:
    target, file, digest, blob, is_manifest = job
    with paused_gc():
        part = build.build_part(file, blob, manifest=is_manifest)
        if target is not None:
            write_part(target, digest, part)
        return build.summary(part), part.items if keep else None


def _from_index(index: Path) -> Bank | None:
    try:
        with open(index, "rb") as fh:
            version, outline, rows, parts = pickle.load(fh)
        if version != CACHE_VERSION or not isinstance(outline, Outline):
            return None
        outline = replace(outline, entries=tuple(map(tuple.__new__, repeat(Entry), rows)))
    except Exception:  # noqa: BLE001 - a damaged index is rebuilt from the parts, whatever the damage
        return None
    stored = [StoredPart(index.with_name(name), Path(source), digest) for name, source, digest in parts]
    return build.bank_of(outline, shelf=PartShelf(outline.entries, stored))


def _write_index(index: Path, outline: Outline, stored: Sequence[StoredPart]) -> None:
    from certdrill.files import replace_atomically

    parts = [(p.path.name, str(p.source), p.digest) for p in stored]

    def fill(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            rows = [tuple(entry) for entry in outline.entries]  # remade by tuple's constructor: half the time of a named tuple's
            pickle.dump((CACHE_VERSION, replace(outline, entries=()), rows, parts), fh, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        replace_atomically(index, fill)
    except OSError:
        pass  # the cache is an optimisation; a read-only or full home still studies


def _read_note(note: Path) -> tuple[dict[str, list], str]:
    try:
        data = json.loads(note.read_text(encoding="utf-8"))
        files, index = data["files"], data["index"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}, ""
    if not isinstance(files, dict) or not isinstance(index, str) or not all(isinstance(v, list) and len(v) == 5 for v in files.values()):
        return {}, ""
    return files, Path(index).name


def _write_note(note: Path, files: dict[str, list], index: str) -> None:
    try:
        save_text(note, json.dumps({"files": files, "index": index}))
    except OSError:
        pass  # the note is an optimisation too


def _discard(parts: list[Path], created: list[Path]) -> None:
    """A bank that does not load leaves nothing written: the parts of its good files go too, and
    the folders made for them."""
    for part in parts:
        part.unlink(missing_ok=True)
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            pass


def _tidy(folder: Path, keep: set[str]) -> None:
    """Parts and indexes no other view of the bank has used for a day go, and the whole-bank
    pickles of cache version 6 and before with them."""
    cutoff = time.time() - KEEP_S
    old = [*folder.glob("part-*.pickle"), *folder.glob("index-*.pickle")]
    old += [*folder.parent.glob("bank-*.pickle"), *folder.parent.glob("files-*.json")]
    for stale in old:
        try:
            if stale.name not in keep and (stale.parent != folder or stale.stat().st_mtime < cutoff):
                stale.unlink()
        except OSError:
            pass
