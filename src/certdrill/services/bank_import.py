"""`bank import`: a question list or an Anki package into bank YAML; with --with-progress, the
package's review history into the progress store.

An Anki package goes through three hands: `bank.importers.apkg.unpack` opens the zip (and the
zstd of the current layout), `store.anki_collection` reads the collection's SQLite, and
`bank.importers.apkg.import_cards` turns its cards into topic files; `exchange.anki_history` makes
its revlog certdrill reviews, merged as `certdrill import` merges a progress file.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from certdrill.bank.importers.apkg import import_cards, is_package, unpack
from certdrill.bank.importers.run import ImportReport, check_target, import_files
from certdrill.errors import InputError
from certdrill.services.progress import Shown, Silent, merge_reviews
from certdrill.services.workspace import Warn, ignore


@dataclass(frozen=True)
class BankImport:
    report: ImportReport
    package: bool  # an Anki package (cards), not a question list
    reviews: int | None = None  # --with-progress: the answers in the package's review log
    added: int = 0  # of those, new to the store

    def to_json(self) -> dict:
        extra = {} if self.reviews is None else {"reviews": self.reviews, "reviews_added": self.added}
        return {**self.report.to_json(), **extra}


def import_bank_file(
    files: Path | list[Path], out_dir: Path, *, topic: str | None, fmt: str | None, with_progress: bool, shown: Shown = Silent(), warn: Warn = ignore
) -> BankImport:
    """Convert question lists (or one Anki package) into the bank folder `out_dir` (nothing written
    unless the whole bank then validates); an Anki package's reviews follow once its topic files are written."""
    paths, out_dir = [Path(f) for f in (files if isinstance(files, list) else [files])], Path(out_dir)
    packages = [p for p in paths if is_package(p)]
    if not packages:
        if with_progress:
            raise InputError("--with-progress: only for an Anki package (.apkg or .colpkg)")
        return BankImport(import_files(paths, out_dir, topic=topic, fmt=fmt), package=False)
    if len(paths) > 1:
        raise InputError("an Anki package is imported on its own: give one .apkg or .colpkg at a time", file=str(packages[0]))
    file = paths[0]
    from certdrill.clock import YEARS
    from certdrill.exchange.anki_history import reviews_of, undatable
    from certdrill.store.anki_collection import read_collection

    check_target(out_dir, topic)
    with tempfile.TemporaryDirectory(prefix="certdrill-apkg-") as scratch:
        unpacked = unpack(file, Path(scratch))
        collection = read_collection(unpacked.collection, name=str(file))
    if with_progress and (bad := undatable(collection)) is not None:
        raise InputError(f"revlog entry {bad.id} (card {bad.card_id}): its time is outside the years {YEARS}; nothing was imported", file=str(file))
    imported = import_cards(collection, file, out_dir, topic=topic, media=unpacked.media)
    if not with_progress:
        return BankImport(imported.report, package=True)
    reviews = reviews_of(collection, imported.item_for_card, bank=imported.report.bank)
    added = merge_reviews(reviews, shown, warn=warn)
    return BankImport(imported.report, package=True, reviews=len(reviews), added=added)
