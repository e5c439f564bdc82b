"""`export` and `import`: progress as one JSON document, the bank as an Anki deck, a progress file merged in."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO, TypeVar

from certdrill import paths
from certdrill.errors import InputError
from certdrill.files import discard
from certdrill.services.banks import load_banks
from certdrill.services.workspace import Warn, cards_for, ignore, load_settings, open_store, scheduler_config, tidy_home

if TYPE_CHECKING:
    from certdrill.config import Settings
    from certdrill.exchange.reader import Incoming
    from certdrill.schedule.review_log import Review, ReviewRow
    from certdrill.services.extras import ExtrasMerged
    from certdrill.store.store import Store
    from certdrill.store.writes import Merged

T = TypeVar("T")


@dataclass(frozen=True)
class Exported:
    what: str  # "reviews" or "notes"
    count: int
    cards: int = 0  # progress: cards written beside the reviews
    scheduled: int = 0  # Anki: notes that carry progress
    deck: str = ""  # Anki: the deck's name (the bank's title)


def export_progress(output: Path, bank_paths: Sequence[Path] | None, *, now: datetime) -> Exported:
    """Every review and card as JSON (see docs/progress.schema.json), written whole or not at all."""
    from certdrill.clock import to_ms
    from certdrill.exchange.controls import ControlRows
    from certdrill.exchange.export import write_progress
    from certdrill.exchange.records import extras_json
    from certdrill.services.extras import local_extras

    the_bank = load_banks(bank_paths)
    ref = {"name": the_bank.name, "title": the_bank.title, "items": len(the_bank.items)}
    paths.check_folder(paths.home_dir())
    if not paths.has_store():
        return _export_without_store(output, ref, now=now)
    store = open_store(writable=False)
    try:
        banks = store.card_banks()
        cards = {item_id: (banks.get(item_id, ""), card) for item_id, card in store.cards().items()}
        controls = ControlRows(store.iter_tombstone_rows(), store.suspension_rows())
        newer = store.has_kind("cram")
        extras = extras_json(local_extras(store, to_ms(now), keep=False))

        def write(fh: TextIO) -> int:
            return write_progress(
                fh, review_rows=store.iter_review_rows(), cards=cards, bank=ref, now=now, controls=controls, newer_kinds=newer, after_cards=extras
            )

        count = write_atomically(output, write)
    finally:
        store.close()
    return Exported("reviews", count, cards=len(cards))


def _export_without_store(output: Path, ref: dict, *, now: datetime) -> Exported:
    """A home that never kept progress: a valid export with no reviews (its changed settings still
    travel), written without making a store just to read it empty."""
    from certdrill.clock import to_ms
    from certdrill.exchange.export import write_progress
    from certdrill.exchange.records import Extras, extras_json
    from certdrill.services.sync_state import local_settings

    extras = extras_json(Extras([], local_settings(to_ms(now), keep=False), []))
    count = write_atomically(output, lambda fh: write_progress(fh, review_rows=(), cards={}, bank=ref, now=now, after_cards=extras))
    return Exported("reviews", count)


def export_anki(output: Path, bank_paths: Sequence[Path] | None, fmt: str, *, with_progress: bool, include_unreviewed: bool, now: datetime) -> Exported:
    """The bank as an Anki package (`fmt` "anki") or Anki's plain-text import ("anki-text")."""
    from certdrill.exchange.anki import build_notes

    the_bank = load_banks(bank_paths)
    cards = histories = None
    if with_progress:
        paths.check_folder(paths.home_dir())
    if with_progress and paths.has_store():  # without a store there is no progress to carry, and none is made
        from certdrill.exchange.anki_history import histories as revlogs

        store = open_store(writable=False)
        try:
            config = scheduler_config(load_settings(), store=store)
            cards = cards_for(store, config, now)  # due dates as `study` sees them
            histories = revlogs(store.reviews(), (i.id for i in the_bank.items), config)  # the review log, for Anki's revlog
        finally:
            store.close()
    notes = build_notes(the_bank.items, cards=cards, include_unreviewed=include_unreviewed, histories=histories)
    if fmt == "anki-text":
        from certdrill.exchange.anki_text_writer import write_anki_text

        write_atomically(output, lambda fh: write_anki_text(fh, notes, deck_name=the_bank.title))
    else:
        from certdrill.exchange.apkg import write_apkg

        if str(output) == "-":
            raise InputError("--output: an Anki package is a binary file; give a file name ending in .apkg")
        write_atomically(output, lambda path: write_apkg(path, notes, deck_name=the_bank.title, now=now), binary=True)
    return Exported("notes", len(notes), scheduled=sum(1 for n in notes if n.schedule is not None), deck=the_bank.title)


def write_atomically(output: Path, write: Callable[[Any], T], *, binary: bool = False) -> T:
    """Write through a temporary file beside `output`, renamed over it only when complete.

    `write` gets an open text file, or with `binary=True` the temporary path; '-' writes text to stdout.
    """
    from certdrill.files import replace_atomically, write_text_atomically

    if str(output) == "-":
        return write(sys.stdout)
    try:
        return replace_atomically(output, write) if binary else write_text_atomically(output, write)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", file=str(output)) from None


class Shown(Protocol):
    """Where a long import shows how far it got (`ui.activity.Activity`)."""

    def counted(self, rows: Iterable[tuple]) -> Iterable[tuple]: ...

    def now(self, description: str) -> None: ...


class Silent:
    """A `Shown` that shows nothing."""

    def counted(self, rows: Iterable[tuple]) -> Iterable[tuple]:
        return rows

    def now(self, description: str) -> None:
        pass


@dataclass(frozen=True)
class Imported:
    added: int  # reviews new to the store (or changed)
    read: int  # reviews in the file
    extras: ExtrasMerged | None = None  # mock exams, settings and parameters taken from it
    merged: Merged | None = None  # what the merge took in: the undone answers it applied, those undone here already

    @property
    def already_here(self) -> int:
        """The file's reviews this store had: neither added nor refused as undone."""
        return self.read - self.added - (self.merged.refused if self.merged else 0)

    def to_json(self) -> dict[str, Any]:
        from certdrill.services.extras import ExtrasMerged

        extras, merged = self.extras or ExtrasMerged(), self.merged
        return {
            "reviews_read": self.read,
            "reviews_added": self.added,
            "reviews_already_here": self.already_here,
            "undone_applied": merged.undone_applied if merged else 0,
            "undone_already": merged.undone_already if merged else 0,
            "exams": extras.exams,
            "settings": extras.settings,
            "parameters": extras.parameters,
        }


def read_progress(file: Path) -> Incoming:
    """Open and check a progress file: streamed when it has the export layout, validated as it is read."""
    from certdrill.exchange.reader import open_progress

    return open_progress(file)


def import_progress(file: Path, incoming: Incoming, shown: Shown = Silent(), *, warn: Warn = ignore, now: datetime | None = None) -> Imported:
    """Merge a progress file (`read_progress`): reviews united by id, cards rebuilt by replay; the
    file checked whole before anything is written, then merged a batch at a time beside any session
    (a killed import keeps whole batches; again finishes it); then its mock exams (joined by uid),
    settings and parameters (the later change wins)."""
    from certdrill.gcpause import paused_gc

    settings = load_settings()
    tidy_home()
    fresh = not paths.db_path().exists()
    with paused_gc():  # a million rows read, checked and stored: objects that die young or live to the end
        merged = _first_import(incoming, settings, shown, warn) if fresh else _merge_aside(incoming, settings, shown, warn)
    if not incoming.extras:
        return Imported(merged.reviews, incoming.count, merged=merged)
    from certdrill.clock import to_ms
    from certdrill.services.extras import merge_extras

    store = open_store(warn=warn)
    try:
        extras = merge_extras(store, incoming.extras, to_ms(now) if now is not None else 0)
    finally:
        store.close()
    return Imported(merged.reviews, incoming.count, extras, merged)


def merge_reviews(reviews: Sequence[Review], shown: Shown = Silent(), *, warn: Warn = ignore) -> int:
    """Reviews from elsewhere (Anki's review log) merged as a progress file is: united by id, the
    cards they touch replayed; the number new to the store."""
    from certdrill.exchange.reader import Incoming
    from certdrill.schedule.review_log import review_row

    return _merge_any(Incoming([review_row(r) for r in reviews]), load_settings(), shown, warn).changed


def merge_rows(rows: Sequence[ReviewRow], *, undone: Sequence[tuple] = (), suspensions: Sequence[tuple] = (), warn: Warn = ignore) -> Merged:
    """Review rows, tombstones and suspension events from another device (certdrill sync) merged as
    a progress file's are; what the store took in."""
    from certdrill.exchange.controls import ControlRows
    from certdrill.exchange.reader import Incoming

    return _merge_any(Incoming(list(rows), ControlRows(list(undone), list(suspensions))), load_settings(), Silent(), warn)


def _merge_any(incoming: Incoming, settings: Settings, shown: Shown, warn: Warn) -> Merged:
    """A few reviews (a sync's batch) in one short transaction; more beside any session (`_merge_aside`)."""
    from certdrill.store.writes import MERGE_BATCH

    if isinstance(incoming.rows, list) and len(incoming.rows) <= MERGE_BATCH:
        return _merge(open_store(warn=warn), incoming, settings, shown)
    return _merge_aside(incoming, settings, shown, warn)


def _merge(store: Store, incoming: Incoming, settings: Settings, shown: Shown, *, new_store: bool = False) -> Merged:
    """Cards are replayed with the FSRS parameters that store is using: in the same transaction,
    or (a new store, not yet in its place) after the reviews are in."""
    try:
        config = scheduler_config(settings, store=store)
        controls = incoming.controls
        added = store.merge_counted(shown.counted(incoming.rows), config, replay=not new_store, undone=controls.undone, suspensions=controls.suspensions)
        if new_store:
            shown.now("Replaying every card")
            store.rebuild_cards(config)
            store.seal()
        return added
    finally:
        store.close()


def _first_import(incoming: Incoming, settings: Settings, shown: Shown, warn: Warn) -> Merged:
    """Into a home without a store: the store is made beside its place and linked in only once the
    whole file proved good, so a bad file (found late in a streamed million) leaves no store behind."""
    from certdrill.store.store import Store

    target = paths.db_path()
    tmp = _scratch_path()
    try:
        added = _merge(Store.open_scratch(tmp), incoming, settings, shown, new_store=True)
        try:
            os.link(tmp, target)
        except FileExistsError:  # another certdrill made a store meanwhile: what was made is merged into it
            store = open_store(warn=warn)
            try:
                return _merge_staged(Store.open(tmp), store, settings, shown)
            finally:
                store.close()
        return added
    finally:
        _discard_scratch(tmp)


def _merge_aside(incoming: Incoming, settings: Settings, shown: Shown, warn: Warn) -> Merged:
    """Into a store that sessions may be using: the file is merged into a scratch store first (all
    of it checked, nothing written to the store should it be bad), then into the store a batch at a
    time, so that no session waits on the lock for longer than a batch (store/staged.py). The store
    is opened first, so a read-only home or a damaged store is said before the file is read."""
    from certdrill.store.store import Store

    store = open_store(warn=warn)
    tmp = _scratch_path()
    try:
        staging = Store.open_scratch(tmp)
        try:
            controls = incoming.controls
            staging.merge_counted(shown.counted(incoming.rows), replay=False, undone=controls.undone, suspensions=controls.suspensions)
        except BaseException:
            staging.close()
            raise
        return _merge_staged(staging, store, settings, shown)
    finally:
        store.close()
        _discard_scratch(tmp)


def _merge_staged(staging: Store, store: Store, settings: Settings, shown: Shown) -> Merged:
    """What `staging` holds merged into `store`; `staging` closed after."""
    try:
        shown.now("Merging into the store, a batch at a time")
        return store.merge_staged(staging, scheduler_config(settings, store=store))
    finally:
        staging.close()


def _scratch_path() -> Path:
    """Beside the store, named after this process (the next start removes it, should this one be killed)."""
    target = paths.db_path()
    return target.with_name(f".{target.name}.{os.getpid()}.import")


def _discard_scratch(tmp: Path) -> None:
    for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
        discard(leftover)
