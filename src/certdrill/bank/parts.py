"""The bank cache's parts: one file's validated items, stored so that any one item can be read alone.

A part file is named after its source file's path and content hash (`part_name`) and holds:

    MAGIC | n (8 bytes) | n + 2 offsets (8 bytes each) | n records of RUN items | choices | summary

Each record is a run of RUN items pickled on its own, so a session reads the few it asks
(`PartShelf.load`) without unpickling the 45 MB of a 50,000-item bank; the choices are every
item's id, type, choices and key (`Choices`: what `stats` counts confusions with, a fraction of
the items' text, read without the rest of it: `PartShelf.choices`); the summary (`build.Summary`: the items'
entries, the topic, the manifest) is what the checks across files need. A part that is missing,
truncated or garbled is never trusted: its file is parsed again and the part rewritten.
"""

from __future__ import annotations

import hashlib
import pickle
import struct
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import repeat
from pathlib import Path
from pickle import loads
from typing import TypeVar

from certdrill.bank import build, loader
from certdrill.bank.build import Part, Summary, summary
from certdrill.bank.items import Choices, Entry, Item
from certdrill.errors import BankError, InputError
from certdrill.files import replace_atomically
from certdrill.gcpause import paused_gc

T = TypeVar("T")

CACHE_VERSION = 8  # 8: each part keeps its items' choices apart; 7: a part per file, items read one by one; 6: banks with control characters no longer load
MAGIC = b"certdrill-part%02d" % CACHE_VERSION
_U64 = struct.Struct("<Q")
RUN = 16  # items a record: a session reads about 16 for each it asks (a few ms), a whole read 1/16 of the unpickler calls


def digest_of(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def part_name(file: Path, digest: str) -> str:
    """Items carry their file's path as given, so the path is part of the key with the content."""
    key = hashlib.sha256(f"{CACHE_VERSION}\0{file}\0{digest}".encode()).hexdigest()[:32]
    return f"part-{key}.pickle"


def write_part(target: Path, digest: str, part: Part) -> None:
    """Only a part without problems is stored; a failure to write leaves the cache as it was."""
    if part.problems:
        return
    rows_of = [tuple(item) for item in part.items]
    records = [pickle.dumps(rows_of[k : k + RUN], protocol=pickle.HIGHEST_PROTOCOL) for k in range(0, len(rows_of), RUN)]
    records.append(pickle.dumps([tuple(Choices.of(item)) for item in part.items], protocol=pickle.HIGHEST_PROTOCOL))
    head = len(MAGIC) + 8 * (len(records) + 2)
    offsets = [head]
    for record in records:
        offsets.append(offsets[-1] + len(record))
    made = summary(part)
    rows = [tuple(entry) for entry in made.entries]  # remade by tuple's constructor: half the time of a named tuple's
    tail = pickle.dumps((digest, replace(made, entries=()), rows), protocol=pickle.HIGHEST_PROTOCOL)

    def fill(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            fh.write(MAGIC + _U64.pack(len(records) - 1) + b"".join(map(_U64.pack, offsets)))
            fh.writelines(records)
            fh.write(tail)

    try:
        replace_atomically(target, fill)
    except OSError:
        pass  # the cache is an optimisation; a read-only or full home still studies


def read_summary(source: Path, digest: str) -> Summary | None:
    """The summary of a stored part of `source` with this content, or None if it cannot be trusted."""
    try:
        with open(source, "rb") as fh, paused_gc():
            offsets, summary_at = _offsets(fh)
            fh.seek(summary_at)
            stored, found, rows = pickle.loads(fh.read())
            if stored != digest or not isinstance(found, Summary) or -(-len(rows) // RUN) != len(offsets) - 1:
                return None
            return replace(found, entries=tuple(map(tuple.__new__, repeat(Entry), rows)))
    except Exception:  # noqa: BLE001 - a damaged part is rebuilt, whatever the damage
        return None


def _offsets(fh) -> tuple[list[int], int]:
    """Where each run of items starts, with the end of the last (where the choices start); where the summary starts."""
    if fh.read(len(MAGIC)) != MAGIC:
        raise ValueError("not a part")
    (count,) = _U64.unpack(fh.read(8))
    raw = fh.read(8 * (count + 2))
    if len(raw) != 8 * (count + 2):
        raise ValueError("truncated")
    offsets = [value for (value,) in _U64.iter_unpack(raw)]
    return offsets[:-1], offsets[-1]


def _records(path: Path, entries: Sequence[Entry] | None = None) -> list[Item]:
    """The items of `entries` (all of one part; None: every item) from its records, remade by
    tuple's own constructor; ValueError if anything is off."""
    with open(path, "rb") as fh:
        offsets, _ = _offsets(fh)
        runs = range(len(offsets) - 1) if entries is None else sorted({e.slot // RUN for e in entries})
        found: dict[int, list] = {}
        if len(runs) > (len(offsets) - 1) // 4:
            fh.seek(offsets[0])
            blob = memoryview(fh.read(offsets[-1] - offsets[0]))
            if len(blob) != offsets[-1] - offsets[0]:
                raise ValueError("truncated")
            base = offsets[0]
            for n in runs:
                found[n] = loads(blob[offsets[n] - base : offsets[n + 1] - base])
        else:
            for n in runs:
                fh.seek(offsets[n])
                found[n] = loads(fh.read(offsets[n + 1] - offsets[n]))
    rows = [row for n in runs for row in found[n]] if entries is None else [found[e.slot // RUN][e.slot % RUN] for e in entries]
    items = list(map(tuple.__new__, repeat(Item), rows))
    if entries is not None and any(item.id != e.id or item.line != e.line for item, e in zip(items, entries, strict=True)):
        raise ValueError("a record is not its entry's item")
    return items


def _choices(path: Path, entries: Sequence[Entry]) -> list[Choices]:
    """The choices of `entries` (all of one part) from its choices record; ValueError if anything is off."""
    with open(path, "rb") as fh:
        offsets, summary_at = _offsets(fh)
        fh.seek(offsets[-1])
        blob = fh.read(summary_at - offsets[-1])
    if len(blob) != summary_at - offsets[-1]:
        raise ValueError("truncated")
    rows = loads(blob)
    found = [tuple.__new__(Choices, rows[e.slot]) for e in entries]
    if any(c.id != e.id or c.type != e.type for c, e in zip(found, entries, strict=True)):
        raise ValueError("a record is not its entry's item")
    return found


class StoredPart:
    """Where one file's items are: in memory when just built, else in its part file."""

    __slots__ = ("digest", "items", "path", "source")

    def __init__(self, path: Path, source: Path, digest: str, items: list[Item] | None = None):
        self.path, self.source, self.digest, self.items = path, source, digest, items


class PartShelf:
    """A cached bank's items, read from their parts only when asked for (`items.Shelf`)."""

    def __init__(self, entries: tuple[Entry, ...], parts: Sequence[StoredPart]):
        self.entries = entries
        self.parts = {str(p.source): p for p in parts}

    def load(self, entries: Sequence[Entry]) -> list[Item]:
        return self._gathered(entries, self._read)

    def choices(self, entries: Sequence[Entry]) -> list[Choices]:
        """The choices of these entries' items, in the same order, read from the parts' choices records."""
        return self._gathered(entries, self._read_choices)

    def _gathered(self, entries: Sequence[Entry], read: Callable[[StoredPart, Sequence[Entry]], Sequence[T]]) -> list[T]:
        """`read` of each file's part for its entries, one file at a time, given back in the order asked."""
        by_file: dict[str, list[Entry]] = {}
        for entry in entries:
            by_file.setdefault(entry.file, []).append(entry)
        found: dict[tuple[str, int], T] = {}
        with paused_gc():
            for file, wanted in by_file.items():
                for entry, value in zip(wanted, read(self.parts[file], wanted), strict=True):
                    found[(file, entry.slot)] = value
        return [found[(e.file, e.slot)] for e in entries]

    def _read_choices(self, part: StoredPart, entries: Sequence[Entry]) -> list[Choices]:
        return _from_part(part, entries, _choices, Choices.of)

    def load_all(self) -> tuple[Item, ...]:
        """Every item, a part at a time in bank order (the entries say which a bank kept)."""
        items: list[Item] = []
        start = 0
        with paused_gc():
            while start < len(self.entries):
                part = self.parts[self.entries[start].file]
                end = start
                while end < len(self.entries) and self.entries[end].file == self.entries[start].file:
                    end += 1
                items.extend(self._read(part, self.entries[start:end]))
                start = end
        return tuple(items)

    def _read(self, part: StoredPart, entries: Sequence[Entry]) -> list[Item]:
        return _from_part(part, entries, _records, _itself)


def _from_part(part: StoredPart, entries: Sequence[Entry], records: Callable[[Path, Sequence[Entry]], list[T]], made: Callable[[Item], T]) -> list[T]:
    """These entries' records read from the part's file; once it is found damaged, `made` of its items parsed again."""
    if part.items is None:
        try:
            return records(part.path, entries)
        except Exception:  # noqa: BLE001 - a damaged part is rebuilt, whatever the damage
            part.items = _rebuilt(part)
    return [made(part.items[e.slot]) for e in entries]


def _itself(item: Item) -> Item:
    return item


def _rebuilt(part: StoredPart) -> list[Item]:
    """A part found damaged after its bank was assembled: parsed again from its file, which must
    still be what the bank was assembled from."""
    blob = loader._read_bytes(part.source)
    if digest_of(blob) != part.digest:
        raise InputError("changed while certdrill was reading the bank; run the command again", file=str(part.source))
    with paused_gc():
        built = build.build_part(part.source, blob, manifest=False)
    if built.problems:
        raise BankError(built.problems)
    write_part(part.path, part.digest, built)
    return built.items
