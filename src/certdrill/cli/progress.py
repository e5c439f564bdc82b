"""`certdrill export` and `certdrill import`: progress as one JSON document; the bank as an Anki deck."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from certdrill import paths
from certdrill.cli.common import err_console, errors_to_exit, load_banks, load_settings, open_store, out_console
from certdrill.errors import InputError

FORMATS = ("json", "anki", "anki-text")


@errors_to_exit
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write ('-' for standard output; not for anki).")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="json (progress, the default), anki (an .apkg package; the default for -o *.apkg) or anki-text (Anki's plain-text import)."
        ),
    ] = None,
    bank: Annotated[list[Path] | None, typer.Option("--bank", "-b", help="Bank to export or name (default: built-in; repeatable).")] = None,
    with_progress: Annotated[
        bool, typer.Option("--with-progress", help="anki: carry each card's due date, interval, memory state and review history over.")
    ] = False,
    include_unreviewed: Annotated[bool, typer.Option("--include-unreviewed", help="anki, anki-text: also export items marked status: needs-review.")] = False,
) -> None:
    """Write progress as JSON (see docs/progress.schema.json), or the bank as an Anki deck."""
    fmt = fmt or ("anki" if output.suffix.lower() == ".apkg" else "json")
    if fmt not in FORMATS:
        raise InputError(f"--format: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if with_progress and fmt != "anki":
        raise InputError("--with-progress: only with --format anki")
    if include_unreviewed and fmt == "json":
        raise InputError("--include-unreviewed: only with --format anki or anki-text")
    if fmt == "json":
        _export_progress(output, bank)
    else:
        _export_anki(output, bank, fmt, with_progress=with_progress, include_unreviewed=include_unreviewed)


def _export_progress(output: Path, bank: list[Path] | None) -> None:
    from certdrill import clock
    from certdrill.exchange.export import write_progress

    the_bank = load_banks(bank)
    store = open_store(writable=False)
    try:
        banks = store.card_banks()
        cards = {item_id: (banks.get(item_id, ""), card) for item_id, card in store.cards().items()}
        ref = {"name": the_bank.name, "title": the_bank.title, "items": len(the_bank.items)}
        now = clock.now()
        count = write_atomically(output, lambda fh: write_progress(fh, review_rows=store.iter_review_rows(), cards=cards, bank=ref, now=now))
    finally:
        store.close()
    if str(output) != "-":
        out_console().print(f"Exported {count} reviews and {len(cards)} cards to {output}", markup=False, soft_wrap=True)


def _export_anki(output: Path, bank: list[Path] | None, fmt: str, *, with_progress: bool, include_unreviewed: bool) -> None:
    from certdrill import clock
    from certdrill.exchange.anki import build_notes

    the_bank = load_banks(bank)
    now = clock.now()
    cards = histories = None
    if with_progress:
        from certdrill.cli.study import cards_for, scheduler_config
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
        from certdrill.exchange.anki_text import write_anki_text

        write_atomically(output, lambda fh: write_anki_text(fh, notes, deck_name=the_bank.title))
    else:
        from certdrill.exchange.apkg import write_apkg

        if str(output) == "-":
            raise InputError("--output: an Anki package is a binary file; give a file name ending in .apkg")
        write_atomically(output, lambda path: write_apkg(path, notes, deck_name=the_bank.title, now=now), binary=True)
    if str(output) != "-":
        scheduled = sum(1 for n in notes if n.schedule is not None)
        progress = f", {scheduled} with progress" if with_progress else ""
        from certdrill.ui.render import safe

        out_console().print(safe(f'Exported {len(notes)} notes{progress} to {output} (deck "{the_bank.title}")'), highlight=False, soft_wrap=True)


def write_atomically(output: Path, write, *, binary: bool = False):
    """Write through a temporary file beside `output`, renamed over it only when complete.

    `write` gets an open text file, or with `binary=True` the temporary path; '-' writes text to stdout.
    """
    if str(output) == "-":
        return write(sys.stdout)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        if binary:
            result = write(tmp)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                result = write(fh)
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, output)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", file=str(output)) from None
    finally:
        _discard(tmp)
    return result


def _discard(tmp: Path) -> None:
    """Remove a temporary file (a half-written export, a first import that failed); on a read-only disk there is none."""
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        pass


@errors_to_exit
def import_(
    file: Annotated[Path, typer.Argument(help="A progress file made by certdrill export.")],
) -> None:
    """Merge progress from another machine: reviews are united by id, cards rebuilt by replay."""
    from certdrill.exchange.importer import open_progress
    from certdrill.ui.activity import activity

    incoming = open_progress(file)
    settings = load_settings()
    with activity(err_console(), f"Importing {file.name}") as shown:
        added = _merge(open_store(), incoming, settings, shown) if paths.db_path().exists() else _first_import(file, incoming, settings, shown)
    out_console().print(f"Imported {added} new reviews ({incoming.count - added} already here) from {file}", markup=False)


def _merge(store, incoming, settings, shown, *, new_store: bool = False) -> int:
    """Cards are replayed with the FSRS parameters that store is using: in the same transaction,
    or (a new store, not yet in its place) after the reviews are in."""
    from certdrill.cli.study import scheduler_config

    try:
        config = scheduler_config(settings, store=store)
        added = store.merge_rows(shown.counted(incoming.rows), config, replay=not new_store)
        if new_store:
            shown.now("Replaying every card")
            store.rebuild_cards(config)
            store.seal()
        return added
    finally:
        store.close()


def _first_import(file: Path, incoming, settings, shown) -> int:
    """Into a home without a store: the store is made beside its place and linked in only once the
    whole file proved good, so a bad file (found late in a streamed million) leaves no store behind."""
    from certdrill.exchange.importer import open_progress
    from certdrill.store.store import Store

    target = paths.db_path()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.import")
    try:
        added = _merge(Store.open_scratch(tmp), incoming, settings, shown, new_store=True)
        try:
            os.link(tmp, target)
        except FileExistsError:  # another certdrill made a store meanwhile: merge into that one
            return _merge(open_store(), open_progress(file), settings, shown)
        return added
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            _discard(leftover)
