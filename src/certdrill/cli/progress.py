"""`certdrill export` and `certdrill import`: progress as one JSON document."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from certdrill.cli.common import errors_to_exit, load_banks, open_store, out_console
from certdrill.errors import InputError


@errors_to_exit
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write ('-' for standard output).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="json (progress).")] = "json",
    bank: Annotated[list[Path] | None, typer.Option("--bank", "-b", help="Bank the export names (default: built-in).")] = None,
) -> None:
    """Write every review and card state to a JSON file (see docs/progress.schema.json)."""
    from certdrill import clock
    from certdrill.exchange.export import write_progress

    if fmt != "json":
        raise InputError(f"--format: unknown format {fmt!r} (known: json)")
    the_bank = load_banks(bank)
    store = open_store(writable=False)
    try:
        with store.reading() as conn:
            banks = dict(conn.execute("SELECT item_id, bank FROM cards"))
        cards = {item_id: (banks.get(item_id, ""), card) for item_id, card in store.cards().items()}
        ref = {"name": the_bank.name, "title": the_bank.title, "items": len(the_bank.items)}
        now = clock.now()
        if str(output) == "-":
            count = write_progress(sys.stdout, review_rows=store.iter_review_rows(), cards=cards, bank=ref, now=now)
            return
        tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                count = write_progress(fh, review_rows=store.iter_review_rows(), cards=cards, bank=ref, now=now)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, output)
        except OSError as exc:
            _discard(tmp)
            raise InputError(f"cannot write: {exc.strerror}", file=str(output)) from None
        except BaseException:
            _discard(tmp)
            raise
    finally:
        store.close()
    out_console().print(f"Exported {count} reviews and {len(cards)} cards to {output}", markup=False)


def _discard(tmp: Path) -> None:
    """Remove a half-written export; on a read-only disk there is none to remove."""
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        pass


@errors_to_exit
def import_(
    file: Annotated[Path, typer.Argument(help="A progress file made by certdrill export.")],
) -> None:
    """Merge progress from another machine: reviews are united by id, cards rebuilt by replay."""
    from certdrill.cli.common import load_settings
    from certdrill.cli.study import scheduler_config
    from certdrill.exchange.importer import read_progress

    reviews = read_progress(file)
    config = scheduler_config(load_settings())
    store = open_store()
    try:
        added = store.merge_reviews(reviews, config)
    finally:
        store.close()
    out_console().print(f"Imported {added} new reviews ({len(reviews) - added} already here) from {file}", markup=False)
