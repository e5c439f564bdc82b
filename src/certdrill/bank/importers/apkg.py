"""`bank import deck.apkg|deck.colpkg`: read an Anki package, write one topic file per deck.

A package is a zip: the collection (`collection.anki21b`, zstd-compressed, since Anki 2.1.50;
`collection.anki21` or `collection.anki2`, plain SQLite, before), a `media` list (JSON before,
zstd-compressed protobuf since) and the media files. Reading the current layout needs the
`zstandard` package; the older layouts need nothing beyond the standard library.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from certdrill.bank.importers.anki_notes import items_of, reviews_of
from certdrill.bank.importers.anki_records import Collection, WireError, fields_of, first
from certdrill.bank.importers.convert import Converted
from certdrill.bank.importers.importer import SLUG, ImportReport, _existing, _relocated, _write, slugify
from certdrill.bank.importers.merge import Changes, merge
from certdrill.bank.importers.yamlout import dump_manifest, dump_topic
from certdrill.bank.loader import MANIFEST, load_bank
from certdrill.errors import BankError, CertdrillError, InputError
from certdrill.review_log import Review

SUFFIXES = (".apkg", ".colpkg")
MODERN, LEGACY_21, LEGACY = "collection.anki21b", "collection.anki21", "collection.anki2"
MAX_ENTRY_BYTES = 4 * 1024**3
ZSTD_HINT = "is in Anki's current package format (zstd-compressed), which needs the zstandard package: pip install zstandard"


def is_package(path: Path) -> bool:
    return Path(path).suffix.lower() in SUFFIXES


@dataclass
class PackageReport(ImportReport):
    topic_files: list[Path] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)

    def to_json(self) -> dict:
        return {**super().to_json(), "topic_files": [str(p) for p in self.topic_files], "reviews": len(self.reviews)}


def zstd_decompressor() -> Callable[[Path, Path], None]:
    """Decompress a file into another; an InputError naming the package to install when zstandard is missing."""
    try:
        import zstandard
    except ImportError:
        raise InputError(ZSTD_HINT) from None

    def decompress(source: Path, target: Path) -> None:
        with open(source, "rb") as src, open(target, "wb") as dst:
            zstandard.ZstdDecompressor().copy_stream(src, dst)

    return decompress


def read_package(path: Path, scratch: Path) -> tuple[Collection, set[str] | None]:
    """The package's collection, and the names in its media list (None when it has no list)."""
    from certdrill.store.anki_collection import read_collection

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
            except InputError as exc:
                raise InputError(exc.message, file=name) from None
        collection_file = _extract(package, chosen, scratch, name)
        if decompress is not None:
            plain = scratch / "collection.sqlite"
            try:
                decompress(collection_file, plain)
            except Exception as exc:  # noqa: BLE001 - zstandard's errors have no common public base
                raise InputError(f"{chosen} does not decompress: {exc}", file=name) from None
            collection_file = plain
        media = _media_names(package, entries, decompress, scratch, name)
    return read_collection(collection_file, name=name), media


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


def _media_names(package: zipfile.ZipFile, entries: set[str], decompress, scratch: Path, name: str) -> set[str] | None:
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


def import_package(path: Path, out_dir: Path, *, topic: str | None = None, with_progress: bool = False) -> PackageReport:
    path, out_dir = Path(path), Path(out_dir)
    if topic is not None and (not SLUG.match(topic) or len(topic) > 120):
        raise InputError(f"--topic: {topic!r} is not a slug (lowercase letters, digits and '-')")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("is a file; give the bank's folder", file=str(out_dir))
    with tempfile.TemporaryDirectory(prefix="certdrill-apkg-") as scratch:
        collection, media = read_package(path, Path(scratch))
    items = items_of(collection, source=path.name, media=media)
    if not items:
        raise InputError("no cards found in it", file=str(path))
    groups: dict[str, tuple[str, list[Converted]]] = {}
    for item in items:
        groups.setdefault(topic or slugify(item.deck), (item.deck, []))[1].append(item.converted)
    changes, manifest_created, bank_name = write_topics(out_dir, groups, source=path.name)
    reviews = reviews_of(collection, {item.card_id: item.converted.id for item in items}, bank=bank_name) if with_progress else []
    topic_files = [out_dir / f"{slug}.yaml" for slug in groups]
    return PackageReport(
        source=str(path),
        format=path.suffix.lower().lstrip("."),
        topic_file=topic_files[0],
        items=[item.converted for item in items],
        changes=changes,
        manifest_created=manifest_created,
        topic_files=topic_files,
        reviews=reviews,
    )


def write_topics(out_dir: Path, groups: dict[str, tuple[str, list[Converted]]], *, source: str) -> tuple[Changes, bool, str]:
    """Merge each topic's items (slug → default title, items) into its topic file, validate the whole
    bank, then write every file; the changes, whether bank.yaml was made, and the bank's name."""
    files: dict[str, str] = {}
    changes = Changes()
    header = f"Imported by `certdrill bank import` from {source}.\nRe-importing updates items in place by id; see docs/bank-format.md."
    for slug, (default_title, converted) in groups.items():
        topic_file = out_dir / f"{slug}.yaml"
        title, existing = _existing(topic_file, default_title=default_title)
        merged = merge(existing, converted, source=source)
        for key in ("new", "updated", "unchanged", "removed", "kept_reviewed"):
            getattr(changes, key).extend(getattr(merged.changes, key))
        files[topic_file.name] = dump_topic(slug, title, merged.items, header=header)
    manifest_created = not (out_dir / MANIFEST).exists()
    if manifest_created:
        files[MANIFEST] = dump_manifest(slugify(out_dir.resolve().name), out_dir.resolve().name, f"Imported with certdrill bank import from {source}.")
    bank_name = _validate(out_dir, files)
    _write(out_dir, files)
    return changes, manifest_created, bank_name


def _stage(out_dir: Path, files: dict[str, str], stage: Path) -> None:
    if out_dir.is_dir():
        for file in out_dir.iterdir():
            if file.suffix in (".yaml", ".yml") and file.is_file() and file.name not in files:
                shutil.copyfile(file, stage / file.name)
    for file_name, text in files.items():
        (stage / file_name).write_text(text, encoding="utf-8")


def _validate(out_dir: Path, files: dict[str, str]) -> str:
    """Load the bank as it would be after the import, in a scratch copy (errors name the real
    files); its name, which the reviews are filed under as `study` files its own."""
    with tempfile.TemporaryDirectory(prefix="certdrill-import-") as scratch:
        stage = Path(scratch) / out_dir.resolve().name
        stage.mkdir()
        _stage(out_dir, files, stage)
        try:
            return load_bank(stage).name
        except BankError as exc:
            raise BankError([_relocated(p, stage, out_dir) for p in exc.problems]) from None
        except CertdrillError as exc:
            raise _relocated(exc, stage, out_dir) from None
