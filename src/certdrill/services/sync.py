"""`certdrill sync DIR`: progress kept in step through a folder that another tool shares between
machines (Syncthing, Dropbox, iCloud Drive, OneDrive, a network share, a git repository).

Each device appends only to its own files, `DIR/certdrill/<device id>/` (exchange/sync_files.py),
and reads every other device's, merging what it reads with the merges `import` uses: reviews united
by id and cards replayed, mock exams joined by uid, settings and parameters last-writer-wins (the
clock rule is in services/sync_state.py). A sync:

1. reads what is new in every other device's files since the last sync (how far each was read is
   kept in the data dir), and merges it;
2. writes to its own current file what this store has that the folder lacks: reviews logged after
   the last sync (a watermark on the review log), exams, settings and parameters not seen there;
3. compacts its own files into one snapshot once they are many.

If a file it read before is gone (not by a compaction) or shorter, or its own files are not as it
left them, it reads every file again and writes whatever the folder lacks: nothing is lost while
one store still has it, and a record written twice is merged once.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from certdrill.clock import to_ms
from certdrill.exchange import sync_files as sf
from certdrill.services.sync_state import State, SyncSkipped, device_id, load_state, save_state, sync_lock
from certdrill.services.workspace import Warn, ignore, open_store

if TYPE_CHECKING:
    from certdrill.store.store import Store
    from certdrill.store.writes import Merged

SEGMENT_BYTES = 1024 * 1024  # a new file once the current one is this big (sync tools copy whole files)
COMPACT_SEGMENTS = 8  # files since the last snapshot that make a new snapshot
WRITE_CHUNK = 256 * 1024  # whole lines per write() with O_APPEND
WATERMARK_KEY = "published"
HEAD_BYTES = 1024


@dataclass(frozen=True)
class Synced:
    folder: Path
    device: str
    devices: int = 0  # other devices whose files are in the folder
    read: int = 0  # records read from the folder this time
    added: int = 0  # reviews new to this store (or changed)
    exams: int = 0
    settings: int = 0
    parameters: bool = False
    sent: int = 0  # records written to this device's files
    damaged: int = 0  # lines skipped: torn, or no record certdrill can check
    unknown: int = 0  # records skipped: a kind from a newer certdrill, or a value this one refuses (a setting it does not know, parameters out of bounds)
    healed: bool = False  # every file was read again (one was gone or shorter)
    compacted: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    controls: int = 0  # answers undone and suspension changes new to this store


def run_sync(folder: Path | None, *, now: datetime, git: bool = False, warn: Warn = ignore) -> Synced:
    """`certdrill sync [DIR] [--git]`: the folder given, or the configured sync-dir."""
    from dataclasses import replace

    from certdrill.errors import InputError
    from certdrill.services.workspace import load_settings

    if folder is None:
        configured = load_settings().sync_dir
        if configured is None:
            raise InputError("give a folder (certdrill sync DIR), or set one: certdrill config set sync-dir DIR")
        folder = Path(configured)
    folder = folder.expanduser()
    if not git:
        return sync(folder, now=now, warn=warn)
    from certdrill.services import sync_git

    if not folder.is_dir():
        raise SyncSkipped(f"{folder}: no such folder")
    notes = sync_git.pull(folder)
    done = sync(folder, now=now, warn=warn)
    notes += sync_git.commit_and_push(folder, done.device)
    return replace(done, notes=(*done.notes, *notes))


def session_sync(*, now: datetime, warn: Warn = ignore) -> Synced | str | None:
    """The sync a session makes at its start and end when a sync-dir is set: what it did, or the
    one line that says why it was skipped (the session goes on); None without a sync-dir."""
    from certdrill.errors import CertdrillError
    from certdrill.services.workspace import load_settings

    try:
        configured = load_settings().sync_dir
    except CertdrillError:
        return None  # the session itself reports a bad settings file
    if configured is None:
        return None
    try:
        return sync(Path(configured), now=now, warn=warn)
    except CertdrillError as exc:
        return f"Sync skipped: {exc}"
    except OSError as exc:
        return f"Sync skipped: {configured}: {exc.strerror or exc}"


def sync(folder: Path, *, now: datetime, warn: Warn = ignore) -> Synced:
    """Sync with `folder`; SyncSkipped (one line) when the folder cannot be used now."""
    folder = folder.expanduser()
    try:
        if not folder.is_dir():
            raise SyncSkipped(f"{folder}: no such folder")
        mine = folder / sf.FOLDER / device_id()
        mine.mkdir(parents=True, exist_ok=True)
        if not os.access(mine, os.R_OK | os.W_OK | os.X_OK):
            raise SyncSkipped(f"{mine}: cannot write here")
    except OSError as exc:
        raise SyncSkipped(f"{folder}: {exc.strerror or exc}") from None
    with sync_lock():
        store = open_store(warn=warn)
        try:
            return _sync(store, folder.resolve(), mine.name, to_ms(now))
        finally:
            store.close()


@dataclass
class _Files:
    """The folder as listed: every readable file by "<device>/<name>", with its size."""

    sizes: dict[str, int]
    own: dict[str, int]  # this device's own files (segments, snapshots) by name
    snapshots: dict[str, list[int]]  # device -> its snapshots' numbers


def _list(base: Path, device: str) -> _Files:
    files = _Files({}, {}, {})
    try:
        devices = sorted((entry for entry in os.scandir(base) if entry.is_dir() and sf.DEVICE.match(entry.name)), key=lambda e: e.name)
    except OSError as exc:
        raise SyncSkipped(f"{base}: {exc.strerror or exc}") from None
    for folder in devices:
        try:
            entries = [(e.name, e.stat().st_size) for e in os.scandir(folder.path) if e.is_file() and sf.readable(e.name)]
        except OSError:
            continue  # a folder being synced away: read next time
        for name, size in entries:
            if sf.SNAPSHOT.match(name):
                files.snapshots.setdefault(folder.name, []).append(int(name.split(".")[0]))
            if folder.name == device and sf.own_number(name) is not None:
                files.own[name] = size
            else:
                files.sizes[f"{folder.name}/{name}"] = size
    return files


def _sync(store: Store, folder: Path, device: str, now_ms: int) -> Synced:
    from certdrill.services.extras import local_extras, merge_extras
    from certdrill.store.synced import review_id_at

    base = folder / sf.FOLDER
    state = load_state(folder)
    files = _list(base, device)
    kept = _watermark(store, folder)
    watermark, mark_id = kept or (0, None)
    heal = kept is None or _damaged(state, files, device) or (watermark > 0 and review_id_at(store, watermark) != mark_id)
    if heal:
        state.read, state.known, watermark = {}, set(), 0
    batch = sf.Batch()
    read = _read_new(base, state, files, batch)
    notes = []
    if heal:
        read += _read_own(base / device, files, batch)
        if any(files.own.get(name) != size for name, size in state.own.items()):
            notes.append("this device's files in the folder were changed or removed; what they lacked is written anew")
        state.own = dict(files.own)  # read whole: taken as they are, and appended to only if they are whole lines
        for name in list(state.own):
            if not _ends_whole(base / device / name):
                state.own[name] = SEGMENT_BYTES  # never appended to again
    taken = _merge_reviews(batch)
    added, controls = (taken.reviews, taken.changed - taken.reviews) if taken is not None else (0, 0)
    merged = merge_extras(store, batch.extras, now_ms)
    state.known |= {sf.digest(line) for line in _read_controls(batch) + sf.encode_extras(batch.extras)}
    out, watermark, mark_id = _unsent_reviews(store, watermark, mark_id, batch.digests)
    for line in _controls(store) + sf.encode_extras(local_extras(store, now_ms)):
        if (d := sf.digest(line)) not in state.known and d not in batch.digests:
            out.append(line)
            state.known.add(d)
    _append(base / device, state, out)
    _keep_watermark(store, folder, watermark, mark_id)
    compacted = _compact(base / device, state) if _segments_since_snapshot(state) > COMPACT_SEGMENTS else False
    save_state(state)
    others = {rel.split("/")[0] for rel in files.sizes} - {device}
    return Synced(
        folder, device, len(others), read, added, merged.exams, merged.settings, merged.parameters, len(out),
        batch.damaged, batch.unknown + merged.refused, heal, compacted, tuple(notes), controls,
    )  # fmt: skip


def _controls(store: Store) -> list[bytes]:
    """This store's tombstones and suspension events, as device-file lines."""
    return [sf.encode_undone(row) for row in store.iter_tombstone_rows()] + [sf.encode_suspension(row) for row in store.suspension_rows()]


def _read_controls(batch: sf.Batch) -> list[bytes]:
    return [sf.encode_undone(row) for row in batch.undone] + [sf.encode_suspension(row) for row in batch.suspensions]


def _watermark(store: Store, folder: Path) -> tuple[int, str | None] | None:
    """The last review row this device wrote to `folder` (rowid, review id): rows after it are
    unsent. None when this store never synced with it (a new store, a restored one, another folder)."""
    from certdrill.store.synced import kept

    try:
        data = json.loads(kept(store, WATERMARK_KEY) or "{}")
        if data.get("dir") == str(folder):
            return int(data["rowid"]), data["id"]
    except (ValueError, KeyError, TypeError):
        pass
    return None


def _keep_watermark(store: Store, folder: Path, rowid: int, review_id: str | None) -> None:
    from certdrill.store.synced import keep

    keep(store, WATERMARK_KEY, json.dumps({"dir": str(folder), "rowid": rowid, "id": review_id}))


def _damaged(state: State, files: _Files, device: str) -> bool:
    """Must every file be read again? The first sync with this folder; a file read before that is
    gone (not compacted into a snapshot) or shorter; this device's own files not as it left them.
    (A store that never synced with the folder is the caller's other reason.)"""
    if state.fresh:
        return True
    for rel, (taken, _) in state.read.items():
        owner, name = rel.split("/", 1)
        size = files.sizes.get(rel)
        if size is None and not sf.covered(name, files.snapshots.get(owner, [])):
            return True
        if size is not None and size < int(taken):
            return True
    return any(files.own.get(name) != size for name, size in state.own.items())


def _read_new(base: Path, state: State, files: _Files, batch: sf.Batch) -> int:
    """What each file holds past where it was last read; returns the records read."""
    count = 0
    for rel, size in sorted(files.sizes.items()):
        taken, head = state.read.get(rel, (0, ""))
        if size == taken:
            continue
        try:
            with open(base / rel, "rb") as fh:
                first = fh.read(HEAD_BYTES)
                if rel.endswith(".gz") or (taken and sf.digest(first[: min(int(taken), HEAD_BYTES)]) != head):
                    taken = 0  # a snapshot is read whole; a file replaced by another (an old copy restored) too
                fh.seek(int(taken))
                data = fh.read()
        except OSError:
            continue  # gone or unreadable this moment: read next time
        chunk = sf.split_lines(data, compressed=rel.endswith(".gz"))
        if not chunk.complete:
            continue
        before = len(batch.rows) + len(batch.extras.exams) + len(batch.extras.settings) + len(batch.extras.parameters)
        sf.decode(chunk.lines, batch)
        count += len(batch.rows) + len(batch.extras.exams) + len(batch.extras.settings) + len(batch.extras.parameters) - before
        end = int(taken) + chunk.consumed
        state.read[rel] = [end, sf.digest(first[: min(end, HEAD_BYTES)])]
    return count


def _read_own(folder: Path, files: _Files, batch: sf.Batch) -> int:
    """This device's own files, read whole when healing (a store restored from a backup gets its
    own records back)."""
    before = len(batch.rows)
    for name in sorted(files.own):
        try:
            chunk = sf.split_lines((folder / name).read_bytes(), compressed=name.endswith(".gz"))
        except OSError:
            continue
        sf.decode(chunk.lines, batch)
    return len(batch.rows) - before


def _merge_reviews(batch: sf.Batch) -> Merged | None:
    """Reviews with the tombstones and suspensions read beside them (merged ahead of the reviews)."""
    if not (batch.rows or batch.undone or batch.suspensions):
        return None
    from certdrill.services.progress import merge_rows

    return merge_rows(batch.rows, undone=batch.undone, suspensions=batch.suspensions)


def _unsent_reviews(store: Store, watermark: int, mark_id: str | None, present: set[str]) -> tuple[list[bytes], int, str | None]:
    """Reviews logged after the watermark that the folder does not hold (`present`: digests read
    this time), and the new watermark."""
    from certdrill.store.synced import reviews_after

    out = []
    for rowid, row in reviews_after(store, watermark):
        encoded = sf.encode_review(row)
        if sf.digest(encoded) not in present:
            out.append(encoded)
        watermark, mark_id = rowid, row.id
    return out, watermark, mark_id


def _append(folder: Path, state: State, lines: list[bytes]) -> None:
    """Append whole lines to this device's current file: a new one when it is full, or when it is
    not as this device left it."""
    if not lines:
        return
    top = max((sf.own_number(name) or 0 for name in state.own), default=0)
    current = sf.segment_name(top)
    if not (current in state.own and state.own[current] < SEGMENT_BYTES):
        top += 1
        current = sf.segment_name(top)
    fd = os.open(folder / current, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        written = _write_lines(fd, lines)
        os.fsync(fd)
    finally:
        os.close(fd)
    state.own[current] = state.own.get(current, 0) + written


def _ends_whole(path: Path) -> bool:
    """Does the file end with a whole line (or is it empty)? A write cut short leaves half of one."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return True
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"
    except OSError:
        return False


def _write_lines(fd: int, lines: list[bytes]) -> int:
    """Whole lines, a chunk per write(): another reader never sees half a record's line for long,
    and with O_APPEND two writers on one machine never interleave within a write."""
    written = 0
    chunk: list[bytes] = []
    size = 0
    for line in [*lines, b""]:
        if line and size + len(line) <= WRITE_CHUNK:
            chunk.append(line)
            size += len(line)
            continue
        if chunk:
            data = b"".join(chunk)
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            written += len(data)
        chunk, size = ([line], len(line)) if line else ([], 0)
    return written


def _segments_since_snapshot(state: State) -> int:
    snapshots = [sf.own_number(n) or 0 for n in state.own if sf.SNAPSHOT.match(n)]
    last = max(snapshots, default=0)
    return sum(1 for n in state.own if sf.SEGMENT.match(n) and (sf.own_number(n) or 0) > last)


def _compact(folder: Path, state: State) -> bool:
    """Every own file as one snapshot (each record once, only the latest version of an exam, a
    setting or the parameters), numbered after them; then the files it stands for go."""
    from certdrill.files import replace_atomically

    lines: list[bytes] = []
    for name in sorted(state.own, key=lambda n: sf.own_number(n) or 0):
        try:
            lines.extend(sf.split_lines((folder / name).read_bytes(), compressed=name.endswith(".gz")).lines)
        except OSError:
            return False  # not now: compact next time
    top = max((sf.own_number(n) or 0 for n in state.own), default=0) + 1
    data = sf.compressed(sf.compact_lines(lines))
    target = folder / sf.snapshot_name(top)
    replace_atomically(target, lambda tmp: tmp.write_bytes(data))
    for name in list(state.own):
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            pass
    state.own = {target.name: len(data)}
    return True
