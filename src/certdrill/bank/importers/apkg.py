"""`bank import deck.apkg|deck.colpkg`: unpack an Anki package, write one topic file per deck.

A package is a zip: the collection (`collection.anki21b`, zstd-compressed, since Anki 2.1.50;
`collection.anki21` or `collection.anki2`, plain SQLite, before), a `media` list (JSON before,
zstd-compressed protobuf since) and the media files. Reading the current layout needs the
`zstandard` package (in the `anki` extra); the older layouts need nothing beyond the standard
library. The collection's SQLite is read by `store.anki_collection`; `services.bank_import` joins
the steps: `unpack`, then the store's reader, then `import_cards`.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from certdrill.bank.importers.anki_notes import items_of
from certdrill.bank.importers.anki_records import Collection, WireError, fields_of, first
from certdrill.bank.importers.convert import Converted
from certdrill.bank.importers.run import ImportReport, slugify, write_topics
from certdrill.errors import InputError, MissingExtra

SUFFIXES = (".apkg", ".colpkg")
MODERN, LEGACY_21, LEGACY = "collection.anki21b", "collection.anki21", "collection.anki2"
MAX_ENTRY_BYTES = 4 * 1024**3
# zstd input fed at a time: one call's output stays bounded (a 4-byte block can stand for 128 KiB)
ZSTD_INPUT_CHUNK = 1024
NEEDS_ZSTD = "is in Anki's current package format (zstd-compressed), which needs the zstandard package"


def is_package(path: Path) -> bool:
    return Path(path).suffix.lower() in SUFFIXES


@dataclass(frozen=True)
class Unpacked:
    collection: Path  # the collection as a plain SQLite file
    media: set[str] | None  # the names in the package's media list; None when it has none


@dataclass(frozen=True)
class PackageImport:
    report: ImportReport
    item_for_card: dict[int, str]  # Anki's card id → the item it became


def zstd_decompressor() -> Callable[[Path, Path], None]:
    """Decompress a file into another with zstandard (ValueError when it is not zstd, or would grow
    past MAX_ENTRY_BYTES); MissingExtra naming the extra to install when zstandard is missing."""
    try:
        import zstandard
    except ImportError:
        raise MissingExtra(NEEDS_ZSTD, "anki") from None

    def decompress(source: Path, target: Path) -> None:
        written, fed = 0, False
        frame = zstandard.ZstdDecompressor().decompressobj()
        with open(source, "rb") as src, open(target, "wb") as dst:
            try:
                while data := src.read(ZSTD_INPUT_CHUNK):
                    while data:
                        out = frame.decompress(data)
                        fed = True
                        written += len(out)
                        if written > MAX_ENTRY_BYTES:
                            raise ValueError(f"it would be larger than {MAX_ENTRY_BYTES:,} bytes")
                        dst.write(out)
                        data = b""
                        if frame.eof:  # a frame ended: what follows is the next frame's
                            data, fed = frame.unused_data, False
                            frame = zstandard.ZstdDecompressor().decompressobj()
            except zstandard.ZstdError as exc:
                raise ValueError(str(exc)) from None
        if fed:
            raise ValueError("it ends in the middle of a zstd frame (a truncated file)")

    return decompress


def unpack(path: Path, scratch: Path) -> Unpacked:
    """The package's collection, decompressed into `scratch`, and its media list."""
    name = str(path)
    try:
        package = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except IsADirectoryError:
        raise InputError("is a folder; give one .apkg or .colpkg file", file=name) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"not an Anki package (not a zip archive: {exc})", file=name) from None
    with package:
        entries = set(package.namelist())
        chosen = next((entry for entry in (MODERN, LEGACY_21, LEGACY) if entry in entries), None)
        if chosen is None:
            raise InputError("not an Anki package: it holds no collection.anki21b, collection.anki21 or collection.anki2", file=name)
        decompress = None
        if chosen == MODERN:
            try:
                decompress = zstd_decompressor()
            except MissingExtra as exc:
                raise MissingExtra(exc.needs, exc.extra, file=name) from None
        collection_file = _extract(package, chosen, scratch, name)
        if decompress is not None:
            plain = scratch / "collection.sqlite"
            try:
                decompress(collection_file, plain)
            except (ValueError, OSError) as exc:
                raise InputError(f"{chosen} does not decompress: {exc}", file=name) from None
            collection_file = plain
        media = _media_names(package, entries, decompress, scratch, name)
    return Unpacked(collection_file, media)


def _extract(package: zipfile.ZipFile, entry: str, scratch: Path, name: str) -> Path:
    info = package.getinfo(entry)
    if info.file_size > MAX_ENTRY_BYTES:
        raise InputError(f"{entry} is larger than {MAX_ENTRY_BYTES:,} bytes", file=name)
    target = scratch / Path(entry).name
    try:
        with package.open(info) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"{entry} cannot be read from the package: {exc}", file=name) from None
    return target


def _media_names(package: zipfile.ZipFile, entries: set[str], decompress: Callable[[Path, Path], None] | None, scratch: Path, name: str) -> set[str] | None:
    """Legacy: a JSON object {"0": "diagram.png", …}; current: MediaEntries, each entry's field 1 the name."""
    if "media" not in entries:
        return None
    raw = _extract(package, "media", scratch, name)
    try:
        if decompress is None:
            listed = json.loads(raw.read_text(encoding="utf-8") or "{}")
            return {str(v) for v in listed.values()} if isinstance(listed, dict) else None
        plain = scratch / "media.pb"
        decompress(raw, plain)
        names = set()
        for number, entry in fields_of(plain.read_bytes()):
            if number == 1 and isinstance(entry, bytes):
                value = first(entry, 1, b"")
                if isinstance(value, bytes):
                    names.add(value.decode("utf-8", "replace"))
        return names
    except (ValueError, WireError, OSError):
        return None  # the media list only sharpens a message; the notes still import


def import_cards(collection: Collection, path: Path, out_dir: Path, *, topic: str | None = None, media: set[str] | None = None) -> PackageImport:
    """The collection's cards as items, a topic file per deck (all in `topic` when given; checked
    beforehand with `run.check_target`); nothing is written unless the whole bank validates."""
    path, out_dir = Path(path), Path(out_dir)
    items = items_of(collection, source=path.name, media=media)
    if not items:
        raise InputError("no cards found in it", file=str(path))
    groups: dict[str, tuple[str, list[Converted]]] = {}
    for item in items:
        groups.setdefault(topic or slugify(item.deck), (item.deck, []))[1].append(item.converted)
    written = write_topics(out_dir, groups, source=path.name)
    report = ImportReport(
        source=str(path),
        format=path.suffix.lower().lstrip("."),
        topic_file=written.topic_files[0],
        items=[item.converted for item in items],
        changes=written.changes,
        manifest_created=written.manifest_created,
        topic_files=written.topic_files,
        bank=written.bank,
    )
    return PackageImport(report, {item.card_id: item.converted.id for item in items})
